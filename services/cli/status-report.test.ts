import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { minimalBlueprint, minimalBlueprintOf } from '../lib/blueprint/test-blueprints.js';
import { initialDeployment, toLive, toRetired, toShadow } from '../lib/rollout/transitions.js';
import { age, describeDeployment, lineageOf, servingVersionOf, type ModelFacts } from './status-report.js';
import { describeMonitoring } from './monitoring-report.js';
import type { Metric } from '../lib/schemas/generated.js';

const compiled = compileBlueprint(minimalBlueprint());
assert.ok(compiled.ok);
const bp = { ...compiled.blueprint, version: 3 };
const T = Date.UTC(2026, 10, 28, 12, 0, 0);
const model = (
  modelVersion: string,
  role: 'candidate' | 'trained',
  auc: number,
  createdAt: number,
  parentVersion: string | null = null,
): ModelFacts => ({
  modelVersion,
  blueprint: bp.name,
  role,
  sequence: 1,
  parentVersion,
  family: 'gbdt',
  metrics: { auc },
  createdAt,
  sizeBytes: 1000,
  p99InferenceUs: 1,
});

test('status - the deployment, what serves, and the transitions newest first with their reasons', () => {
  const d1 = toLive(initialDeployment(bp.name), 'bp/1', 'first model', T);
  const d2 = toShadow(d1, 'bp/automl-2', 'new candidate', T + 1000);
  const d3 = toRetired(d2, 'bp/automl-2', 'rejected: no better', T + 2000);
  const models = new Map([
    ['bp/1', model('bp/1', 'trained', 0.8, T - 60_000)],
    ['bp/4', model('bp/4', 'trained', 0.81, T + 3000, 'bp/1')],
  ]);
  const text = describeDeployment({
    bp,
    current: d3,
    records: [d1, d2, d3],
    served: 'bp/4',
    models,
    now: T + 63_000,
    historyLimit: 2,
  });
  assert.equal(
    text,
    [
      'notification_send v3 — classification, judged by auc',
      '  live      bp/1 (gbdt, trained, auc 0.8000 online, 2.1 min old)',
      '  serving   bp/4 (gbdt, trained, auc 0.8100 online, 1 min old) — continues bp/1',
      '  retired   bp/automl-2',
      '  history (newest first):',
      '    2026-11-28 12:00:02  bp/automl-2  shadow → retired: rejected: no better',
      '    2026-11-28 12:00:01  bp/automl-2  none → shadow: new candidate',
    ].join('\n'),
  );
});

test('status - before any deployment, the newest trained version or the default', () => {
  const models = new Map([['bp/2', model('bp/2', 'trained', 0.7, T)]]);
  assert.equal(
    describeDeployment({ bp, current: null, records: [], served: 'bp/2', models, now: T, historyLimit: 10 }).split(
      '\n',
    )[1],
    '  serving   bp/2 (gbdt, trained, auc 0.7000 online, 0 ms old) — the newest trained version; nothing deployed',
  );
  assert.equal(
    describeDeployment({ bp, current: null, records: [], served: null, models, now: T, historyLimit: 10 }).split(
      '\n',
    )[1],
    '  serving   — (no model yet: the default decision answers)',
  );
  assert.deepEqual(
    [age(59_000), age(61_000), age(5_400_000), age(2 * 86_400_000), age(-5_000)],
    ['59 s', '1 min', '1.5 h', '2 d', '0 ms'],
  );
});

test('status - apprentice mode: who decides, and how often the model agrees', () => {
  const apprenticeBp = { ...bp, apprentice: { takeOverAt: 0.9, minDecisions: 1000 } };
  const learning = describeDeployment({
    bp: apprenticeBp,
    current: null,
    records: [],
    served: null,
    models: new Map(),
    now: T,
    historyLimit: 10,
    agreement: { share: 0.874, count: 1000 },
  });
  assert.equal(
    learning.split('\n')[1],
    "  apprentice the caller's decisions answer until the model agrees on 90 % of 1000 decisions; it agrees on 87.4 % of the last 1000",
  );
  const took = { ...toLive(initialDeployment(bp.name), 'bp/1', 'first', T), tookOverAt: T - 120_000 };
  assert.equal(
    describeDeployment({
      bp: apprenticeBp,
      current: took,
      records: [took],
      served: 'bp/1',
      models: new Map(),
      now: T,
      historyLimit: 10,
    }).split('\n')[1],
    '  apprentice the model took over 2 min ago',
  );
});

