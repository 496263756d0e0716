// Kafka clients built from Looper's configuration, and reading a topic from its start to its end.
import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Producer,
  type KafkaMessage,
  type LogEntry,
  type ProducerConfig,
  type ConsumerConfig,
} from 'kafkajs';
import type { LooperConfig } from './config.js';
import type { TlsFiles } from './security-config.js';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** Node TLS options from PEM texts: the system's CAs unless one is given, a client certificate when one is. */
export function tlsOptions(tls: TlsFiles): { ca?: string[]; cert?: string; key?: string } {
  return {
    ...(tls.ca === null ? {} : { ca: [tls.ca] }),
    ...(tls.cert === null ? {} : { cert: tls.cert }),
    ...(tls.key === null ? {} : { key: tls.key }),
  };
}

export interface KafkaClientOptions {
  clientId: string;
  /** Called for kafkajs warnings and errors; defaults to stderr. */
  onLog?: (level: 'warn' | 'error', message: string) => void;
}

/** kafkajs's `ssl` and `sasl` options from Looper's security settings: none for the local stack. */
export function kafkaSecurityOptions(config: Pick<LooperConfig, 'security'>): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { sasl, tls } = config.security.kafka;
  return {
    ...(tls === null ? {} : { ssl: tlsOptions(tls) }),
    ...(sasl === null
      ? {}
      : { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions }),
  };
}

export function createKafkaClient(config: LooperConfig, options: KafkaClientOptions): Kafka {
  const onLog = options.onLog ?? ((level, message) => console.error(`[kafka ${level}] ${message}`));
  return new Kafka({
    clientId: options.clientId,
    brokers: config.kafkaBrokers,
    ...kafkaSecurityOptions(config),
    connectionTimeout: 5000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const line = kafkaLogLine(
          level === logLevel.ERROR ? 'error' : 'warn',
          log.message,
          log['error'] === undefined ? undefined : String(log['error']),
        );
        if (line) onLog(line.level, line.message);
      },
  });
}

/**
 * What a kafkajs warning or error says to an operator, or null for noise. While a fresh broker loads
 * __consumer_offsets its coordinator is briefly unavailable, and kafkajs retries on its own. A group
 * rebalances whenever an instance joins or leaves: a member's refused heartbeat is how it learns to
 * rejoin, which is expected, not an error.
 */
export function kafkaLogLine(
  level: 'warn' | 'error',
  message: string,
  error: string | undefined,
): { level: 'warn' | 'error'; message: string } | null {
  if (error !== undefined && /coordinator is (loading|not available)/i.test(error)) return null;
  if (error !== undefined && /group is rebalancing/i.test(error))
    return { level: 'warn', message: 'the consumer group is rebalancing (an instance joined or left): rejoining it' };
  return { level, message: error === undefined ? message : `${message}: ${error}` };
}

/** Producer settings every Looper producer starts from: Java-compatible (murmur2) key partitioning. */
export const producerDefaults: ProducerConfig = { createPartitioner: Partitioners.DefaultPartitioner };

/**
 * Every consumer's settings but its group. A consumer's stop waits for its fetch in flight, which a
 * broker with nothing new holds for maxWaitTimeInMs: at kafkajs's 5 s an idle service took 5–15 s to
 * stop, and the features service waited 5 s before restarting its consumer on a new blueprint's
 * topic. 500 ms is the Java client's fetch.max.wait.ms; a fetch with records returns at once either way.
 */
export const consumerDefaults = {
  allowAutoTopicCreation: false,
  maxWaitTimeInMs: 500,
} satisfies Partial<ConsumerConfig>;

/**
 * For the groups whose members share work (features, joiner, trainer): a killed instance's
 * partitions wait for its session to time out before anyone takes them, and a restarted one waits
 * to rejoin. Kept short (kafkajs's default is 30 s), so long work heartbeats (heartbeatUntil).
 */
export const groupMembership = { sessionTimeout: 10_000, heartbeatInterval: 1000 } satisfies Partial<ConsumerConfig>;

/** Waits for `work`, heartbeating each second so that a long restore or batch does not cost the group membership. */
export async function heartbeatUntil<T>(work: Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
  let settled = false;
  const done = work.finally(() => void (settled = true));
  while (!settled) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 1000))]);
    if (!settled) await heartbeat();
  }
  return done;
}

export interface TopicRecord {
  partition: number;
  message: KafkaMessage;
}

