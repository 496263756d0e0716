import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { minimalBlueprint, minimalBlueprintOf, type RawBlueprint } from '../lib/blueprint/test-blueprints.js';
import type { Alert, Blueprint, Metric } from '../lib/schemas/generated.js';
import { describeConsumerLag, describeMonitoring, newestMetrics, openAlerts } from './monitoring-report.js';

const T0 = 1_750_000_000_000;
const metric = (name: string, value: number, ts = T0, extra: Partial<Metric> = {}): Metric => ({
  blueprint: 'notification_send',
  modelVersion: null,
  experimentArm: null,
  name,
  value,
  windowMs: 600_000,
  count: 1000,
  ts,
  labels: {},
  ...extra,
});
const alert = (alertId: string, state: 'raised' | 'cleared', ts: number): Alert => ({
  alertId,
  blueprint: 'notification_send',
  rule: 'feature_drift',
  state,
  severity: 'warning',
  message: `hour drifted (${alertId})`,
  modelVersion: null,
  value: 0.4,
  threshold: 0.2,
  labels: {},
  ts,
});
function compiled(raw: RawBlueprint): Blueprint {
  const result = compileBlueprint(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}
const classifier = compiled(minimalBlueprint());
const perVersion = { breakdown: 'model_version' };

test('monitoring report - the newest blueprint-wide value of each metric, arms, versions and guardrails aside', () => {
  const newest = newestMetrics(
    [
      metric('auc', 0.7, T0),
      metric('auc', 0.72, T0 + 5000),
      metric('auc', 0.9, T0 + 9000, { experimentArm: 'b' }),
      metric('guardrail:unsubscribes', 0.1),
      metric('auc', 0.5, T0, { blueprint: 'other' }),
      metric('request_rate', 3, T0 + 9000, { modelVersion: 'notification_send/2', labels: perVersion }),
    ],
    'notification_send',
  );
  assert.deepEqual(
    [...newest.entries()].map(([k, m]) => [k, m.value]),
    [['auc', 0.72]],
  );
});

test('monitoring report - an alert is open until a record with its id clears it', () => {
  assert.deepEqual(
    openAlerts([alert('a', 'raised', T0), alert('b', 'raised', T0 + 1), alert('a', 'cleared', T0 + 2)]).map(
      (a) => a.alertId,
    ),
    ['b'],
  );
});

test('monitoring report - traffic, quality, drift, model age and open alerts as lines', () => {
  const metrics = [
    metric('request_rate', 45.83),
    metric('decide_p50_ms', 0.41),
    metric('decide_p99_ms', 1.234),
    metric('fallback_rate', 0.012),
    metric('auc', 0.73126),
    metric('label_rate', 0.25),
    metric('psi:hour', 0.0213, T0, { labels: { feature: 'hour' } }),
    metric('prediction_psi', 0.013),
    metric('model_age_s', 95, T0, { modelVersion: 'notification_send/9' }),
  ];
  assert.deepEqual(describeMonitoring(classifier, metrics, [alert('b', 'raised', T0 - 120_000)], T0 + 12_000), [
    '  traffic   45.8 decisions/s, p50 0.41 ms, p99 1.23 ms, fallbacks 1.2 % (measured 12 s ago)',
    '  quality   auc 0.7313 on recent labelled examples; 25.0 % of decisions got an outcome',
    '  drift     PSI hour 0.021, score 0.013 (above 0.2: drifted)',
    '  model age 2 min (notification_send/9)',
    '  ALERT     warning feature_drift: hour drifted (b) (since 2 min ago)',
  ]);
});

test('monitoring report - a sequence shows the class metrics the monitor published, why its objective is not among them, and the stand-in drop', () => {
  const sequence = compiled({ ...minimalBlueprintOf('sequence'), blueprint: 'notification_send' });
  const metrics = [
    metric('request_rate', 2),
    metric('top1_accuracy', 0.25),
    metric('topk_accuracy', 0.25),
    metric('mrr', 0.25),
    metric('ndcg', 0.25),
    metric('metric_drop', 0.05, T0, { modelVersion: 'notification_send/4', labels: { metric: 'top1_accuracy' } }),
  ];
  const lines = describeMonitoring(sequence, metrics, [], T0);
  assert.equal(
    lines[1],
    '  quality   top1 accuracy 0.2500, topk accuracy 0.2500, mrr 0.2500, ndcg 0.2500 on recent labelled examples; top1 accuracy 0.0500 worse than when notification_send/4 was published',
  );
  assert.match(
    lines[2]!,
    /^ {2}note {6}logloss is not measured online: a decision logs the probability of the one class returned \(policy argmax\) only/,
  );
});

test('monitoring report - planning shows its reward, ranking its NDCG and MRR', () => {
  const planning = compiled({
    ...minimalBlueprint(),
    task: 'planning',
    decision: { policy: 'epsilon_greedy', epsilon: 0.1, actions: ['a', 'b'], default: 'a' },
  });
  assert.equal(
    describeMonitoring(planning, [metric('reward', 0.42)], [], T0)[1],
    '  quality   reward 0.4200 on recent labelled examples',
  );
  const ranking = compiled({ ...minimalBlueprintOf('ranking'), blueprint: 'notification_send' });
  assert.equal(
    describeMonitoring(ranking, [metric('auc', 0.7), metric('mrr', 0.5), metric('ndcg', 0.61)], [], T0)[1],
    '  quality   ndcg 0.6100, mrr 0.5000, auc 0.7000 on recent labelled examples',
  );
});

test("monitoring report - one line per model version of the monitor's last tick", () => {
  const version = (name: string, value: number, modelVersion: string | null, ts = T0) =>
    metric(name, value, ts, { modelVersion, labels: perVersion });
  const metrics = [
    metric('request_rate', 3),
    version('request_rate', 9, 'notification_send/1', T0 - 5000), // an older tick: that version has stopped answering
    version('request_rate', 2.5, 'notification_send/2'),
    version('decide_p50_ms', 0.5, 'notification_send/2'),
    version('fallback_rate', 0, 'notification_send/2'),
    version('request_rate', 0.5, null),
    version('decide_p50_ms', 0.25, null),
    version('fallback_rate', 1, null),
  ];
  assert.deepEqual(describeMonitoring(classifier, metrics, [], T0).slice(0, 3), [
    '  traffic   3.0 decisions/s (measured 0 s ago)',
    '  version   notification_send/2: 2.5 decisions/s, p50 0.50 ms, fallbacks 0.0 %',
    '  version   none (the default decided): 0.5 decisions/s, p50 0.25 ms, fallbacks 100.0 %',
  ]);
});

test('monitoring report - guardrails per arm and model lineage with the significance the monitor computed', () => {
  const guardrail = (value: number, count: number, group: Partial<Metric>, labels: Record<string, string>) =>
    metric('guardrail:unsubscribes', value, T0, {
      windowMs: 60_000,
      count,
      ...group,
      labels: { guardrail: 'unsubscribes', ...labels },
    });
  const metrics = [
    metric('request_rate', 3),
    guardrail(0.2, 200, { experimentArm: 'notification_send' }, { baseline: 'true' }),
    guardrail(
      0.6,
      200,
      { experimentArm: 'notification_send_v2' },
      { baseline: 'false', z: '6.325', relative: '2.0000' },
    ),
    guardrail(
      0.21,
      150,
      { modelVersion: 'notification_send/automl-3' },
      { baseline: 'false', z: '0.412', relative: '0.0500' },
    ),
    guardrail(0.5, 40, { modelVersion: 'notification_send/automl-4' }, { baseline: 'false' }),
  ];
  assert.deepEqual(describeMonitoring(classifier, metrics, [], T0).slice(2, 7), [
    '  guardrail unsubscribes, per decision within 1 min of it:',
    '            arm notification_send 0.2000 (200 decisions, baseline)',
    '            arm notification_send_v2 0.6000 (200 decisions): +200.0 % vs baseline, z 6.33, significantly worse',
    '            model notification_send/automl-3 0.2100 (150 decisions): +5.0 % vs baseline, z 0.41, no clear difference',
    '            model notification_send/automl-4 0.5000 (40 decisions)',
  ]);
});

test('monitoring report - says so when the monitor measured nothing lately', () => {
  assert.deepEqual(describeMonitoring(classifier, [], [], T0), [
    '  monitor   no measures in the last 2 min: is the monitor running? (looper up starts it)',
    '  alerts    none open',
  ]);
});

test("monitoring report - consumer lag per service group from the monitor's last measure", () => {
  const lag = (group: string, topic: string, value: number, ts = T0) =>
    metric('consumer_lag', value, ts, { blueprint: '*', windowMs: 0, count: 1, labels: { group, topic } });
  const metrics = [
    lag('looper-joiner', 'looper.outcomes', 99, T0 - 15_000),
    lag('looper-joiner', 'looper.outcomes', 12),
    lag('looper-joiner', 'looper.decisions', 0),
    lag('looper-trainer', 'looper.examples', 3),
  ];
  assert.deepEqual(describeConsumerLag(metrics, T0 + 4000), [
    'consumer lag (records not read yet, measured 4 s ago):',
    '  looper-joiner   looper.decisions 0, looper.outcomes 12',
    '  looper-trainer  looper.examples 3',
  ]);
  assert.deepEqual(describeConsumerLag([], T0), ['consumer lag: not reported in the last 2 min']);
});
