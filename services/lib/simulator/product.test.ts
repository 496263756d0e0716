import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBlueprintYaml } from '../blueprint/index.js';
import { OUTCOMES_TOPIC } from '../blueprint/vocabulary.js';
import { DEFAULT_ACTION, platforms, productTopics, SEND, SKIP } from './product.js';
import { createRandom } from './random.js';
import { createSimulator } from './simulator.js';

const blueprintText = readFileSync(new URL('../../../examples/notification_send.yaml', import.meta.url), 'utf8');

describe('simulator product', () => {
  it('simulator product - publishes every topic and field examples/notification_send.yaml reads', () => {
    const result = parseBlueprintYaml(blueprintText);
    assert.ok(result.ok);
    const bp = result.blueprint;
    const sim = createSimulator({ seed: 1, users: 50 });
    const events = [
      ...sim.eventsBetween(0, 7 * 86_400_000),
      ...sim.guardrailEventsFor(sim.users[0]!.userId, { hour: 20, platform: 'ios' }, SEND, 1, 0),
    ];
    const published = new Set<string>(events.map((e) => e.topic));
    assert.deepEqual([...published].sort(), Object.values(productTopics).sort());
    for (const feature of bp.features.streams) {
      assert.ok(published.has(feature.topic), `${feature.name}: the simulator does not publish ${feature.topic}`);
      assert.equal(feature.entityField, null, `${feature.name}: the simulator keys events by user`);
      assert.equal(feature.format, 'json');
      if (feature.field === null) continue;
      const values = events
        .filter((e) => e.topic === feature.topic)
        .map((e) => (e.value as unknown as Record<string, unknown>)[feature.field!]);
      const type = feature.aggregate === 'last' || feature.aggregate === 'distinct' ? 'string' : 'number';
      assert.ok(
        values.length > 0 && values.every((v) => typeof v === type),
        `${feature.name}: ${feature.topic} events lack a ${type} ${feature.field}`,
      );
    }
    for (const guardrail of bp.monitoring.guardrails) {
      assert.ok(published.has(guardrail.topic), `guardrail ${guardrail.name}: ${guardrail.topic} is not published`);
      assert.equal(guardrail.match, 'entity');
    }
  });

  it("simulator product - decide requests carry exactly the blueprint's context features", () => {
    const result = parseBlueprintYaml(blueprintText);
    assert.ok(result.ok);
    const bp = result.blueprint;
    const { context } = createSimulator({ seed: 1, users: 50 }).nextDecideRequest(0);
    assert.deepEqual(Object.keys(context).sort(), bp.features.context.map((f) => f.name).sort());
    const platform = bp.features.context.find((f) => f.name === 'platform');
    assert.deepEqual(platform?.values, [...platforms]);
    assert.equal(bp.features.context.find((f) => f.name === 'hour')?.type, 'int');
  });

  it("simulator product - its actions and outcomes are the blueprint's", () => {
    const result = parseBlueprintYaml(blueprintText);
    assert.ok(result.ok);
    const bp = result.blueprint;
    assert.deepEqual(bp.decision.actions, [SEND, SKIP]);
    assert.equal(bp.decision.default, DEFAULT_ACTION);
    // The app reports on looper.outcomes by decision id: 1 opened, 0 dismissed; a window without a report is a 0.
    assert.equal(bp.label.topic, null);
    assert.equal(OUTCOMES_TOPIC, 'looper.outcomes');
    assert.ok(bp.label.valueField === 'value' || bp.label.valueConstant === 1, JSON.stringify(bp.label));
    assert.equal(bp.label.missing, 0);
    const sim = createSimulator({ seed: 1 });
    const random = createRandom(2);
    const reports = sim.users
      .slice(0, 200)
      .map((u) => sim.reportedOutcome(u.userId, { hour: 20, platform: u.platform }, SEND, random));
    assert.ok(
      reports.some((r) => r?.value === 1) && reports.some((r) => r?.value === 0) && reports.some((r) => r === null),
    );
    assert.ok(reports.every((r) => r === null || r.delayMs < bp.label.windowMs));
    assert.equal(sim.reportedOutcome(sim.users[0]!.userId, { hour: 20, platform: 'ios' }, SKIP, random), null);
  });
});
