// What every Looper service process shares: its clients, a logger, its metrics and ops server
// (/metrics, /healthz, /readyz), and an orderly shutdown on SIGINT/SIGTERM (hooks run
// last-registered first, so consumers stop before their producers, and the ops server last).
import type { Kafka, Producer } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { NatsConnection } from 'nats';
import { connectNats, logNatsStatus } from './nats-connect.js';
import type { Registry } from 'prom-client';
import { configVariables, opsPortOf, opsPortVariable, type LooperConfig, type LooperServiceName } from './config.js';
import { createKafkaClient, producerDefaults } from './kafka.js';
import { connectOrExplain } from './kafka-refusal.js';
import { createSchemaRegistryClient } from './schema-registry.js';
import { createTopicCodec, type TopicCodec } from './topic-codec.js';
import { errorMessage } from './errors.js';
import { allTopics } from '../../topology/topics.js';
import { createServiceMetrics } from './observability/service-metrics.js';
import { startOpsServer, type OpsRouteHandler } from './observability/ops-server.js';

export interface ServiceContext {
  name: LooperServiceName;
  config: LooperConfig;
  kafka: Kafka;
  registry: SchemaRegistry;
  codec: TopicCodec;
  /** An idempotent producer shared by the service. */
  producer: Producer;
  nats: NatsConnection;
  log(line: string): void;
  onShutdown(hook: () => Promise<void> | void): void;
  /** This process's Prometheus registry: default process metrics, every series labelled service=<name>. */
  metrics: Registry;
  /** /readyz answers 200 from now on: call it once the service consumes or answers requests. */
  markReady(): void;
  /** Adds a read-only route to the ops server, tried in order before its 404. */
  addRoute(handler: OpsRouteHandler): void;
  /** The ops server's base URL, e.g. http://127.0.0.1:9470; null when its port was taken (logged). */
  opsAddress: string | null;
}

export async function startServiceContext(name: LooperServiceName, config: LooperConfig): Promise<ServiceContext> {
  const log = (line: string) => console.log(`[${name}] ${line}`);
  const hooks: Array<() => Promise<void> | void> = [];
  // The ops server first, so /healthz answers (and /readyz says "starting") while Kafka and NATS connect.
  const metrics = createServiceMetrics(name);
  const ops = await startOpsServer({
    service: name,
    host: config.opsHost,
    port: opsPortOf(config, name),
    registry: metrics,
    portSetting: opsPortVariable(name),
    hostSetting: configVariables.opsHost,
    log,
  });
  if (ops.address) log(`ops server on ${ops.address} (/metrics, /healthz, /readyz)`);
  hooks.push(() => ops.close());
  const kafka = createKafkaClient(config, {
    clientId: `looper-${name}`,
    onLog: (level, message) => log(`kafka ${level}: ${message}`),
  });
  const registry = createSchemaRegistryClient(config);
  const codec = await createTopicCodec(registry, allTopics);
  const producer = kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
  await connectOrExplain(() => producer.connect(), config);
  hooks.push(() => producer.disconnect());
  const nats = await connectNats(config, `looper-${name}`, { maxReconnectAttempts: -1 });
  hooks.push(() => nats.drain());
  logNatsStatus(nats, log).catch((error) => log(`nats: status stream ended: ${errorMessage(error)}`));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ops.markStopping();
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

  return {
    name,
    config,
    kafka,
    registry,
    codec,
    producer,
    nats,
    log,
    onShutdown: (hook) => hooks.push(hook),
    metrics,
    markReady: () => ops.markReady(),
    addRoute: (handler) => ops.addRoute(handler),
    opsAddress: ops.address,
  };
}
