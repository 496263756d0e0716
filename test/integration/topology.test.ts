import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin } from 'kafkajs';
import { createKafkaClient } from '../../services/lib/kafka.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics, valueSubject, type TopicSpec } from '../../topology/topics.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';

describe('topology apply on the local broker and registry', () => {
  let admin: Admin;
  const registry = createSchemaRegistryClient(testConfig);
  const scratch: TopicSpec = {
    name: uniqueName('looper.test.topology'),
    description: 'scratch topic for drift tests',
    partitions: 2,
    cleanupPolicy: 'delete',
    retentionMs: 3_600_000,
    key: 'entity',
    valueSchema: 'Outcome',
    producers: ['sdk'],
    consumers: ['joiner'],
  };

  before(async () => {
    await ensureStack();
    admin = createKafkaClient(testConfig, { clientId: 'looper-test' }).admin();
    await admin.connect();
  });

  after(async () => {
    await admin.deleteTopics({ topics: [scratch.name] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('topology - applying the declared topology twice changes nothing the second time', async () => {
    await applyTopology(admin, registry, allTopics);
    const second = await applyTopology(admin, registry, allTopics);
    assert.deepEqual(second.created, []);
    assert.deepEqual(second.drift, []);
    assert.deepEqual(
      second.unchanged,
      allTopics.map((t) => t.name),
    );
    assert.deepEqual(
      second.schemas.filter((s) => s.isNew),
      [],
    );
    assert.deepEqual(
      second.schemas.map((s) => s.subject),
      allTopics.filter((t) => t.valueSchema !== null).map((t) => valueSubject(t.name)),
    );
  });

  it('topology - creates a missing topic with its declared partitions and configs', async () => {
    const report = await applyTopology(admin, registry, [scratch]);
    assert.deepEqual(report.created, [scratch.name]);
    const metadata = await admin.fetchTopicMetadata({ topics: [scratch.name] });
    assert.equal(metadata.topics[0]!.partitions.length, 2);
  });

  it('topology - reports injected drift and leaves the topic as it is', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: scratch.name, count: 3 }] });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: scratch.name, configEntries: [{ name: 'retention.ms', value: '60000' }] }],
    });
    const report = await applyTopology(admin, registry, [scratch]);
    assert.deepEqual(report.created, []);
    assert.deepEqual(
      report.drift.map((d) => [d.topic, d.property, d.declared, d.actual]),
      [
        [scratch.name, 'partitions', '2', '3'],
        [scratch.name, 'retention.ms', '3600000', '60000'],
      ],
    );
    const metadata = await admin.fetchTopicMetadata({ topics: [scratch.name] });
    assert.equal(metadata.topics[0]!.partitions.length, 3, 'apply never changes partitions');
  });
});
