import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { creationConfigs, planTopology } from './plan.js';
import { topics } from './topics.js';

const decisions = topics.decisions;
const blueprints = topics.blueprints;
const asDeclared = (spec: typeof decisions | typeof blueprints) => ({
  name: spec.name,
  partitions: spec.partitions,
  configs: { 'cleanup.policy': spec.cleanupPolicy, 'retention.ms': String(spec.retentionMs) },
});

describe('topology plan', () => {
  it('topology plan - creates every declared topic the broker lacks', () => {
    const plan = planTopology([decisions, blueprints], [asDeclared(blueprints)]);
    assert.deepEqual(
      plan.create.map((t) => t.name),
      ['looper.decisions'],
    );
    assert.deepEqual(plan.unchanged, ['looper.blueprints']);
    assert.deepEqual(plan.drift, []);
  });

  it('topology plan - a topic that matches its declaration is a no-op', () => {
    const plan = planTopology([decisions], [asDeclared(decisions)]);
    assert.deepEqual(plan, { create: [], unchanged: ['looper.decisions'], drift: [] });
  });

  it('topology plan - reports partition and config drift with a fix, never a change', () => {
    const plan = planTopology(
      [decisions],
      [
        {
          name: 'looper.decisions',
          partitions: 3,
          configs: { 'cleanup.policy': 'compact', 'retention.ms': '604800000' },
        },
      ],
    );
    assert.deepEqual(plan.create, []);
    assert.deepEqual(plan.unchanged, []);
    assert.deepEqual(
      plan.drift.map((d) => [d.property, d.declared, d.actual]),
      [
        ['partitions', '6', '3'],
        ['cleanup.policy', 'delete', 'compact'],
      ],
    );
    assert.match(plan.drift[0]!.fix, /--partitions 6/);
    assert.equal(
      plan.drift[1]!.fix,
      'kafka-configs --alter --entity-type topics --entity-name looper.decisions --add-config cleanup.policy=delete',
    );
  });

  it('topology plan - more partitions than declared cannot be fixed by shrinking', () => {
    const plan = planTopology([blueprints], [{ ...asDeclared(blueprints), partitions: 2 }]);
    assert.match(plan.drift[0]!.fix, /cannot shrink/);
  });
});

describe('topic creation configs', () => {
  it('topology plan - changelogs are created with short segments and an eager cleaner, other topics with their two configs', () => {
    assert.deepEqual(creationConfigs(topics.joinerChangelog), {
      'cleanup.policy': 'compact',
      'retention.ms': '-1',
      'segment.ms': '600000',
      'min.cleanable.dirty.ratio': '0.1',
      'delete.retention.ms': '3600000',
    });
    assert.deepEqual(creationConfigs(topics.decisions), {
      'cleanup.policy': topics.decisions.cleanupPolicy,
      'retention.ms': String(topics.decisions.retentionMs),
    });
  });
});