test('status - a deployment without a live version says what serves instead, and never that a missing model serves', () => {
  const d1 = toShadow(initialDeployment(bp.name), 'bp/automl-1', 'new candidate', T);
  const models = new Map([
    ['bp/2', model('bp/2', 'trained', 0.7, T)],
    ['bp/automl-1', model('bp/automl-1', 'candidate', 0.72, T)],
  ]);
  const lines = (served: string | null) =>
    describeDeployment({ bp, current: d1, records: [d1], served, models, now: T, historyLimit: 0 })
      .split('\n')
      .filter((l) => !l.startsWith('  history') && !l.startsWith('    '))
      .slice(1);
  assert.deepEqual(lines('bp/2'), [
    '  live      — (nothing deployed live: the newest trained version serves)',
    '  serving   bp/2 (gbdt, trained, auc 0.7000 online, 0 ms old) — the newest trained version',
    '  shadow    bp/automl-1 (gbdt, candidate, auc 0.7200 offline, 0 ms old)',
  ]);
  assert.deepEqual(lines(null), [
    '  live      — (no model yet: the default decision answers)',
    '  shadow    bp/automl-1 (gbdt, candidate, auc 0.7200 offline, 0 ms old)',
  ]);
});

test('status - a serving version that does not continue live says why it serves instead', () => {
  // bp/7 went live, but it continues bp/automl-2, retired since: the serving rule passes over it.
  const d1 = toLive(initialDeployment(bp.name), 'bp/7', 'continuation', T);
  const d2 = { ...d1, retired: ['bp/automl-2'] };
  const models = new Map([
    ['bp/automl-2', model('bp/automl-2', 'candidate', 0.7, T - 60_000)],
    ['bp/7', model('bp/7', 'trained', 0.71, T - 30_000, 'bp/automl-2')],
    ['bp/6', model('bp/6', 'trained', 0.69, T - 40_000)],
  ]);
  assert.equal(
    describeDeployment({ bp, current: d2, records: [d2], served: 'bp/6', models, now: T, historyLimit: 0 }).split(
      '\n',
    )[2],
    '  serving   bp/6 (gbdt, trained, auc 0.6900 online, 40 s old) — the newest trained version, as live bp/7 is retired',
  );
});

