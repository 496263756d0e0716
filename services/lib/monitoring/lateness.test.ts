// Late-event reports on looper.metrics: what a features instance publishes, how readers add them
// up across instances and intervals, and when a feature's losses warn (and stop warning).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Metric } from '../schemas/generated.js';
import type { FeatureArrivals } from '../features/lateness.js';
import {
  LATENESS_RULE,
  LATENESS_WINDOW_MS,
  LatenessAlerts,
  LatenessWindow,
  isLatenessRecord,
  latenessProblem,
  latenessRecords,
  losesTooMany,
  summarizeLateness,
  type FeatureLateness,
} from './lateness.js';

const T0 = 1_750_000_000_000;

const arrivals = (feature: string, inOrder: number, lateApplied: number, lateDropped: number): FeatureArrivals => ({
  blueprint: 'notification_send',
  feature,
  topic: 'app.opens',
  latenessMs: 5000,
  counts: { inOrder, lateApplied, lateDropped },
});

const lateness = (events: number, lateDropped: number, lateApplied = 0): FeatureLateness => ({
  blueprint: 'notification_send',
  feature: 'opens_1d',
  topic: 'app.opens',
  latenessMs: 5000,
  events,
  lateApplied,
  lateDropped,
  droppedShare: events === 0 ? null : lateDropped / events,
});

