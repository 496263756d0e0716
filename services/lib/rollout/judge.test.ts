import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlueprintRollout } from '../schemas/generated.js';
import { SeededRandom } from '../learners/random.js';
import {
  canaryDesign,
  constraintProblem,
  judgeCanary,
  judgeLive,
  judgeShadow,
  rollbackDesign,
  shadowDesign,
} from './judge.js';

const rollout: BlueprintRollout = {
  shadow: { minExamples: 300 },
  promoteIf: { metricGain: 0.01 },
  canary: 0,
  rollbackIf: { metricDrop: 0.05 },
};

/** Labels, and two models' scores: the live one sees the label through `liveSignal`, the candidate through `candidateSignal`. */
function paired(n: number, liveSignal: number, candidateSignal: number, seed = 1) {
  const r = new SeededRandom(seed);
  const labels: number[] = [];
  const live: number[] = [];
  const candidate: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r.next() < 0.4 ? 1 : 0;
    const shared = r.normal();
    labels.push(y);
    live.push(1 / (1 + Math.exp(-(liveSignal * y + shared + 0.5 * r.normal()))));
    candidate.push(1 / (1 + Math.exp(-(candidateSignal * y + shared + 0.5 * r.normal()))));
  }
  return { labels, live, candidate, weights: labels.map(() => 1) };
}

/** One model's examples: labels and scores with `signal`, all weighing 1. */
function single(n: number, signal: number, seed: number) {
  const p = paired(n, signal, signal, seed);
  return { labels: p.labels, scores: p.live, weights: p.weights };
}

test('judge - a shadow waits for min_examples before its first look', () => {
  const verdict = judgeShadow('auc', paired(299, 0.5, 2.5), rollout, shadowDesign(rollout));
  assert.deepEqual(verdict, { kind: 'wait', reason: '299 of 300 paired shadow examples' });
});

test('judge - a clearly better candidate is promoted, a clearly worse one rejected, with the numbers', () => {
  const design = shadowDesign(rollout);
  const better = judgeShadow('auc', paired(300, 0.5, 2.5), rollout, design);
  assert.equal(better.kind, 'promote');
  assert.match(
    better.reason,
    /^better than live — auc 0\.\d{4} vs live 0\.\d{4}: \+0\.\d{4} \(98 % always-valid CI \+0\.\d{4} to \+0\.\d{4}; IPS-weighted, effective n 300 of 300\) on 300 paired shadow examples; promote_if.metric_gain 0.01$/,
  );
  const worse = judgeShadow('auc', paired(300, 2.5, 0.5), rollout, design);
  assert.equal(worse.kind, 'reject');
  assert.match(worse.reason, /^cannot be better than live by 0.01 — auc .*: −0\.\d{4}/);
});

test('judge - an inconclusive candidate waits, and is rejected at the horizon of 8 × min_examples effective examples', () => {
  const design = shadowDesign(rollout);
  const first = judgeShadow('auc', paired(300, 1.5, 1.5, 7), rollout, design);
  assert.equal(first.kind, 'wait', first.reason);
  assert.match(first.reason, /gives up at 2400 effective or 19200 paired examples$/);
  const last = judgeShadow('auc', paired(2400, 1.5, 1.52, 7), rollout, design);
  assert.equal(last.kind, 'reject', last.reason);
  assert.match(last.reason, /^(no gain of 0.01 or more shown by the horizon|cannot be better than live by 0.01) — /);
});

test('judge - examples of one outcome only cannot be compared yet: wait, saying why', () => {
  const verdict = judgeShadow(
    'auc',
    { labels: [1, 1, 1], live: [0.1, 0.2, 0.3], candidate: [0.3, 0.2, 0.1], weights: [1, 1, 1] },
    { ...rollout, shadow: { minExamples: 3 } },
    shadowDesign(rollout),
  );
  assert.equal(verdict.kind, 'wait');
  assert.match(verdict.reason, /^cannot compare yet on 3 examples: AUC needs weight on both outcomes/);
});

