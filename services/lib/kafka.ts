// Kafka clients built from Looper's configuration, and reading a topic from its start to its end.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type KafkaMessage, type LogEntry, type ProducerConfig } from 'kafkajs';
import type { LooperConfig } from './config.js';
import type { TlsFiles } from './security-config.js';
import type { SASLOptions } from 'kafkajs';

/** Node TLS options from PEM texts: the system's CAs unless one is given, a client certificate when one is. */
export function tlsOptions(tls: TlsFiles): { ca?: string[]; cert?: string; key?: string } {
  return { ...(tls.ca === null ? {} : { ca: [tls.ca] }), ...(tls.cert === null ? {} : { cert: tls.cert }), ...(tls.key === null ? {} : { key: tls.key }) };
}

export interface KafkaClientOptions {
  clientId: string;
  /** Called for kafkajs warnings and errors; defaults to stderr. */
  onLog?: (level: 'warn' | 'error', message: string) => void;
}

export function createKafkaClient(config: LooperConfig, options: KafkaClientOptions): Kafka {
  const onLog = options.onLog ?? ((level, message) => console.error(`[kafka ${level}] ${message}`));
  const { sasl, tls } = config.security.kafka;
  return new Kafka({
    clientId: options.clientId,
    brokers: config.kafkaBrokers,
    ...(tls === null ? {} : { ssl: tlsOptions(tls) }),
    ...(sasl === null ? {} : { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions }),
    connectionTimeout: 5000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        // The coordinator is briefly unavailable while a fresh broker loads __consumer_offsets;
        // kafkajs retries those on its own, so they are noise rather than errors.
        if (/coordinator is (loading|not available)/i.test(String(log['error'] ?? ''))) return;
        onLog(level === logLevel.ERROR ? 'error' : 'warn', `${log.message}${log['error'] ? `: ${String(log['error'])}` : ''}`);
      },
  });
}

/** Producer settings every Looper producer starts from: Java-compatible (murmur2) key partitioning. */
export const producerDefaults: ProducerConfig = { createPartitioner: Partitioners.DefaultPartitioner };

export interface TopicRecord {
  partition: number;
  message: KafkaMessage;
}

/**
 * Every record of `topic` up to its end at the time of the call, in offset order per partition —
 * or, with `fromTimestamp`, those from the first record stamped at or after it (epoch ms).
 * Uses a throw-away consumer group that commits nothing and is deleted afterwards.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, timeoutMs = 30_000, fromTimestamp?: number): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const starts = new Map<number, string>();
    if (fromTimestamp !== undefined) {
      const highs = new Map(offsets.map((o) => [o.partition, o.high]));
      // -1: no record that new, so the partition starts at its end.
      for (const o of await admin.fetchTopicOffsetsByTimestamp(topic, fromTimestamp)) starts.set(o.partition, o.offset === '-1' ? highs.get(o.partition)! : o.offset);
    }
    const remaining = new Map<number, bigint>();
    for (const o of offsets) {
      const start = BigInt(starts.get(o.partition) ?? o.low);
      if (BigInt(o.high) > (start > BigInt(o.low) ? start : BigInt(o.low))) remaining.set(o.partition, BigInt(o.high));
    }
    if (remaining.size === 0) return [];

    const groupId = `looper-reader-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    const records: TopicRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${topic} to its end took longer than ${timeoutMs} ms`)), timeoutMs);
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const end = remaining.get(partition);
              if (end === undefined) return;
              const start = starts.get(partition);
              if (start !== undefined && BigInt(message.offset) < BigInt(start)) return;
              records.push({ partition, message });
              if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
        // Skip straight to the first wanted record rather than reading the older ones.
        for (const [partition, offset] of starts) if (remaining.has(partition)) consumer.seek({ topic, partition, offset });
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)));
  } finally {
    await admin.disconnect();
  }
}
