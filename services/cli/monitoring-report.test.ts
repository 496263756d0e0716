import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, Metric } from '../lib/schemas/generated.js';
import { describeMonitoring, newestMetrics, openAlerts } from './monitoring-report.js';

const T0 = 1_750_000_000_000;
const metric = (name: string, value: number, ts = T0, extra: Partial<Metric> = {}): Metric => ({
  blueprint: 'notification_send', modelVersion: null, experimentArm: null, name, value, windowMs: 600_000, count: 1000, ts, labels: {}, ...extra,
});
const alert = (alertId: string, state: 'raised' | 'cleared', ts: number): Alert => ({
  alertId, blueprint: 'notification_send', rule: 'feature_drift', state, severity: 'warning', message: `hour drifted (${alertId})`, modelVersion: null, value: 0.4, threshold: 0.2, labels: {}, ts,
});

test('monitoring report - the newest blueprint-wide value of each metric, arms and guardrails aside', () => {
  const newest = newestMetrics(
    [metric('auc', 0.7, T0), metric('auc', 0.72, T0 + 5000), metric('auc', 0.9, T0 + 9000, { experimentArm: 'b' }), metric('guardrail:unsubscribes', 0.1), metric('auc', 0.5, T0, { blueprint: 'other' })],
    'notification_send',
  );
  assert.deepEqual([...newest.entries()].map(([k, m]) => [k, m.value]), [['auc', 0.72]]);
});

test('monitoring report - an alert is open until a record with its id clears it', () => {
  assert.deepEqual(openAlerts([alert('a', 'raised', T0), alert('b', 'raised', T0 + 1), alert('a', 'cleared', T0 + 2)]).map((a) => a.alertId), ['b']);
});

test('monitoring report - traffic, quality, drift, model age and open alerts as lines', () => {
  const metrics = [
    metric('request_rate', 45.83), metric('decide_p50_ms', 0.41), metric('decide_p99_ms', 1.234), metric('fallback_rate', 0.012),
    metric('auc', 0.73126), metric('label_rate', 0.25), metric('psi:hour', 0.0213, T0, { labels: { feature: 'hour' } }), metric('prediction_psi', 0.013),
    metric('model_age_s', 95, T0, { modelVersion: 'notification_send/9' }),
  ];
  assert.deepEqual(describeMonitoring('notification_send', metrics, [alert('b', 'raised', T0 - 120_000)], T0 + 12_000), [
    '  traffic   45.8 decisions/s, p50 0.41 ms, p99 1.23 ms, fallbacks 1.2 % (measured 12 s ago)',
    '  quality   auc 0.7313 on recent labelled examples; 25.0 % of decisions got an outcome',
    '  drift     PSI hour 0.021, score 0.013 (above 0.2: drifted)',
    '  model age 2 min (notification_send/9)',
    '  ALERT     warning feature_drift: hour drifted (b) (since 2 min ago)',
  ]);
});

test('monitoring report - says so when the monitor measured nothing lately', () => {
  assert.deepEqual(describeMonitoring('notification_send', [], [], T0), [
    '  monitor   no measures in the last 2 min: is the monitor running? (looper up starts it)',
    '  alerts    none open',
  ]);
});
