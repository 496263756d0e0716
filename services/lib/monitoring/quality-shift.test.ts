import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../blueprint/compile.js';
import { minimalBlueprint, minimalBlueprintOf, type RawBlueprint } from '../blueprint/test-blueprints.js';
import type { Blueprint } from '../schemas/generated.js';
import { SeededRandom } from '../learners/random.js';
import { qualityPlanOf } from './quality-plan.js';
import {
  QualityShiftWatch,
  classExampleValue,
  exampleValue,
  shiftClearedMessage,
  shiftMessage,
  shiftQuantityOf,
  type QualityShiftMeasure,
} from './quality-shift.js';

const T0 = 1_750_000_000_000;
const MINUTE = 60_000;

function compiled(raw: RawBlueprint): Blueprint {
  const result = compileBlueprint(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}

const quantityOf = (raw: RawBlueprint) => {
  const bp = compiled(raw);
  return shiftQuantityOf(bp, qualityPlanOf(bp));
};

test('quality shift - what each task is judged by: log-loss, squared error, reward, top-1 error', () => {
  const classes = (decision: Record<string, unknown>) => ({
    ...minimalBlueprintOf('classification'),
    label: { window: '30m', value: { field: 'class' } },
    decision: { actions: ['a', 'b', 'c'], default: 'a', ...decision },
  });
  assert.equal(quantityOf(minimalBlueprint()), 'logloss');
  assert.equal(quantityOf(minimalBlueprintOf('estimation')), 'squared_error');
  assert.equal(quantityOf(minimalBlueprintOf('planning')), 'reward');
  assert.equal(quantityOf(minimalBlueprintOf('ranking')), 'logloss');
  assert.equal(quantityOf(classes({ policy: 'top_k', k: 3 })), 'logloss', 'every class probability is logged');
  assert.equal(quantityOf(classes({ policy: 'argmax' })), 'top1_error');
});

test("quality shift - one example's value: the served score's loss, or the reward of the action taken", () => {
  assert.ok(Math.abs(exampleValue('logloss', 1, 0.8)! - -Math.log(0.8)) < 1e-15);
  assert.ok(Math.abs(exampleValue('logloss', 0, 0.8)! - -Math.log(0.2)) < 1e-15);
  assert.ok(exampleValue('logloss', 1, 0)! < 35, 'clipped like OnlineMetrics: finite');
  assert.equal(exampleValue('logloss', 3, 0.5), null, 'a label outside 0..1 has no log-loss');
  assert.equal(exampleValue('logloss', 1, null), null);
  assert.equal(exampleValue('squared_error', 12, 10), 4);
  assert.equal(exampleValue('reward', 0.5, null), 0.5, 'a reward needs no score');
  assert.equal(exampleValue('reward', Number.NaN, 0.5), null);
  assert.equal(classExampleValue('top1_error', 'a', ['a', 'b'], null), 0);
  assert.equal(classExampleValue('top1_error', 'b', ['a', 'b'], null), 1);
  assert.ok(Math.abs(classExampleValue('logloss', 'b', ['a', 'b'], 0.25)! - Math.log(4)) < 1e-15);
  assert.equal(classExampleValue('logloss', 'b', ['a', 'b'], null), null);
});

/** A reward stream of `lineage`, one decision every 100 ms, labelled 1 s later. */
function feed(
  watch: QualityShiftWatch,
  r: SeededRandom,
  from: number,
  n: number,
  rate: number,
  lineage = 'offers/1',
  version = 'offers/7',
): number {
  for (let i = 0; i < n; i++) {
    const decisionTs = from + 100 * i;
    watch.observe({
      lineage,
      modelVersion: version,
      decisionTs,
      labelTs: decisionTs + 1000,
      value: r.next() < rate ? 1 : 0,
    });
  }
  return from + 100 * n;
}

const only = (measures: QualityShiftMeasure[]) => {
  assert.equal(measures.length, 1);
  return measures[0]!;
};

test('quality shift - a lineage is left to settle for one label window, then a reward drop is a shift for the worse', () => {
  const r = new SeededRandom(5);
  const watch = new QualityShiftWatch('reward', 30 * MINUTE);
  let t = feed(watch, r, T0, 17_000, 0.1); // 28 min: within the first label window
  assert.deepEqual(
    [only(watch.measure(t, 10 * MINUTE)).state, only(watch.measure(t, 10 * MINUTE)).reference],
    ['settling', null],
  );
  t = feed(watch, r, t, 20_000, 0.1);
  const watching = only(watch.measure(t, 10 * MINUTE));
  assert.equal(watching.state, 'watching');
  assert.ok(Math.abs(watching.reference!.mean - 0.1) < 0.01);
  assert.equal(watching.shifts, 0);
  const changedAt = t;
  let shifted = only(watch.measure(t, 10 * MINUTE));
  while (shifted.shifts === 0 && t < changedAt + 100 * 3000) {
    t = feed(watch, r, t, 100, 0.05, 'offers/1', 'offers/9');
    shifted = only(watch.measure(t, 10 * MINUTE));
  }
  assert.equal(shifted.shifts, 1, 'found within 3,000 examples');
  assert.equal(shifted.shifted, true, 'no reference taken since');
  assert.equal(shifted.state, 'warming');
  const s = shifted.lastShift!;
  assert.deepEqual([s.lineage, s.modelVersion, s.quantity, s.threshold], ['offers/1', 'offers/9', 'reward', 8]);
  assert.ok(s.changeAt >= changedAt - 60_000 && s.changeAt <= s.at, 'the change point is near the change');
  assert.ok(s.since.mean < 0.075 && Math.abs(s.before.mean - 0.1) < 0.01);
  assert.match(
    shiftMessage(s),
    /^the reward per decision of lineage offers\/1 \(serving offers\/9\) fell: 0\.\d{4} over [\d,]+ examples before, 0\.\d{4} over the [\d,]+ since the change \(−\d+\.\d %\); CUSUM \d+\.\d past its threshold 8 \(standard errors of a block mean\)$/,
  );
  t = feed(watch, r, t, 2000, 0.05, 'offers/1', 'offers/9');
  const again = only(watch.measure(t, 10 * MINUTE));
  assert.deepEqual(
    [again.state, again.shifted, again.shifts],
    ['watching', false, 1],
    'a new reference, at the new level',
  );
  assert.ok(Math.abs(again.reference!.mean - 0.05) < 0.015);
  assert.match(
    shiftClearedMessage('offers/1', again),
    /^lineage offers\/1 is watched against a new reference: reward per decision 0\.\d{4} over [\d,]+ examples \(a later shift raises again\)$/,
  );
  assert.deepEqual(
    watch.measure(t + 10 * MINUTE + 1001, 10 * MINUTE),
    [],
    'a lineage unseen for ten minutes is forgotten',
  );
});

test('quality shift - a rise in reward is no shift for the worse: it only re-references', () => {
  const r = new SeededRandom(6);
  const watch = new QualityShiftWatch('reward', 0);
  let t = feed(watch, r, T0, 20_000, 0.05);
  t = feed(watch, r, t, 3000, 0.1);
  const m = only(watch.measure(t, 10 * MINUTE));
  assert.deepEqual([m.shifts, m.improvements, m.lastShift, m.shifted], [0, 1, null, false]);
});

test('quality shift - each lineage has its own detector; after a restart a lineage whose missing labels reach back one window settles at once', () => {
  const r = new SeededRandom(7);
  const watch = new QualityShiftWatch('reward', 30 * MINUTE);
  // Replayed after a restart: a missing label closes the window of a decision 30 minutes older.
  watch.observe({ lineage: 'offers/1', modelVersion: 'offers/7', decisionTs: T0 - 30 * MINUTE, labelTs: T0, value: 0 });
  const t = feed(watch, r, T0, 1500, 0.1);
  feed(watch, r, T0, 1500, 0.1, 'offers/automl-2', 'offers/automl-2');
  const byLineage = Object.fromEntries(watch.measure(t, 10 * MINUTE).map((m) => [m.lineage, m.state]));
  assert.deepEqual(byLineage, { 'offers/1': 'watching', 'offers/automl-2': 'settling' });
});