/**
 * Every record of `topic` up to its end at the time of the call, in offset order per partition —
 * or, with `fromTimestamp`, those from the first record stamped at or after it (epoch ms).
 * Uses a throw-away consumer group that commits nothing and is deleted afterwards.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  timeoutMs = 30_000,
  fromTimestamp?: number,
): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const starts = new Map<number, bigint>(offsets.map((o) => [o.partition, BigInt(o.low)]));
    if (fromTimestamp !== undefined) {
      const highs = new Map(offsets.map((o) => [o.partition, o.high]));
      // -1: no record that new, so the partition starts at its end.
      for (const o of await admin.fetchTopicOffsetsByTimestamp(topic, fromTimestamp))
        starts.set(o.partition, BigInt(o.offset === '-1' ? highs.get(o.partition)! : o.offset));
    }
    return await readPartitions(kafka, admin, topic, starts, timeoutMs);
  } finally {
    await admin.disconnect();
  }
}

async function readPartitions(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  from: ReadonlyMap<number, bigint>,
  timeoutMs: number,
): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  await readPartitionBatches(kafka, admin, topic, from, timeoutMs, async (partition, messages) => {
    for (const message of messages) records.push({ partition, message });
  });
  return records.sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
  );
}

/**
 * Hands the records of some partitions of `topic` to `onRecords` as they are fetched, a batch of
 * one partition at a time in offset order, each partition from its given offset (clamped to its
 * start) up to its end as of the call, so that a large read need not be held in memory. The next
 * batch waits for `onRecords` to finish.
 */
export async function readPartitionsInBatches(
  kafka: Kafka,
  topic: string,
  from: ReadonlyMap<number, bigint>,
  timeoutMs: number,
  onRecords: (partition: number, messages: KafkaMessage[]) => Promise<void>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await readPartitionBatches(kafka, admin, topic, from, timeoutMs, onRecords);
  } finally {
    await admin.disconnect();
  }
}

async function readPartitionBatches(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  from: ReadonlyMap<number, bigint>,
  timeoutMs: number,
  onRecords: (partition: number, messages: KafkaMessage[]) => Promise<void>,
): Promise<void> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const starts = new Map<number, bigint>();
  const remaining = new Map<number, bigint>();
  for (const o of offsets) {
    const wanted = from.get(o.partition);
    if (wanted === undefined) continue;
    const start = wanted > BigInt(o.low) ? wanted : BigInt(o.low);
    if (BigInt(o.high) > start) {
      starts.set(o.partition, start);
      remaining.set(o.partition, BigInt(o.high));
    }
  }
  if (remaining.size === 0) return;

  const groupId = `looper-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ ...consumerDefaults, groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} to its end took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      let failed = false;
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = remaining.get(batch.partition);
            if (end === undefined || failed) return;
            const start = starts.get(batch.partition)!;
            const wanted = batch.messages.filter((m) => BigInt(m.offset) >= start && BigInt(m.offset) < end);
            try {
              if (wanted.length > 0) await onRecords(batch.partition, wanted);
            } catch (error) {
              // The reader's failure, not the consumer's: kafkajs would retry the batch and then stop.
              failed = true;
              clearTimeout(timer);
              reject(error);
              return;
            }
            const last = batch.messages[batch.messages.length - 1];
            if (last && BigInt(last.offset) + 1n >= end) remaining.delete(batch.partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
      // Skip straight to the first wanted record, and past partitions not wanted at all.
      for (const o of offsets)
        consumer.seek({ topic, partition: o.partition, offset: String(starts.get(o.partition) ?? o.high) });
    });
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

/** Partition counts of the topics that exist among `list` (a missing topic is absent, not an error). */
export async function partitionCounts(admin: Admin, list: readonly string[]): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const present = list.filter((t) => existing.has(t));
  if (present.length === 0) return new Map();
  const { topics: found } = await admin.fetchTopicMetadata({ topics: present });
  return new Map(found.map((t) => [t.name, t.partitions.length]));
}

/** Bytes of records one send carries at most: under the broker's default max.message.bytes (1 MB) per partition batch. */
export const SEND_CHUNK_BYTES = 512 * 1024;

/**
 * Records one send carries at most: kafkajs groups a send's records by partition by copying the
 * group for each record, so a send's cost grows with the square of its records to one partition
 * (2,500 small changelog records made 25 MB of garbage a send).
 */
export const SEND_CHUNK_MESSAGES = 500;

type OutgoingRecord = { key: string; value: Buffer | string | null; partition?: number };

/**
 * Where the send that starts at `start` ends (exclusive): at most SEND_CHUNK_BYTES of keys and
 * values and SEND_CHUNK_MESSAGES records, and at least one record (a record alone may be larger).
 */
export function chunkEnd(messages: ReadonlyArray<OutgoingRecord>, start: number): number {
  let bytes = 0;
  for (let i = start; i < messages.length; i++) {
    const m = messages[i]!;
    bytes += m.key.length + (m.value?.length ?? 0) + 32;
    if (i > start && (bytes > SEND_CHUNK_BYTES || i - start === SEND_CHUNK_MESSAGES)) return i;
  }
  return messages.length;
}

/**
 * Produces `messages` in order, in sends that chunkEnd bounds: a large batch (a backlog caught up
 * at once) must not become a record batch the broker refuses.
 */
export async function sendInChunks(
  producer: Producer,
  topic: string,
  messages: ReadonlyArray<OutgoingRecord>,
): Promise<void> {
  for (let start = 0; start < messages.length;) {
    const end = chunkEnd(messages, start);
    await producer.send({ topic, acks: -1, messages: messages.slice(start, end) });
    start = end;
  }
}
