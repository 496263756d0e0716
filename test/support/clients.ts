// The clients an integration test needs against the running stack, with the topology applied.
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createKafkaClient, producerDefaults } from '../../services/lib/kafka.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { createTopicCodec, type TopicCodec } from '../../services/lib/topic-codec.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics } from '../../topology/topics.js';
import { ensureStack, testConfig } from './stack.js';

export interface TestClients {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly registry: SchemaRegistry;
  readonly codec: TopicCodec;
  readonly producer: Producer;
  close(): Promise<void>;
}

/** Brings the stack up if needed, applies the topology, and connects Kafka, the registry and a producer. */
export async function connectTestClients(): Promise<TestClients> {
  await ensureStack();
  const kafka = createKafkaClient(testConfig, { clientId: 'looper-test' });
  const admin = kafka.admin();
  await admin.connect();
  const registry = createSchemaRegistryClient(testConfig);
  await applyTopology(admin, registry, allTopics);
  const codec = await createTopicCodec(registry, allTopics);
  const producer = kafka.producer(producerDefaults);
  await producer.connect();
  return {
    kafka,
    admin,
    registry,
    codec,
    producer,
    async close() {
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
