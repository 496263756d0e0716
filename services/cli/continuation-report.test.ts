import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Metric } from '../lib/schemas/generated.js';
import { refusalRecord, type ContinuationJudgement } from '../trainer/continuation-gate.js';
import { describeContinuationRefusal } from './continuation-report.js';

const T = Date.UTC(2026, 10, 28, 12, 0, 0);
const judgement = (at: number, reason: string): ContinuationJudgement => ({
  blueprint: 'notification_send',
  kind: 'refuse',
  reason,
  figures: null,
  servedVersion: 'notification_send/7',
  continuation: 'logistic trained on 1200 examples',
  startedAt: at - 60_000,
  at,
});

test("status - shows the blueprint's last refused continuation with its reason", () => {
  const monitorRecord: Metric = {
    blueprint: 'notification_send',
    modelVersion: null,
    experimentArm: null,
    name: 'auc',
    value: 0.8,
    windowMs: 60_000,
    count: 500,
    ts: T,
    labels: {},
  };
  const records = [
    refusalRecord(judgement(T - 600_000, 'an older reason')),
    monitorRecord,
    refusalRecord(
      judgement(T - 300_000, 'worse than the serving version by more than rollback_if.metric_drop 0.02 — …'),
    ),
    { ...refusalRecord(judgement(T, 'another blueprint')), blueprint: 'other' },
  ];
  assert.deepEqual(describeContinuationRefusal(records, 'notification_send', T), [
    '  refused   a continuation of notification_send/7 (logistic trained on 1200 examples) 5 min ago, notification_send/7 kept serving: worse than the serving version by more than rollback_if.metric_drop 0.02 — …',
  ]);
  assert.deepEqual(describeContinuationRefusal([monitorRecord], 'notification_send', T), []);
});
