// What every Looper service process shares: its clients, a logger, and an orderly shutdown on
// SIGINT/SIGTERM (hooks run last-registered first, so consumers stop before their producers).
import type { Kafka, Producer } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { connect, type NatsConnection } from 'nats';
import type { LooperConfig } from './config.js';
import { createKafkaClient, producerDefaults } from './kafka.js';
import { createSchemaRegistryClient } from './schema-registry.js';
import { createTopicCodec, type TopicCodec } from './topic-codec.js';
import { errorMessage } from './errors.js';
import { allTopics } from '../../topology/topics.js';

export interface ServiceContext {
  name: string;
  config: LooperConfig;
  kafka: Kafka;
  registry: SchemaRegistry;
  codec: TopicCodec;
  /** An idempotent producer shared by the service. */
  producer: Producer;
  nats: NatsConnection;
  log(line: string): void;
  onShutdown(hook: () => Promise<void> | void): void;
}

export async function startServiceContext(name: string, config: LooperConfig): Promise<ServiceContext> {
  const log = (line: string) => console.log(`[${name}] ${line}`);
  const hooks: Array<() => Promise<void> | void> = [];
  const kafka = createKafkaClient(config, { clientId: `looper-${name}`, onLog: (level, message) => log(`kafka ${level}: ${message}`) });
  const registry = createSchemaRegistryClient(config);
  const codec = await createTopicCodec(registry, allTopics);
  const producer = kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  hooks.push(() => producer.disconnect());
  const nats = await connect({ servers: config.natsUrl, name: `looper-${name}`, maxReconnectAttempts: -1 });
  hooks.push(() => nats.drain());

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    for (const hook of hooks.reverse()) {
      try {
        await hook();
      } catch (error) {
        log(`shutdown step failed: ${errorMessage(error)}`);
      }
    }
    log('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  return { name, config, kafka, registry, codec, producer, nats, log, onShutdown: (hook) => hooks.push(hook) };
}
