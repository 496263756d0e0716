// The monitor on multi-class and sequence blueprints (what it measures from the classes a decision
// returned and the probabilities it logged), and traffic per model version for any blueprint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { minimalBlueprint, minimalBlueprintOf, type RawBlueprint } from '../lib/blueprint/test-blueprints.js';
import { decision, exampleRecord } from '../lib/joiner/test-records.js';
import type { Blueprint, Example } from '../lib/schemas/generated.js';
import { BlueprintMonitor, MAX_PENDING_CLASS_DECISIONS } from './blueprint-monitor.js';
import type { ModelInfo } from './measures.js';
import { BlueprintAlerts } from './alert-rules.js';
import { metricRecords } from './metric-records.js';
import { overview } from './overview.js';

const T0 = 1_750_000_000_000;

function compiled(raw: RawBlueprint): Blueprint {
  const result = compileBlueprint(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}

/** Exact up to the rounding of summing 200 terms. */
function close(actual: Readonly<Record<string, number>>, expected: Record<string, number>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected))
    assert.ok(Math.abs(actual[k]! - v) <= 1e-12, `${k}: expected ${v}, got ${actual[k]}`);
}

const model = (metrics: Record<string, number>): ModelInfo => ({
  createdAt: T0,
  parentVersion: null,
  metrics,
  profile: null,
  dataStartTs: null,
  dataEndTs: null,
});

/** The example of decision d<i>, served by notification_send/1. */
function example(i: number, change: Partial<Example>): Example {
  return exampleRecord({ decisionId: `d${i}`, modelVersion: 'notification_send/1', ...change });
}

test('blueprint monitor - multi-class top_k over every class: log-loss from the logged probabilities, and its drop', () => {
  const bp = compiled({
    ...minimalBlueprintOf('classification'),
    label: { window: '30m', value: { field: 'class' } },
    decision: { policy: 'top_k', k: 3, actions: ['a', 'b', 'c'], default: 'a' },
    objective: { metric: 'logloss' },
  });
  const m = new BlueprintMonitor(bp, () => model({ logloss: 1, top1_accuracy: 0.6 }));
  // Every decision returns a, b, c with 0.5, 0.25, 0.25; half come true as a (rank 1, −ln 0.5), half as c (rank 3, −ln 0.25).
  for (let i = 0; i < 200; i++) {
    m.observeDecision(
      decision({
        decisionId: `d${i}`,
        ts: T0 + i,
        modelVersion: 'notification_send/1',
        ranking: ['a', 'b', 'c'],
        scores: { a: 0.5, b: 0.25, c: 0.25 },
      }),
    );
    m.observeExample(example(i, { labelClass: i % 2 === 0 ? 'a' : 'c', ranking: ['a', 'b', 'c'] }));
  }
  const r = m.measure(T0 + 1000);
  // (ln 2 + ln 4) / 2 = 1.5 ln 2; MRR (1 + 1/3) / 2.
  close(r.quality, { top1_accuracy: 0.5, topk_accuracy: 1, mrr: 2 / 3, logloss: 1.0397207708399179 });
  assert.equal(r.metricDropMetric, 'logloss');
  close({ drop: r.metricDrop! }, { drop: 0.0397207708399179 }); // log-loss rose over the published 1: a drop
  assert.deepEqual(
    r.models.map((x) => [x.source, x.model, x.examples, x.quality]),
    [['served', 'notification_send/1', 200, r.quality]],
  );
  // An example whose decision the monitor never saw (before its replay) counts for accuracy, not log-loss.
  m.observeExample(example(999, { labelClass: 'b', ranking: ['a', 'b', 'c'] }));
  const after = m.measure(T0 + 1000).quality;
  close({ top1: after.top1_accuracy!, logloss: after.logloss! }, { top1: 100 / 201, logloss: 1.0397207708399179 });
});

