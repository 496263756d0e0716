// Raw baselines that Looper's own figures are compared with, measured in the same run, and the
// request driver both sides use.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { LooperConfig } from '../services/lib/config.js';
import { consumerDefaults, createKafkaClient, producerDefaults } from '../services/lib/kafka.js';
import { summarize, type LatencySummary } from './stats.js';

export interface RequestFigures {
  name: string;
  concurrency: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
}

/** Drives `request` with `concurrency` callers for `durationMs`; latency per call in ms. */
export async function driveRequests(
  name: string,
  concurrency: number,
  durationMs: number,
  request: () => Promise<unknown>,
): Promise<RequestFigures> {
  const samples: number[] = [];
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await request();
        samples.push(performance.now() - t0);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  return { name, concurrency, requestsPerSecond: samples.length / elapsedS, latencyMs: summarize(samples) };
}

export interface KafkaFigures {
  messages: number;
  producePerSecond: number;
  consumePerSecond: number;
}

/**
 * The raw baseline of a Kafka read: a kafkajs consumer in a new group, doing no work per record,
 * reads `topic` from its beginning until it has `count` records; timed from its first batch.
 */
export async function rawConsume(
  kafka: Kafka,
  topic: string,
  count: number,
): Promise<{ records: number; perSecond: number }> {
  const consumer = kafka.consumer({ ...consumerDefaults, groupId: `looper-bench-raw-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received = 0;
  let firstAt = 0;
  const seconds = await new Promise<number>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (firstAt === 0) firstAt = performance.now();
        received += batch.messages.length;
        if (received >= count) resolve((performance.now() - firstAt) / 1000);
      },
    });
  });
  await consumer.disconnect();
  return { records: received, perSecond: received / seconds };
}

export async function kafkaRawBaseline(config: LooperConfig, messages: number): Promise<KafkaFigures> {
  const kafka = createKafkaClient(config, { clientId: 'looper-bench' });
  const topic = `looper.bench.raw.${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  const producer = kafka.producer(producerDefaults);
  await producer.connect();
  const value = Buffer.from(JSON.stringify({ user: 'user-42', ts: Date.now(), duration_s: 31.5, country: 'fr' }));
  const batch = 1000;
  const t0 = performance.now();
  for (let sent = 0; sent < messages; sent += batch) {
    await producer.send({
      topic,
      acks: 1,
      messages: Array.from({ length: batch }, (_, i) => ({ key: `user-${(sent + i) % 5000}`, value })),
    });
  }
  const produceS = (performance.now() - t0) / 1000;
  await producer.disconnect();

  const consumed = await rawConsume(kafka, topic, messages);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return { messages, producePerSecond: messages / produceS, consumePerSecond: consumed.perSecond };
}
