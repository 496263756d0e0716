// The dashboard's overview: each blueprint shows its own stream features' late events, judged by
// the same rule as the lateness alert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { minimalBlueprint } from '../lib/blueprint/test-blueprints.js';
import type { FeatureLateness } from '../lib/monitoring/lateness.js';
import { overview } from './overview.js';

const T0 = 1_750_000_000_000;

test('overview - a blueprint lists its features’ late events, the dropped share rounded, and flags one losing over 1 %', () => {
  const result = compileBlueprint({
    ...minimalBlueprint(),
    features: { streams: [{ name: 'opens_1d', topic: 'app.opens', aggregate: 'count', window: '1d' }] },
  });
  assert.ok(result.ok);
  const bp = result.blueprint;
  const late = (blueprint: string, feature: string, events: number, lateDropped: number): FeatureLateness => ({
    blueprint,
    feature,
    topic: 'app.opens',
    latenessMs: 5000,
    events,
    lateApplied: 7,
    lateDropped,
    droppedShare: lateDropped / events,
  });
  const view = overview(
    {
      blueprints: new Map([[bp.name, bp]]),
      deployments: new Map(),
      transitions: new Map(),
      measures: new Map(),
      searches: new Map(),
      openAlerts: [],
      clearedAlerts: [],
      lag: [],
      lateness: [
        late(bp.name, 'opens_1d', 3000, 40),
        late(bp.name, 'buys_1d', 3000, 3),
        late('another_blueprint', 'opens_1d', 10, 10),
      ],
    },
    T0,
    5000,
  );
  assert.deepEqual(view.blueprints[0]!.lateness, [
    {
      feature: 'opens_1d',
      topic: 'app.opens',
      latenessMs: 5000,
      events: 3000,
      lateApplied: 7,
      lateDropped: 40,
      droppedShare: 0.01333,
      tooMany: true,
    },
    {
      feature: 'buys_1d',
      topic: 'app.opens',
      latenessMs: 5000,
      events: 3000,
      lateApplied: 7,
      lateDropped: 3,
      droppedShare: 0.001,
      tooMany: false,
    },
  ]);
});