describe('lateness reports', () => {
  it('records - two per feature with events (late but applied, dropped), the events judged as their count; none for a quiet feature', () => {
    const records = latenessRecords([arrivals('opens_1d', 90, 8, 2), arrivals('quiet', 0, 0, 0)], T0, 10_000, '0');
    const labels = { feature: 'opens_1d', topic: 'app.opens', lateness_ms: '5000', instance: '0' };
    const base = {
      blueprint: 'notification_send',
      modelVersion: null,
      experimentArm: null,
      windowMs: 10_000,
      count: 100,
      ts: T0,
      labels,
    };
    assert.deepEqual(records, [
      { ...base, name: 'late_applied:opens_1d', value: 8 },
      { ...base, name: 'late_dropped:opens_1d', value: 2 },
    ]);
    assert.ok(records.every(isLatenessRecord));
    assert.equal(isLatenessRecord({ name: 'psi:hour' }), false);
  });

  it('summary - adds up every report after `from` across instances and intervals, counting the events once per report', () => {
    const records: Metric[] = [
      ...latenessRecords([arrivals('opens_1d', 90, 8, 2)], T0, 10_000, '0'),
      ...latenessRecords([arrivals('opens_1d', 190, 5, 5)], T0 + 10_000, 10_000, '1'),
      // Before the window: left out.
      ...latenessRecords([arrivals('opens_1d', 1000, 0, 1000)], T0 - 1, 10_000, '0'),
      // Not a lateness report: skipped.
      {
        blueprint: 'notification_send',
        modelVersion: null,
        experimentArm: null,
        name: 'request_rate',
        value: 4,
        windowMs: 60_000,
        count: 10,
        ts: T0,
        labels: {},
      },
    ];
    assert.deepEqual(summarizeLateness(records, T0 - 1), [
      {
        blueprint: 'notification_send',
        feature: 'opens_1d',
        topic: 'app.opens',
        latenessMs: 5000,
        events: 300,
        lateApplied: 13,
        lateDropped: 7,
        droppedShare: 7 / 300,
      },
    ]);
  });

  it('window - keeps the reports of the last 2 minutes only', () => {
    const window = new LatenessWindow();
    window.add(latenessRecords([arrivals('opens_1d', 100, 0, 50)], T0, 10_000, '0'));
    window.add(latenessRecords([arrivals('opens_1d', 100, 1, 0)], T0 + 60_000, 10_000, '0'));
    assert.deepEqual(
      window.summary(T0 + 60_000).map((f) => [f.events, f.lateApplied, f.lateDropped]),
      [[251, 1, 50]],
    );
    assert.deepEqual(
      window.summary(T0 + LATENESS_WINDOW_MS).map((f) => [f.events, f.lateApplied, f.lateDropped]),
      [[101, 1, 0]],
      'the first report is now older than the window',
    );
  });

  it('judgement - more than 1 % dropped out of at least 100 events loses too many; fewer events are not judged', () => {
    assert.equal(losesTooMany(lateness(1000, 10)), false, 'exactly 1 %');
    assert.equal(losesTooMany(lateness(1000, 11)), true);
    assert.equal(losesTooMany(lateness(99, 50)), false, 'too few events to judge');
    assert.equal(losesTooMany(lateness(0, 0)), false);
  });

  it('problem - says what, where, how much and what to do', () => {
    assert.equal(
      latenessProblem(lateness(2000, 46)),
      'feature opens_1d (topic app.opens) lost 2.3 % of its events to lateness: 46 of 2,000 in the last 2 min arrived more than its lateness 5s behind the newest event of their partition and were not counted; raise lateness on the feature, or find the producer whose events lag (its clock, or what it does before sending)',
    );
  });

  it('alerts - raise after two evaluations over 1 %, clear after three at or under 0.8 %, under one alert id', () => {
    const alerts = new LatenessAlerts();
    let id = 0;
    const newId = () => `a${++id}`;
    assert.deepEqual(alerts.evaluate([lateness(1000, 20)], T0, newId), [], 'one breach is not enough');
    const raised = alerts.evaluate([lateness(1000, 20)], T0 + 5000, newId);
    assert.deepEqual(raised, [
      {
        alertId: 'a1',
        blueprint: 'notification_send',
        rule: LATENESS_RULE,
        state: 'raised',
        severity: 'warning',
        message: `${latenessProblem(lateness(1000, 20))} (warns above 1.0 %)`,
        modelVersion: null,
        value: 0.02,
        threshold: 0.01,
        labels: { feature: 'opens_1d', topic: 'app.opens', key: 'feature_lateness:opens_1d' },
        ts: T0 + 5000,
      },
    ]);
    assert.deepEqual(alerts.open(), raised);
    assert.deepEqual(alerts.evaluate([lateness(50, 50)], T0 + 10_000, newId), [], 'too few events: no change');
    assert.deepEqual(alerts.evaluate([lateness(1000, 9)], T0 + 15_000, newId), [], '0.9 %: not clearly back');
    for (const dt of [20_000, 25_000]) assert.deepEqual(alerts.evaluate([lateness(1000, 8)], T0 + dt, newId), []);
    const cleared = alerts.evaluate([lateness(1000, 8)], T0 + 30_000, newId);
    assert.deepEqual(
      cleared.map((a) => [a.alertId, a.state, a.message]),
      [
        [
          'a1',
          'cleared',
          'feature opens_1d (topic app.opens) is back to normal: 0.8 % of its events dropped as late (it clears at 0.8 %)',
        ],
      ],
    );
    assert.deepEqual(alerts.open(), []);
  });

  it('alerts - an episode open before a restart continues: it clears under its id instead of raising again', () => {
    const alerts = new LatenessAlerts();
    alerts.restore([
      {
        alertId: 'old',
        blueprint: 'notification_send',
        rule: LATENESS_RULE,
        state: 'raised',
        severity: 'warning',
        message: 'lost events',
        modelVersion: null,
        value: 0.02,
        threshold: 0.01,
        labels: { feature: 'opens_1d', topic: 'app.opens', key: 'feature_lateness:opens_1d' },
        ts: T0,
      },
    ]);
    assert.equal(alerts.open().length, 1);
    assert.deepEqual(
      alerts.evaluate([lateness(1000, 30)], T0 + 5000, () => 'new'),
      [],
    );
    const changes = [1, 2, 3].flatMap((i) => alerts.evaluate([lateness(1000, 0)], T0 + 5000 * (i + 1), () => 'new'));
    assert.deepEqual(
      changes.map((a) => [a.alertId, a.state]),
      [['old', 'cleared']],
    );
  });
});
