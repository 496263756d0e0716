import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { minimalBlueprint, minimalBlueprintOf, type RawBlueprint } from '../lib/blueprint/test-blueprints.js';
import type { Alert, Blueprint, Metric } from '../lib/schemas/generated.js';
import {
  changeSincePublished,
  describeConsumerLag,
  describeMonitoring,
  latenessLines,
  newestMetrics,
  openAlerts,
} from './monitoring-report.js';
import { latenessRecords } from '../lib/monitoring/lateness.js';

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
    '  drift     PSI hour 0.021, score 0.013',
    '  model age 1.6 min (notification_send/9)',
    '  ALERT     warning feature_drift: hour drifted (b) (since 2.2 min ago)',
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
    '  quality   top1 accuracy 0.2500, topk accuracy 0.2500, mrr 0.2500, ndcg 0.2500 on recent labelled examples; top1 accuracy worse by 0.0500 than when notification_send/4 was published',
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
    '  traffic   3.0 decisions/s (measured 0 ms ago)',
    '  version   notification_send/2: 2.5 decisions/s, p50 0.50 ms, fallbacks 0.0 %',
    '  version   none (the default decided): 0.5 decisions/s, p50 0.25 ms, fallbacks 100.0 %',
  ]);
});

test('monitoring report - guardrails per arm and model lineage, judged by the always-valid bound the monitor alerts on', () => {
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
    guardrail(0.2, 200, { modelVersion: 'notification_send/1' }, { baseline: 'true' }),
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
  // arm v2: se 0.4/6.325 at 400 decisions, 5.27 se to the bound; automl-3: se 0.01/0.412 at 350.
  assert.deepEqual(describeMonitoring(classifier, metrics, [], T0).slice(2, 8), [
    '  guardrail unsubscribes, per decision within 1 min of it:',
    '            arm notification_send 0.2000 (200 decisions, baseline)',
    '            model notification_send/1 0.2000 (200 decisions, baseline)',
    '            arm notification_send_v2 0.6000 (200 decisions): +200.0 % vs baseline, difference +0.4000, 99.5 % always-valid one-sided lower bound +0.0665, significantly worse',
    '            model notification_send/automl-3 0.2100 (150 decisions): +5.0 % vs baseline, difference +0.0100, 99.5 % always-valid one-sided lower bound −0.1235, no clear difference',
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

test("monitoring report - each stream feature's late events from the features service's reports, and a warning over 1 %", () => {
  const withStreams = compiled({
    ...minimalBlueprint(),
    features: {
      streams: [
        { name: 'opens_1d', topic: 'app.opens', aggregate: 'count', window: '1d' },
        { name: 'buys_1d', topic: 'app.buys', aggregate: 'count', window: '1d', lateness: '0s' },
        { name: 'quiet_1d', topic: 'app.quiet', aggregate: 'count', window: '1d' },
      ],
    },
  });
  const report = (feature: string, topic: string, latenessMs: number, ts: number, events: number, late: number[]) =>
    latenessRecords(
      [
        {
          blueprint: 'notification_send',
          feature,
          topic,
          latenessMs,
          counts: { inOrder: events - late[0]! - late[1]!, lateApplied: late[0]!, lateDropped: late[1]! },
        },
      ],
      ts,
      10_000,
      '0',
    );
  const metrics = [
    ...report('opens_1d', 'app.opens', 5000, T0 - 10_000, 1200, [10, 0]),
    ...report('opens_1d', 'app.opens', 5000, T0, 2000, [4, 0]),
    ...report('buys_1d', 'app.buys', 0, T0, 1000, [0, 40]),
    // Older than the 2-minute window.
    ...report('opens_1d', 'app.opens', 5000, T0 - 130_000, 1000, [0, 1000]),
  ];
  assert.deepEqual(latenessLines(withStreams, metrics, T0 + 1000), [
    '  lateness  opens_1d: 3,200 events in 2 min, 14 late but counted, 0 dropped as too late (lateness 5s)',
    '  lateness  buys_1d: 1,000 events in 2 min, 0 late but counted, 40 dropped as too late (4.0 %) (lateness 0ms)',
    '  WARNING   feature buys_1d (topic app.buys) lost 4.0 % of its events to lateness: 40 of 1,000 in the last 2 min arrived more than its lateness 0ms behind the newest event of their partition and were not counted; raise lateness on the feature, or find the producer whose events lag (its clock, or what it does before sending)',
  ]);
  assert.deepEqual(latenessLines(withStreams, [], T0), [
    '  lateness  no events on its stream topics reported in the last 2 min',
  ]);
  assert.deepEqual(latenessLines(classifier, metrics, T0), [], 'no stream features: nothing to say');
  // The reports are not the monitor's measures: without those, the monitor is still missing.
  assert.deepEqual(describeMonitoring(withStreams, metrics, [], T0 + 1000).slice(0, 2), [
    '  monitor   no measures in the last 2 min: is the monitor running? (looper up starts it)',
    '  lateness  opens_1d: 3,200 events in 2 min, 14 late but counted, 0 dropped as too late (lateness 5s)',
  ]);
});

test('monitoring report - a change since publication reads better or worse by its size, whichever way the metric points', () => {
  const estimator = compiled({
    ...minimalBlueprintOf('estimation'),
    objective: { metric: 'rmse' },
    automl: { families: ['linear'] },
  });
  const line = (drop: number) =>
    describeMonitoring(
      estimator,
      [
        metric('rmse', 3.1),
        metric('metric_drop', drop, T0, { modelVersion: 'notification_send/28', labels: { metric: 'rmse' } }),
      ],
      [],
      T0,
    )[1];
  // metric_drop is the published value minus the live one, losses negated: -2.0368 is an rmse 2.0368 lower now.
  assert.equal(
    line(-2.0368),
    '  quality   rmse 3.1000 on recent labelled examples; rmse better by 2.0368 than when notification_send/28 was published',
  );
  assert.equal(
    line(0.5),
    '  quality   rmse 3.1000 on recent labelled examples; rmse worse by 0.5000 than when notification_send/28 was published',
  );
  assert.equal(
    line(0),
    '  quality   rmse 3.1000 on recent labelled examples; rmse unchanged since notification_send/28 was published',
  );
  assert.equal(changeSincePublished('auc', -0.0123, 'v/1'), 'auc better by 0.0123 than when v/1 was published');
  assert.equal(changeSincePublished('logloss', 0.02, 'v/1'), 'logloss worse by 0.0200 than when v/1 was published');
});

test("monitoring report - the drift phrase names only what is above its alert's PSI, 0.2 without a rule", () => {
  const psi = (feature: string, value: number) => metric(`psi:${feature}`, value, T0, { labels: { feature } });
  const drift = (bp: Blueprint, metrics: Metric[]) =>
    describeMonitoring(bp, [metric('request_rate', 3), ...metrics], [], T0).find((l) => l.startsWith('  drift'));
  assert.equal(
    drift(classifier, [psi('hour', 0.021), metric('prediction_psi', 0.013)]),
    '  drift     PSI hour 0.021, score 0.013',
  );
  assert.equal(
    drift(classifier, [psi('hour', 0.412), psi('platform', 0.35), metric('prediction_psi', 0.013)]),
    '  drift     PSI hour 0.412, platform 0.350, score 0.013 (hour, platform above 0.2: drifted)',
  );
  const ruled = compiled({
    ...minimalBlueprint(),
    features: {
      context: [
        { name: 'hour', type: 'int' },
        { name: 'platform', type: 'category', values: ['ios', 'web'] },
      ],
    },
    monitoring: {
      alerts: [
        { on: 'feature_drift', psi: 0.5 },
        { on: 'feature_drift', psi: 0.3, feature: 'platform' },
        { on: 'prediction_drift', psi: 0.1 },
      ],
    },
  });
  assert.equal(
    drift(ruled, [psi('hour', 0.412), psi('platform', 0.35), metric('prediction_psi', 0.15)]),
    '  drift     PSI hour 0.412, platform 0.350, score 0.150 (platform above 0.3; score above 0.1: drifted)',
  );
  assert.equal(drift(classifier, [metric('auc', 0.7)]), undefined, 'no drift measured, no line');
});

test('monitoring report - the quality line names and measures the version that serves, on the examples its lineage answered', () => {
  // Just rolled back from automl-2 to the lineage of notification_send/1, whose continuation /5 serves;
  // automl-2 decided last, so the blueprint-wide figures and metric_drop are still about it.
  const served = (lineage: string, name: string, value: number, ts = T0) =>
    metric(name, value, ts, { modelVersion: lineage, labels: { source: 'served' } });
  const metrics = [
    metric('request_rate', 3),
    metric('auc', 0.55),
    metric('logloss', 0.69),
    metric('label_rate', 0.25),
    metric('metric_drop', 0.29, T0, { modelVersion: 'notification_send/automl-2', labels: { metric: 'auc' } }),
    served('notification_send/1', 'auc', 0.8, T0 - 5000),
    served('notification_send/1', 'auc', 0.79),
    served('notification_send/1', 'logloss', 0.51),
    served('notification_send/automl-2', 'auc', 0.5),
  ];
  const serving = {
    version: 'notification_send/5',
    lineage: 'notification_send/1',
    published: { auc: 0.78, logloss: 0.52 },
  };
  assert.equal(
    describeMonitoring(classifier, metrics, [], T0, serving)[1],
    '  quality   notification_send/5: auc 0.7900, logloss 0.5100 on the recent labelled examples its lineage answered; auc better by 0.0100 than when notification_send/5 was published; 25.0 % of decisions got an outcome',
  );
  assert.equal(
    describeMonitoring(classifier, metrics, [], T0, {
      ...serving,
      version: 'notification_send/9',
      lineage: 'notification_send/9',
    })[1],
    '  quality   notification_send/9: not measured yet (needs 200 labelled examples its lineage answered); all recent labelled examples, whichever version answered: auc 0.5500, logloss 0.6900; 25.0 % of decisions got an outcome',
  );
  assert.equal(
    describeMonitoring(classifier, metrics, [], T0, { ...serving, published: {} })[1],
    '  quality   notification_send/5: auc 0.7900, logloss 0.5100 on the recent labelled examples its lineage answered; 25.0 % of decisions got an outcome',
    'nothing published to compare with',
  );
  const ranking = compiled({ ...minimalBlueprintOf('ranking'), blueprint: 'notification_send' });
  assert.equal(
    describeMonitoring(
      ranking,
      [metric('ndcg', 0.61), metric('mrr', 0.5), metric('auc', 0.7), served('notification_send/3', 'auc', 0.71)],
      [],
      T0,
      { version: 'notification_send/3', lineage: 'notification_send/3', published: { auc: 0.75 } },
    )[1],
    '  quality   notification_send/3: auc 0.7100 on the recent labelled examples its lineage answered; auc worse by 0.0400 than when notification_send/3 was published; ndcg 0.6100, mrr 0.5000 on all recent labelled examples',
  );
});