test('judge - the shadow design is fixed by the blueprint: α 2 %, tuned for twice min_examples, min effect the gain asked for', () => {
  assert.deepEqual(shadowDesign(rollout), { alpha: 0.02, tuningN: 600, minEffect: 0.01, sides: 'two-sided' });
});

test('judge - a canary waits for its examples, goes live once shown not worse, and is rolled back once shown worse', () => {
  const design = canaryDesign(rollout, 0.1);
  assert.deepEqual(design, { alpha: 0.01, tuningN: 400, minEffect: 0.05, sides: 'two-sided' });
  const waiting = judgeCanary('auc', single(150, 1.5, 1), single(4000, 1.5, 2), design, 200);
  assert.deepEqual(waiting, { kind: 'wait', reason: '150 canary and 4000 live examples of 200 each' });
  const same = judgeCanary('auc', single(10000, 1.5, 3), single(10000, 1.5, 4), design, 200);
  assert.equal(same.kind, 'promote', same.reason);
  assert.match(same.reason, /^shown not worse than live by more than 0.05 — auc /);
  const worse = judgeCanary('auc', single(4000, 0.2, 5), single(4000, 2.5, 6), design, 200);
  assert.equal(worse.kind, 'reject', worse.reason);
  assert.match(worse.reason, /^worse than live by more than rollback_if.metric_drop 0.05 — auc /);
});

test('judge - an inconclusive canary goes live at its horizon, saying no harm was shown', () => {
  const design = canaryDesign(rollout, 0.1);
  const early = judgeCanary('auc', single(200, 1.2, 7), single(200, 1.5, 8), design, 200);
  assert.equal(early.kind, 'wait', early.reason);
  assert.match(early.reason, /decides by 800 canary examples$/);
  const late = judgeCanary('auc', single(800, 1.0, 9), single(220, 1.5, 10), design, 200);
  assert.equal(late.kind, 'promote', late.reason);
  assert.match(late.reason, /^no harm past rollback_if.metric_drop 0.05 shown in 800 canary examples — /);
});

test('judge - the rollback design spends half its α on the first test and half again on each restart', () => {
  assert.deepEqual(rollbackDesign(rollout, 200), { alpha: 0.005, tuningN: 800, minEffect: 0.05, sides: 'one-sided' });
  assert.equal(rollbackDesign(rollout, 200, 2).alpha, 0.00125);
});

test('judge - a live model is rolled back when its metric drops past metric_drop and beyond the boundary', () => {
  const design = rollbackDesign(rollout, 1000);
  const baseline = single(1000, 2.0, 11);
  assert.equal(judgeLive('auc', baseline, single(3000, 2.0, 12), design).kind, 'wait');
  const dropped = judgeLive('auc', baseline, single(3000, 0.5, 13), design);
  assert.equal(dropped.kind, 'reject', dropped.reason);
  assert.match(
    dropped.reason,
    /^dropped past rollback_if.metric_drop 0.05, beyond noise — auc 0\.\d{4} over 3000 examples of the version serving now vs 0\.\d{4} in the lineage's first window: drop \+0\.\d{4}, lower bound \+0\.\d{4} \(99\.5 % always-valid one-sided; α 0\.005 one-sided, tuned for \d+ examples, min effect 0\.05\)$/,
  );
  // The same kind of drop seen on too few examples to tell it from chance: no rollback.
  assert.equal(judgeLive('auc', single(40, 2.0, 14), single(40, 1.4, 15), design).kind, 'wait');
});

test('judge - constraints refuse a model too big or too slow before any shadow', () => {
  const limits = { modelSizeBytes: 1000, p99InferenceUs: 500 };
  assert.equal(constraintProblem({ sizeBytes: 1000, p99InferenceUs: 500 }, limits), null);
  assert.equal(
    constraintProblem({ sizeBytes: 1001, p99InferenceUs: null }, limits),
    'its artifact (1001 B) is over objective.constraints.model_size (1000 B)',
  );
  assert.equal(
    constraintProblem({ sizeBytes: 10, p99InferenceUs: 612.5 }, limits),
    'its p99 scoring time (612.5 µs) is over objective.constraints.p99_inference (500 µs)',
  );
});