test('blueprint monitor - class probabilities wait for their example within bounds: new ones are not kept when full, old ones are forgotten', () => {
  const bp = compiled({
    ...minimalBlueprintOf('classification'),
    label: { window: '30m', value: { field: 'class' } },
    decision: { policy: 'top_k', k: 2, actions: ['a', 'b'], default: 'a' },
    objective: { metric: 'logloss' },
  });
  const full = new BlueprintMonitor(bp, () => undefined);
  const scored = (i: number, ts = T0) =>
    decision({ decisionId: `d${i}`, ts, ranking: ['a', 'b'], scores: { a: 0.5, b: 0.5 } });
  for (let i = 0; i < MAX_PENDING_CLASS_DECISIONS + 200; i++) full.observeDecision(scored(i));
  for (let i = MAX_PENDING_CLASS_DECISIONS; i < MAX_PENDING_CLASS_DECISIONS + 200; i++)
    full.observeExample(example(i, { labelClass: 'a', ranking: ['a', 'b'] }));
  assert.equal(
    full.measure(T0 + 1000).quality.logloss,
    undefined,
    'the 200 decisions past the bound kept no probabilities',
  );
  for (let i = 0; i < 200; i++) full.observeExample(example(i, { labelClass: 'a', ranking: ['a', 'b'] }));
  close({ logloss: full.measure(T0 + 1000).quality.logloss! }, { logloss: Math.LN2 });

  const late = new BlueprintMonitor(bp, () => undefined);
  for (let i = 0; i < 200; i++) late.observeDecision(scored(i));
  late.measure(T0 + 30 * 60_000 + 10 * 60_000 + 1); // the label window and ten minutes more: no example is coming
  for (let i = 0; i < 200; i++) late.observeExample(example(i, { labelClass: 'a', ranking: ['a', 'b'] }));
  const q = late.measure(T0 + 30 * 60_000 + 10 * 60_000 + 1).quality;
  assert.deepEqual([q.top1_accuracy, q.logloss], [1, undefined]);
});

test('blueprint monitor - a sequence with argmax gets top-1 accuracy and NDCG, and metric_drop watches top-1 accuracy instead of log-loss', () => {
  const bp = compiled({
    ...minimalBlueprintOf('sequence'),
    monitoring: { alerts: [{ on: 'metric_drop', above: 0.1 }] },
  });
  const m = new BlueprintMonitor(bp, () => model({ logloss: 2, top1_accuracy: 0.5 }));
  const alerts = new BlueprintAlerts(bp);
  for (let i = 0; i < 200; i++) {
    m.observeDecision(
      decision({
        decisionId: `d${i}`,
        ts: T0 + i,
        modelVersion: 'notification_send/1',
        ranking: ['home'],
        scores: { home: 0.4 },
      }),
    );
    m.observeExample(example(i, { labelClass: i % 4 === 0 ? 'home' : 'cart', ranking: ['home'] }));
  }
  const r = m.measure(T0 + 1000);
  assert.deepEqual(
    r.quality,
    { top1_accuracy: 0.25, topk_accuracy: 0.25, mrr: 0.25, ndcg: 0.25 },
    'no log-loss: the probability of "cart" was not logged',
  );
  assert.deepEqual([r.metricDropMetric, r.metricDrop], ['top1_accuracy', 0.25]);
  assert.match(m.qualityPlan.note!, /^logloss is not measured online/);
  const [, raised] = [alerts.evaluate(r, () => 'a1'), alerts.evaluate(r, () => 'a1')];
  assert.deepEqual(
    raised!.map((a) => [a.rule, a.state, a.labels['metric']]),
    [['metric_drop', 'raised', 'top1_accuracy']],
  );
  assert.equal(
    raised![0]!.message,
    'online top1_accuracy (standing in for logloss) of lineage notification_send/1 dropped below what it showed when it went live (top1_accuracy 0.5000, published with notification_send/1): 0.2500, above 0.1000',
  );
  const records = metricRecords(r).filter((x) => x.name === 'metric_drop');
  assert.deepEqual(
    records.map((x) => [x.value, x.labels]),
    [[0.25, { metric: 'top1_accuracy', reference: 'notification_send/1' }]],
  );
  const view = overview(
    {
      blueprints: new Map([[bp.name, bp]]),
      deployments: new Map(),
      transitions: new Map(),
      measures: new Map([[bp.name, r]]),
      searches: new Map(),
      openAlerts: [],
      clearedAlerts: [],
      lag: [],
      lateness: [],
    },
    T0,
    5000,
  );
  const shown = view.blueprints[0]!;
  assert.deepEqual(
    [shown.qualityPlan.headline, shown.qualityPlan.metrics],
    ['top1_accuracy', ['top1_accuracy', 'topk_accuracy', 'mrr', 'ndcg']],
  );
  assert.equal(shown.qualityPlan.note, m.qualityPlan.note);
  assert.deepEqual([shown.current!.metricDrop, shown.current!.metricDropMetric], [0.25, 'top1_accuracy']);
});

