import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { minimalBlueprint } from '../lib/blueprint/test-blueprints.js';
import { initialDeployment, toLive, toRetired, toShadow } from '../lib/rollout/transitions.js';
import { age, describeDeployment, type ModelFacts } from './status-report.js';

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
      '  live      bp/1 (gbdt, trained, auc 0.8000 online, 2 min old)',
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
    '  serving   bp/2 (gbdt, trained, auc 0.7000 online, 0 s old) (newest trained version: nothing deployed yet)',
  );
  assert.equal(
    describeDeployment({ bp, current: null, records: [], served: null, models, now: T, historyLimit: 10 }).split(
      '\n',
    )[1],
    '  serving   — (no model yet: the default decision answers)',
  );
  assert.deepEqual(
    [age(59_000), age(61_000), age(5_400_000), age(2 * 86_400_000)],
    ['59 s', '1 min', '1.5 h', '2.0 d'],
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
