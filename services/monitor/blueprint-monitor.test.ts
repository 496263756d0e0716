import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { minimalBlueprint, minimalBlueprintOf } from '../lib/blueprint/test-blueprints.js';
import { decision, exampleRecord } from '../lib/joiner/test-records.js';
import type { Alert, Blueprint, Decision, Example } from '../lib/schemas/generated.js';
import { SeededRandom } from '../lib/learners/random.js';
import { buildProfile } from '../lib/monitoring/profile.js';
import { BlueprintMonitor } from './blueprint-monitor.js';
import type { ModelInfo } from './measures.js';
import { BlueprintAlerts } from './alert-rules.js';
import { metricRecords } from './metric-records.js';

const T0 = 1_750_000_000_000;

function blueprint(extra: Record<string, unknown> = {}): Blueprint {
  const result = compileBlueprint({
    ...minimalBlueprint(),
    features: { context: [{ name: 'hour', type: 'int' }] },
    monitoring: {
      guardrails: [{ name: 'unsubscribes', topic: 'app.unsubscribes', window: '1m' }],
      alerts: [
        { on: 'feature_drift', psi: 0.2 },
        { on: 'decide_p99', above: '10ms' },
        { on: 'guardrail', guardrail: 'unsubscribes', above: '10%' },
      ],
    },
    ...extra,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}

/** A model trained on hours 0..9 in equal shares, published at T0. */
const trainedHours = buildProfile(
  Array.from({ length: 1000 }, (_, i) => ({ hour: i % 10 })),
  [],
  ['hour'],
);
const models = new Map<string, ModelInfo>([
  [
    'notification_send/1',
    {
      createdAt: T0,
      parentVersion: null,
      metrics: { auc: 0.8 },
      profile: trainedHours,
      dataStartTs: null,
      dataEndTs: null,
    },
  ],
  [
    'notification_send/2',
    {
      createdAt: T0 + 1000,
      parentVersion: 'notification_send/1',
      metrics: { auc: 0.8 },
      profile: trainedHours,
      dataStartTs: null,
      dataEndTs: null,
    },
  ],
  [
    'notification_send/automl-3',
    {
      createdAt: T0 + 2000,
      parentVersion: null,
      metrics: { auc: 0.8 },
      profile: trainedHours,
      dataStartTs: null,
      dataEndTs: null,
    },
  ],
]);

function decisions(n: number, from: number, make: (i: number) => Partial<Decision>): Decision[] {
  return Array.from({ length: n }, (_, i) =>
    decision({ ts: from + i, modelVersion: 'notification_send/2', latencyUs: 1000, ...make(i) }),
  );
}

test('blueprint monitor - traffic, latency quantiles, fallbacks and model age over recent decisions', () => {
  const m = new BlueprintMonitor(blueprint(), (v) => models.get(v));
  for (const d of decisions(1000, T0, (i) => ({
    latencyUs: (i + 1) * 10,
    fallback: i % 10 === 0,
    features: { hour: i % 10 },
  })))
    m.observeDecision(d);
  const now = T0 + 999;
  const r = m.measure(now);
  assert.equal(r.decisions, 1000);
  assert.equal(r.requestRate, 1000 / 60, 'a thousand decisions within one second, over a one-minute window');
  assert.equal(r.decideP50Ms, 5);
  assert.equal(r.decideP99Ms, 9.9);
  assert.equal(r.fallbackRate, 0.1);
  assert.equal(r.modelVersion, 'notification_send/2');
  assert.equal(
    r.modelAgeS,
    0,
    'the newest decision came before the model was published (clock skew): age 0, never negative',
  );
  assert.deepEqual(
    r.features.map((f) => [f.name, f.psi, f.missingRate]),
    [['hour', 0, 0]],
    'the same hours as in training: no drift',
  );
});

test("blueprint monitor - a shifted feature shows its PSI against the serving model's profile", () => {
  const m = new BlueprintMonitor(blueprint(), (v) => models.get(v));
  for (const d of decisions(1000, T0, () => ({ features: { hour: 0 } }))) m.observeDecision(d);
  // All the mass in the first of ten equal bins: 0.9 ln(10) + 9 (1e-4 − 0.1) ln(1e-3)
  assert.ok(Math.abs(m.measure(T0 + 1000).features[0]!.psi! - 8.283089355027482) < 1e-9);
});

test('blueprint monitor - online quality and label rate from labelled examples, nothing below 200', () => {
  const m = new BlueprintMonitor(blueprint(), (v) => models.get(v));
  const example = (label: number, score: number): Example =>
    exampleRecord({
      label,
      labelSource: label === 1 ? 'outcome' : 'missing',
      modelVersion: 'notification_send/2',
      score,
      shadowScores: null,
    });
  m.observeDecision(decision({ ts: T0, modelVersion: 'notification_send/2' }));
  for (let i = 0; i < 199; i++) m.observeExample(example(i % 2, i % 2 === 1 ? 0.9 : 0.1));
  assert.deepEqual(m.measure(T0 + 1000).quality, {});
  m.observeExample(example(1, 0.9));
  const r = m.measure(T0 + 1000);
  assert.equal(r.quality['auc'], 1);
  assert.equal(r.labelRate, 100 / 200);
  // Perfect ranking but 0.9 said for positives and 0.1 for negatives: 0.1 off in each bin.
  assert.ok(Math.abs(r.quality['calibration_error']! - 0.1) < 1e-12);
  assert.ok(Math.abs(r.metricDrop! - (0.8 - 1)) < 1e-12, 'better online than when published: a negative drop');
  assert.deepEqual(
    r.models.map((x) => [x.source, x.model, x.examples, x.quality['auc']]),
    [['served', 'notification_send/1', 200, 1]],
    'a continuation counts in its lineage',
  );
});

test("blueprint monitor - a shadow's quality on the examples it scored, beside the serving lineage", () => {
  const m = new BlueprintMonitor(blueprint(), (v) => models.get(v));
  for (let i = 0; i < 300; i++) {
    const label = i % 2;
    m.observeExample(
      exampleRecord({
        decisionTs: T0 + i,
        label,
        modelVersion: 'notification_send/1',
        score: 0.5,
        shadowScores: { 'notification_send/automl-3': label === 1 ? 0.8 : 0.2 },
      }),
    );
  }
  const byModel = Object.fromEntries(
    m.measure(T0 + 300).models.map((x) => [`${x.source}:${x.model}`, x.quality['auc']]),
  );
  assert.deepEqual(byModel, { 'served:notification_send/1': 0.5, 'shadow:notification_send/automl-3': 1 });
  assert.deepEqual(m.measure(T0 + 300 + 10 * 60_000 + 1).models, [], 'models unseen for ten minutes are forgotten');
});

test('blueprint monitor - guardrail side effects per arm and model lineage, with the first lineage as baseline', () => {
  const bp = blueprint({
    experiment: { name: 'notif_v2', arms: { notification_send: '50%', notification_send_v2: '50%' } },
  });
  const m = new BlueprintMonitor(bp, (v) => models.get(v));
  for (let i = 0; i < 400; i++) {
    const arm = i % 2 === 0 ? 'notification_send' : 'notification_send_v2';
    const modelVersion =
      i < 200 ? (i % 4 === 0 ? 'notification_send/1' : 'notification_send/2') : 'notification_send/automl-3';
    m.observeDecision(decision({ entity: `u${i}`, ts: T0 + i, experimentArm: arm, modelVersion }));
    // Control users (even i) unsubscribe when i % 10 is 0: 1 in 5; v2 users when it is 1, 3 or 5: 3 in 5.
    if (i % 10 < (arm === 'notification_send_v2' ? 6 : 1)) m.observeGuardrail('unsubscribes', `u${i}`, T0 + i + 10, 1);
  }
  const r = m.measure(T0 + 400 + 60_001);
  const g = r.guardrails[0]!;
  assert.equal(g.pending, 0);
  const byGroup = Object.fromEntries(g.groups.map((x) => [`${x.kind}:${x.group}`, x]));
  assert.deepEqual(Object.keys(byGroup).sort(), [
    'arm:notification_send',
    'arm:notification_send_v2',
    'model:notification_send/1',
    'model:notification_send/automl-3',
  ]);
  assert.equal(byGroup['model:notification_send/1']!.decisions, 200, 'continuations count in their lineage');
  assert.equal(byGroup['model:notification_send/1']!.baseline, true);
  assert.equal(byGroup['arm:notification_send']!.baseline, true);
  const v2 = byGroup['arm:notification_send_v2']!;
  assert.ok(Math.abs(byGroup['arm:notification_send']!.rate - 0.2) < 1e-12);
  assert.ok(Math.abs(v2.rate - 0.6) < 1e-12);
  assert.ok(Math.abs(v2.relative! - 2) < 1e-12, 'three times the control rate');
  assert.equal(v2.degraded, true);

  const alerts = new BlueprintAlerts(bp);
  const guardrailAlerts = () => alerts.evaluate(r, () => 'a1').filter((a) => a.rule === 'guardrail');
  assert.deepEqual(guardrailAlerts(), []);
  const [raised] = guardrailAlerts();
  assert.equal(raised?.rule, 'guardrail');
  assert.equal(raised?.state, 'raised');
  assert.deepEqual(raised?.labels, {
    guardrail: 'unsubscribes',
    arm: 'notification_send_v2',
    key: 'guardrail:unsubscribes:arm:notification_send_v2',
  });
  assert.match(
    raised!.message,
    /^guardrail unsubscribes for arm notification_send_v2 rose against its baseline .* above 10\.0 %$/,
  );

  assert.deepEqual(r.arms.map((a) => [a.arm, a.decisions, a.examples, a.outcomePerDecision]).sort(), [
    ['notification_send', 200, 0, null],
    ['notification_send_v2', 200, 0, null],
  ]);
  const records = metricRecords(r).filter((x) => x.name === 'guardrail:unsubscribes');
  assert.deepEqual(records.map((x) => [x.experimentArm, x.modelVersion, x.count]).sort(), [
    [null, 'notification_send/1', 200],
    [null, 'notification_send/automl-3', 200],
    ['notification_send', null, 200],
    ['notification_send_v2', null, 200],
  ]);
});

test('blueprint monitor - a guardrail matched by decision id counts only against that decision', () => {
  const bp = blueprint({
    monitoring: { guardrails: [{ name: 'complaints', topic: 'app.complaints', match: 'decisionId', window: '1m' }] },
  });
  const m = new BlueprintMonitor(bp, (v) => models.get(v));
  m.observeDecision(decision({ decisionId: 'd1', entity: 'u1', ts: T0, modelVersion: 'notification_send/1' }));
  m.observeDecision(decision({ decisionId: 'd2', entity: 'u1', ts: T0 + 1, modelVersion: 'notification_send/1' }));
  m.observeGuardrail('complaints', 'd2', T0 + 5, 1);
  const [g] = m.measure(T0 + 60_002).guardrails;
  assert.deepEqual(
    g!.groups.map((x) => [x.group, x.decisions, x.rate]),
    [['notification_send/1', 2, 0.5]],
  );
});

test("blueprint monitor - drift waits until the model's examples span one label window, and says why", () => {
  const young: ModelInfo = {
    createdAt: T0,
    parentVersion: null,
    metrics: {},
    profile: trainedHours,
    dataStartTs: T0 - 5 * 60_000,
    dataEndTs: T0,
  };
  const m = new BlueprintMonitor(blueprint(), () => young);
  for (const d of decisions(1000, T0, () => ({ features: { hour: 0 } }))) m.observeDecision(d);
  const r = m.measure(T0 + 1000);
  assert.equal(r.features[0]!.psi, null);
  assert.equal(
    r.driftReference,
    "not yet: notification_send/2's examples span 5 min of decisions, less than one label window (30 min), so they over-represent decisions with early outcomes",
  );
  const grown = new BlueprintMonitor(blueprint(), () => ({ ...young, dataStartTs: T0 - 30 * 60_000 }));
  for (const d of decisions(1000, T0, () => ({ features: { hour: 0 } }))) grown.observeDecision(d);
  assert.ok(grown.measure(T0 + 1000).features[0]!.psi! > 8);
  assert.equal(
    grown.measure(T0 + 1000).driftReference,
    "the last 1000 decisions against notification_send/2's training profile (1000 examples)",
  );
});

test('blueprint monitor - a cyclic feature (hour of day with a period) gets no PSI: a recent window covers part of its cycle', () => {
  const bp = blueprint({ features: { context: [{ name: 'hour', type: 'int', period: 24 }] } });
  const m = new BlueprintMonitor(bp, (v) => models.get(v));
  for (const d of decisions(1000, T0, () => ({ features: { hour: 0 } }))) m.observeDecision(d);
  assert.deepEqual(m.measure(T0 + 1000).features, [{ name: 'hour', psi: null, missingRate: 0 }]);
});

test("blueprint monitor - each experiment arm's outcome per decision is the mean label of its examples", () => {
  const bp = blueprint({
    experiment: { name: 'notif_v2', arms: { notification_send: '50%', notification_send_v2: '50%' } },
  });
  const m = new BlueprintMonitor(bp, (v) => models.get(v));
  const labels: Record<string, number[]> = { notification_send: [1, 0, 0, 1], notification_send_v2: [0, 0, 1] };
  let i = 0;
  for (const [arm, values] of Object.entries(labels)) {
    for (const label of values) {
      m.observeDecision(decision({ entity: `u${i}`, ts: T0 + i, experimentArm: arm }));
      m.observeExample(exampleRecord({ label, experimentArm: arm }));
      i++;
    }
  }
  assert.deepEqual(
    m.measure(T0 + 10).arms.map((a) => [a.arm, a.decisions, a.examples, a.outcomePerDecision]),
    [
      ['notification_send', 4, 4, 0.5],
      ['notification_send_v2', 3, 3, 1 / 3],
    ],
  );
});

test('alert rules - a feature shift raises one alert per feature and clears it under the same id once it ends', () => {
  const bp = blueprint();
  const m = new BlueprintMonitor(bp, (v) => models.get(v));
  const alerts = new BlueprintAlerts(bp);
  let ids = 0;
  const tick = (now: number) => alerts.evaluate(m.measure(now), () => `alert-${++ids}`);
  let t = T0;
  const feed = (hour: (i: number) => number) => {
    for (const d of decisions(1000, t, (i) => ({ features: { hour: hour(i) } }))) m.observeDecision(d);
    t += 1000;
    return tick(t);
  };
  assert.deepEqual(
    feed((i) => i % 10),
    [],
  );
  assert.deepEqual(
    feed(() => 9),
    [],
    'one breaching tick is not enough',
  );
  const raised = feed(() => 9);
  assert.deepEqual(
    raised.map((a) => [a.alertId, a.rule, a.state, a.labels['feature']]),
    [['alert-1', 'feature_drift', 'raised', 'hour']],
  );
  assert.deepEqual(
    alerts.open().map((a) => a.alertId),
    ['alert-1'],
  );
  assert.deepEqual([feed((i) => i % 10), feed((i) => i % 10)], [[], []]);
  const cleared = feed((i) => i % 10);
  assert.deepEqual(
    cleared.map((a) => [a.alertId, a.state]),
    [['alert-1', 'cleared']],
  );
  assert.match(cleared[0]!.message, /^feature hour is back to normal: PSI 0\.000 \(it clears at PSI 0\.160\)$/);
  assert.deepEqual(alerts.open(), []);
});

test('alert rules - an alert open before a restart continues its episode and is not raised again', () => {
  const bp = blueprint();
  const m = new BlueprintMonitor(bp, (v) => models.get(v));
  const alerts = new BlueprintAlerts(bp);
  alerts.restore([
    {
      alertId: 'old',
      blueprint: bp.name,
      rule: 'decide_p99',
      state: 'raised',
      severity: 'critical',
      message: '',
      modelVersion: null,
      value: 20,
      threshold: 10,
      labels: { key: 'decide_p99' },
      ts: T0,
    },
  ]);
  for (const d of decisions(1000, T0, () => ({ latencyUs: 20_000, features: { hour: 1 } }))) m.observeDecision(d);
  assert.deepEqual(
    alerts.evaluate(m.measure(T0 + 1000), () => 'new').filter((a) => a.rule === 'decide_p99'),
    [],
  );
  const fast = new BlueprintMonitor(bp, (v) => models.get(v));
  for (const d of decisions(1000, T0, () => ({ latencyUs: 100 }))) fast.observeDecision(d);
  const changes = [1, 2, 3]
    .flatMap(() => alerts.evaluate(fast.measure(T0 + 1000), () => 'new'))
    .filter((a) => a.rule === 'decide_p99');
  assert.deepEqual(
    changes.map((a) => [a.alertId, a.state]),
    [['old', 'cleared']],
  );
});

/** A planning blueprint (rewards 0 or 1, missing 0) with the given alert rules and label window. */
function planning(alerts: unknown[], window = '30m'): Blueprint {
  const result = compileBlueprint({
    ...minimalBlueprintOf('planning'),
    label: { window, missing: 0 },
    monitoring: { alerts },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}

test('metric_drop - a lineage republished every 5 s while its reward declines raises against its go-live figure, which the newest version never shows', () => {
  const bp = planning([{ on: 'metric_drop', above: 0.02 }]);
  const published = new Map<string, ModelInfo>();
  const m = new BlueprintMonitor(bp, (v) => published.get(v));
  const alerts = new BlueprintAlerts(bp);
  const labels: number[] = [];
  let version = 'notification_send/1';
  let raised: Alert | undefined;
  let newestFigure = { published: 0, live: 0 };
  // Each tick: 100 decisions and their rewards, then the trainer publishes a continuation whose
  // figure is the mean of the last 1,000 rewards it learned — as the planning trainer does.
  for (let tick = 0; tick < 80 && raised === undefined; tick++) {
    const ts = T0 + 5000 * tick;
    const rate = Math.max(0.04, 0.1 - 0.001 * Math.max(0, tick - 15));
    for (let i = 0; i < 100; i++) {
      const label = i < Math.round(100 * rate) ? 1 : 0;
      labels.push(label);
      m.observeDecision(decision({ decisionId: `d${tick}-${i}`, ts: ts + i, modelVersion: version }));
      m.observeExample(
        exampleRecord({
          decisionId: `d${tick}-${i}`,
          decisionTs: ts + i,
          labelTs: ts + i,
          label,
          modelVersion: version,
        }),
      );
    }
    const recent = labels.slice(-1000);
    const parent = tick === 0 ? null : version;
    version = `notification_send/${tick + 1}`;
    published.set(version, {
      createdAt: ts + 4999,
      parentVersion: parent,
      metrics: { reward: recent.reduce((a, b) => a + b, 0) / recent.length, examples: labels.length },
      profile: null,
      dataStartTs: T0,
      dataEndTs: ts + 99,
    });
    m.observeDecision(decision({ decisionId: `p${tick}`, ts: ts + 4999, modelVersion: version }));
    const r = m.measure(ts + 4999);
    const live = r.models.find((x) => x.source === 'served')?.quality['reward'];
    if (live !== undefined) newestFigure = { published: published.get(version)!.metrics['reward']!, live };
    raised = alerts.evaluate(r, () => `alert-${tick}`).find((a) => a.rule === 'metric_drop');
  }
  assert.ok(raised !== undefined, 'metric_drop raised');
  assert.equal(raised.state, 'raised');
  // notification_send/10 is the first version whose figure rests on 1,000 rewards: all at 0.10.
  assert.deepEqual(raised.labels, {
    metric: 'reward',
    lineage: 'notification_send/1',
    reference: 'notification_send/10',
    key: 'metric_drop',
  });
  assert.match(
    raised.message,
    /^online reward of lineage notification_send\/1 dropped below what it showed when it went live \(reward 0\.1000, published with notification_send\/10\): 0\.02\d\d, above 0\.0200$/,
  );
  assert.ok(
    Math.abs(newestFigure.published - newestFigure.live) < 0.005,
    `the newest version's own figure moves with the decline: ${JSON.stringify(newestFigure)}`,
  );
});

test('quality_shift - on by default: raised for the serving lineage when its reward falls, with the figures before and after, and cleared on a new reference', () => {
  const bp = planning([], '1m');
  const m = new BlueprintMonitor(bp, (v) => models.get(v));
  const alerts = new BlueprintAlerts(bp);
  const r = new SeededRandom(11);
  let ids = 0;
  let ts = T0;
  const changes: Alert[] = [];
  const feed = (n: number, rate: number) => {
    for (let i = 0; i < n; i++, ts += 20) {
      m.observeExample(
        exampleRecord({
          decisionTs: ts,
          labelTs: ts + 1000,
          label: r.next() < rate ? 1 : 0,
          modelVersion: 'notification_send/2',
        }),
      );
      if (i % 500 === 499) changes.push(...alerts.evaluate(m.measure(ts + 1000), () => `alert-${++ids}`));
    }
  };
  feed(30_000, 0.1);
  assert.equal(changes.length, 0, 'no alert on a stationary reward');
  const watched = m.measure(ts).qualityShifts;
  assert.deepEqual(
    watched.map((q) => [q.lineage, q.modelVersion, q.quantity, q.state, q.shifts]),
    [['notification_send/1', 'notification_send/2', 'reward', 'watching', 0]],
  );
  const changedAt = ts;
  feed(6000, 0.05);
  assert.deepEqual(
    changes.map((a) => [a.rule, a.state, a.severity, a.alertId]),
    [
      ['quality_shift', 'raised', 'warning', 'alert-1'],
      ['quality_shift', 'cleared', 'warning', 'alert-1'],
    ],
  );
  const [raised, cleared] = [changes[0]!, changes[1]!];
  assert.equal(raised.modelVersion, 'notification_send/2');
  assert.deepEqual(Object.keys(raised.labels).sort(), [
    'changeAt',
    'examplesBefore',
    'examplesSince',
    'key',
    'lineage',
    'meanBefore',
    'meanSince',
    'metric',
  ]);
  assert.deepEqual(
    [raised.labels['key'], raised.labels['lineage'], raised.labels['metric']],
    ['quality_shift:notification_send/1', 'notification_send/1', 'reward'],
  );
  assert.ok(Math.abs(Number(raised.labels['meanBefore']) - 0.1) < 0.01);
  assert.ok(Number(raised.labels['meanSince']) < 0.075);
  const changeAt = Number(raised.labels['changeAt']);
  assert.ok(changeAt >= changedAt - 20 * 500 && changeAt <= raised.ts, `change placed at ${changeAt - changedAt} ms`);
  assert.equal(raised.threshold, 8);
  assert.match(
    raised.message,
    /^the reward per decision of lineage notification_send\/1 \(serving notification_send\/2\) fell: /,
  );
  assert.match(
    cleared.message,
    /^lineage notification_send\/1 is watched against a new reference: reward per decision 0\.0\d{3} /,
  );
  assert.deepEqual(alerts.open(), []);
});

test('quality_shift - an alert open before a restart clears once the lineage is watched again, or at once when it no longer serves', () => {
  const bp = planning([], '1m');
  const open = (lineage: string): Alert => ({
    alertId: `old-${lineage}`,
    blueprint: bp.name,
    rule: 'quality_shift',
    state: 'raised',
    severity: 'warning',
    message: '',
    modelVersion: lineage,
    value: 9,
    threshold: 8,
    labels: { key: `quality_shift:${lineage}`, lineage },
    ts: T0,
  });
  const alerts = new BlueprintAlerts(bp);
  alerts.restore([open('notification_send/1'), open('notification_send/automl-3')]);
  const m = new BlueprintMonitor(bp, (v) => models.get(v));
  const r = new SeededRandom(12);
  const seen: Alert[] = [];
  for (let i = 0; i < 2000; i++) {
    const ts = T0 + 100 * i;
    m.observeExample(
      exampleRecord({
        decisionTs: ts,
        labelTs: ts + 1000,
        label: r.next() < 0.1 ? 1 : 0,
        modelVersion: 'notification_send/2',
      }),
    );
    if (i % 100 === 99) seen.push(...alerts.evaluate(m.measure(ts + 1000), () => 'new'));
  }
  assert.deepEqual(
    seen.map((a) => [a.alertId, a.state]),
    [
      ['old-notification_send/automl-3', 'cleared'],
      ['old-notification_send/1', 'cleared'],
    ],
  );
  assert.equal(
    seen[0]!.message,
    'lineage notification_send/automl-3 no longer serves: its quality shift is no longer watched',
  );
  assert.deepEqual(alerts.open(), []);
});