test('blueprint monitor - planning reward is better when higher: a lower live reward is a positive drop', () => {
  const bp = compiled({
    ...minimalBlueprint(),
    task: 'planning',
    decision: { policy: 'epsilon_greedy', epsilon: 0.1, actions: ['a', 'b'], default: 'a' },
  });
  const m = new BlueprintMonitor(bp, () => model({ reward: 0.75 }));
  m.observeDecision(decision({ ts: T0, modelVersion: 'notification_send/1' }));
  for (let i = 0; i < 200; i++) m.observeExample(example(i, { label: i % 2, score: 0.5 }));
  const r = m.measure(T0 + 1000);
  assert.deepEqual(r.quality, { reward: 0.5 });
  assert.deepEqual([r.metricDropMetric, r.metricDrop], ['reward', 0.25]);
});

test('blueprint monitor - traffic, latency and fallbacks per model version, on looper.metrics and in the overview', () => {
  const bp = compiled(minimalBlueprint());
  const m = new BlueprintMonitor(bp, () => undefined);
  for (let i = 0; i < 300; i++)
    m.observeDecision(
      decision({ ts: T0 + i, modelVersion: 'notification_send/1', latencyUs: (i + 1) * 10, fallback: i % 10 === 0 }),
    );
  for (let i = 0; i < 100; i++)
    m.observeDecision(decision({ ts: T0 + 300 + i, modelVersion: 'notification_send/2', latencyUs: 500 }));
  for (let i = 0; i < 50; i++)
    m.observeDecision(decision({ ts: T0 + 400 + i, modelVersion: null, latencyUs: 200, fallback: true }));
  const r = m.measure(T0 + 999);
  assert.deepEqual(
    r.versions.map((v) => [v.modelVersion, v.decisions, v.requestRate, v.decideP50Ms, v.decideP99Ms, v.fallbackRate]),
    [
      [null, 50, 50 / 60, 0.2, null, 1],
      ['notification_send/2', 100, 100 / 60, 0.5, null, 0],
      ['notification_send/1', 300, 300 / 60, 1.5, 2.97, 0.1],
    ],
  );
  const perVersion = metricRecords(r).filter((x) => x.labels['breakdown'] === 'model_version');
  assert.deepEqual(
    perVersion
      .filter((x) => x.modelVersion === 'notification_send/2')
      .map((x) => [x.name, x.value, x.count, x.windowMs]),
    [
      ['request_rate', 100 / 60, 100, 60_000],
      ['decide_p50_ms', 0.5, 100, 600_000],
      ['fallback_rate', 0, 100, 600_000],
    ],
  );
  assert.deepEqual(
    perVersion.filter((x) => x.name === 'decide_p99_ms').map((x) => [x.modelVersion, x.value]),
    [['notification_send/1', 2.97]],
  );
  const blueprintWide = metricRecords(r).filter(
    (x) => x.name === 'request_rate' && x.labels['breakdown'] === undefined,
  );
  assert.deepEqual(
    blueprintWide.map((x) => [x.modelVersion, x.value]),
    [[null, 450 / 60]],
  );
  const view = overview(
    {
      blueprints: new Map([[bp.name, bp]]),
      deployments: new Map(),
      transitions: new Map(),
      measures: new Map([[bp.name, r]]),
      searches: new Map(),
      openAlerts: [],
      clearedAlerts: [],
      lag: [],
      lateness: [],
    },
    T0,
    5000,
  );
  assert.deepEqual(view.blueprints[0]!.current!.versions[0], {
    modelVersion: null,
    decisions: 50,
    requestRate: 0.83,
    decideP50Ms: 0.2,
    decideP99Ms: null,
    fallbackRate: 1,
  });
});