test('status - after a rollback the quality line names and measures the version the serving line names', () => {
  const d1 = toLive(initialDeployment(bp.name), 'bp/1', 'first model', T);
  const d2 = toLive(d1, 'bp/automl-2', 'better than live', T + 1000);
  const d3 = toRetired(d2, 'bp/automl-2', 'rolled back to bp/1: dropped', T + 2000);
  const models = new Map([
    ['bp/1', model('bp/1', 'trained', 0.8, T - 60_000)],
    ['bp/automl-2', model('bp/automl-2', 'candidate', 0.84, T)],
    ['bp/4', model('bp/4', 'trained', 0.79, T - 30_000, 'bp/1')],
    ['bp/5', model('bp/5', 'trained', 0.78, T + 3000, 'bp/4')],
  ]);
  const served = 'bp/5';
  assert.equal(lineageOf(served, models), 'bp/1');
  assert.deepEqual(servingVersionOf(served, models), { version: 'bp/5', lineage: 'bp/1', published: { auc: 0.78 } });
  assert.equal(servingVersionOf(null, models), null);
  const deployment = describeDeployment({
    bp,
    current: d3,
    records: [d1, d2, d3],
    served,
    models,
    now: T + 63_000,
    historyLimit: 1,
  });
  assert.deepEqual(deployment.split('\n').slice(1, 5), [
    '  live      bp/1 (gbdt, trained, auc 0.8000 online, 2.1 min old)',
    '  serving   bp/5 (gbdt, trained, auc 0.7800 online, 1 min old) — continues bp/1',
    '  retired   bp/automl-2',
    '  history (newest first):',
  ]);
  // The monitor last saw bp/automl-2 decide: its blueprint-wide figures and metric_drop are about that one.
  const metric = (name: string, value: number, extra: Partial<Metric> = {}): Metric => ({
    blueprint: bp.name,
    modelVersion: null,
    experimentArm: null,
    name,
    value,
    windowMs: 600_000,
    count: 1000,
    ts: T + 60_000,
    labels: {},
    ...extra,
  });
  const metrics = [
    metric('request_rate', 3),
    metric('auc', 0.6),
    metric('metric_drop', 0.24, { modelVersion: 'bp/automl-2', labels: { metric: 'auc' } }),
    metric('auc', 0.81, { modelVersion: 'bp/1', labels: { source: 'served' } }),
    metric('auc', 0.55, { modelVersion: 'bp/automl-2', labels: { source: 'served' } }),
  ];
  assert.equal(
    describeMonitoring(bp, metrics, [], T + 63_000, servingVersionOf(served, models))[1],
    '  quality   bp/5: auc 0.8100 on the recent labelled examples its lineage answered; auc better by 0.0300 than when bp/5 was published',
  );
});

test("status - an estimation blueprint shows its own metrics: rmse where it serves, better when it fell, no drift below the alert's PSI", () => {
  const estimation = compileBlueprint({ ...minimalBlueprintOf('estimation'), objective: { metric: 'rmse' } });
  assert.ok(estimation.ok);
  const estimator = { ...estimation.blueprint, version: 2 };
  const linear = (modelVersion: string, rmse: number, createdAt: number, parentVersion: string | null = null) => ({
    ...model(modelVersion, 'trained', 0, createdAt, parentVersion),
    family: 'linear',
    metrics: { examples: 5000, rmse, mae: rmse * 0.8 },
  });
  const models = new Map([
    ['bp/1', linear('bp/1', 41.2, T - 120_000)],
    ['bp/2', linear('bp/2', 38.9, T - 60_000, 'bp/1')],
  ]);
  const d1 = toLive(initialDeployment(estimator.name), 'bp/1', 'first model', T - 120_000);
  assert.equal(
    describeDeployment({ bp: estimator, current: d1, records: [d1], served: 'bp/2', models, now: T, historyLimit: 0 }),
    [
      'notification_send v2 — estimation, judged by rmse',
      '  live      bp/1 (linear, trained, rmse 41.2000 online, 2 min old)',
      '  serving   bp/2 (linear, trained, rmse 38.9000 online, 1 min old) — continues bp/1',
    ].join('\n'),
  );
  const metric = (name: string, value: number, extra: Partial<Metric> = {}): Metric => ({
    blueprint: estimator.name,
    modelVersion: null,
    experimentArm: null,
    name,
    value,
    windowMs: 600_000,
    count: 1000,
    ts: T,
    labels: {},
    ...extra,
  });
  const served = { modelVersion: 'bp/1', labels: { source: 'served' } };
  const lines = describeMonitoring(
    estimator,
    [
      metric('request_rate', 3),
      metric('rmse', 36.4),
      metric('mae', 29.1),
      metric('rmse', 35.2, served),
      metric('mae', 28.0, served),
      metric('prediction_psi', 0.031),
    ],
    [],
    T,
    servingVersionOf('bp/2', models),
  );
  assert.deepEqual(lines.slice(1, 3), [
    '  quality   bp/2: rmse 35.2000, mae 28.0000 on the recent labelled examples its lineage answered; rmse better by 3.7000 than when bp/2 was published',
    '  drift     PSI score 0.031',
  ]);
});
