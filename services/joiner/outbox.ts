// Exactly-once emission of examples. Each batch writes its examples into an outbox in the same
// RocksDB write as its state and offsets; they are produced from there and then removed. After a
// crash, outbox entries that already reached looper.examples (found there by id) are dropped
// instead of produced twice. The recovery reads the topic's retained examples: bounded by its
// retention, and only needed after a crash that left the outbox non-empty. A send that failed is
// treated the same way: the broker may have taken its records before the error (a timeout while
// the broker restarts), so the next drain first drops what reached the topic since that send.
//
// Examples are keyed by blueprint name: all of a blueprint's examples land in one partition, so the
// trainer instance holding that partition is the one that learns the blueprint
// (services/trainer/held-blueprints.ts).
import type { Producer } from 'kafkajs';
import type { Example } from '../lib/schemas/generated.js';
import type { ServiceContext } from '../lib/runtime.js';
import type { KeyValueStore } from '../lib/store/rocks.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { topics } from '../../topology/topics.js';

const OUTBOX = '~outbox/';

/** Outbox value: 2-byte key length, the record key (the example's blueprint), the encoded example. */
export function outboxEntries(
  examples: readonly Example[],
  encode: (e: Example) => Buffer,
): Array<[string, Uint8Array]> {
  return examples.map((e) => {
    const key = Buffer.from(e.blueprint, 'utf8');
    const head = Buffer.allocUnsafe(2);
    head.writeUInt16BE(key.length);
    return [`${OUTBOX}${e.exampleId}`, Buffer.concat([head, key, encode(e)])];
  });
}

/** The record an outbox value is produced as. */
export function splitEntry(value: Buffer): { key: string; value: Buffer } {
  const length = value.readUInt16BE(0);
  return { key: value.subarray(2, 2 + length).toString('utf8'), value: value.subarray(2 + length) };
}

const CHUNK_BYTES = 512 * 1024;
/**
 * How far before a failed send the next drain looks for its records: they carry the producer's
 * clock (CreateTime), which is this process's, so a minute covers any reordering of the chunks.
 */
const UNSURE_SLACK_MS = 60_000;
/**
 * An example is produced after its decision was made, so its record is no older than the
 * decision's time, less the clock skew between the predictor's host and this one. A recovery reads
 * the topic from there: on a long-lived stack the whole topic took longer than the read's deadline,
 * every assignment's preparation failed on it, and the joiner stopped joining.
 */
const DECISION_CLOCK_SKEW_MS = 5 * 60_000;
/** A recovery reads at most this long; a read of a failed send's minute, READ_MS. */
const RECOVERY_READ_MS = 120_000;
const READ_MS = 30_000;

/** Consecutive runs of entries whose values add up to at most `limit` bytes (an entry alone may exceed it). */
export function chunksOf<T extends readonly [string, Uint8Array]>(entries: readonly T[], limit: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length > 0 && bytes + entry[1].length > limit) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry[1].length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export interface Outbox {
  /**
   * Produces every entry in the outbox and removes them. After a send that failed, first drops the
   * entries that reached looper.examples all the same.
   */
  drain(): Promise<number>;
  /**
   * Drops the entries that already reached looper.examples (after a crash, or entries restored
   * from another instance's changelog), so that draining cannot produce them twice.
   */
  recover(): Promise<void>;
  emitted(): number;
}

/** `holds`: the entries of this instance's partitions (another joiner drains its own). */
export async function openOutbox(
  ctx: Pick<ServiceContext, 'kafka' | 'codec' | 'log'>,
  store: KeyValueStore,
  producer: Producer,
  holds: (key: string) => boolean = () => true,
): Promise<Outbox> {
  let emitted = 0;
  const entries = async () => (await store.scan({ gte: OUTBOX, lt: `${OUTBOX}\uffff` })).filter(([k]) => holds(k));

  // One drain at a time: a batch's drain and the window-closing tick's drain would otherwise read
  // the same entries and produce them twice.
  let chain: Promise<unknown> = Promise.resolve();
  const drain = (): Promise<number> => {
    const next = chain.then(drainOnce, drainOnce);
    chain = next.catch(() => undefined);
    return next;
  };

  /** When the earliest send whose outcome is unknown began (it failed), until a drain has checked the topic. */
  let unsureSince: number | null = null;

  async function drainOnce(): Promise<number> {
    if (unsureSince !== null) {
      await dropPublished('a failed send', unsureSince - UNSURE_SLACK_MS, READ_MS);
      unsureSince = null;
    }
    const pending = await entries();
    if (pending.length === 0) return 0;
    // A blueprint's examples share one partition, so one produce request carries them all: sent in
    // chunks under the broker's message size limit (1 MB by default) however large the backlog.
    for (const chunk of chunksOf(pending, CHUNK_BYTES)) {
      const sentAt = Date.now();
      try {
        await producer.send({
          topic: topics.examples.name,
          acks: -1,
          messages: chunk.map(([, value]) => splitEntry(value)),
        });
      } catch (error) {
        unsureSince = Math.min(unsureSince ?? sentAt, sentAt);
        throw error;
      }
      await store.write({ put: [], del: chunk.map(([k]) => k) });
      emitted += chunk.length;
    }
    return pending.length;
  }

  /** Drops the outbox entries found on looper.examples among the records produced from `fromTs` on. */
  async function dropPublished(after: string, fromTs: number, readMs: number): Promise<void> {
    const left = await entries();
    if (left.length === 0) return;
    const published = new Set<string>();
    for (const { message } of await readTopicToEnd(ctx.kafka, topics.examples.name, readMs, fromTs)) {
      if (!message.value) continue;
      const example = await ctx.codec.decode<Example>(topics.examples, message.value);
      published.add(example.exampleId);
    }
    const done = left.filter(([k]) => published.has(k.slice(OUTBOX.length))).map(([k]) => k);
    await store.write({ put: [], del: done });
    ctx.log(
      `outbox check after ${after}: ${done.length} of ${left.length} examples had already been produced; producing the rest`,
    );
  }

  // Recovery: anything left in the outbox may or may not have been produced before the crash.
  async function recover(): Promise<void> {
    let oldest = Number.POSITIVE_INFINITY;
    for (const [, value] of await entries()) {
      const example = await ctx.codec.decode<Example>(topics.examples, splitEntry(Buffer.from(value)).value);
      oldest = Math.min(oldest, example.decisionTs);
    }
    if (oldest === Number.POSITIVE_INFINITY) return;
    await dropPublished('a restart or a new assignment', oldest - DECISION_CLOCK_SKEW_MS, RECOVERY_READ_MS);
  }
  await recover();
  await drain();
  return { drain, recover, emitted: () => emitted };
}
