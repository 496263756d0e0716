// State moves between instances through a compacted changelog (the features service's, the
// joiner's). Every write goes to the changelog partition of the input partition it belongs to
// (p mod the changelog's partitions), so an instance given partition p restores exactly that
// changelog partition before it processes p.
//
// A checkpoint per changelog partition records how far this store already reflects it: a restart
// or a rebalance reads only what was written after it (nothing, when this instance was the only
// writer and stopped cleanly), and an empty disk reads it all.
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { KeyValueStore } from './rocks.js';
import { readPartitionsInBatches, type TopicRecord } from '../kafka.js';

const CHECKPOINT_PREFIX = '~changelog/';

export const checkpointKey = (changelogPartition: number): string => `${CHECKPOINT_PREFIX}${changelogPartition}`;

/** The changelog partition that holds the states of an input partition. */
export function changelogPartitionOf(inputPartition: number, changelogPartitions: number): number {
  return inputPartition % changelogPartitions;
}

/** The changelog partitions holding the states of some input partitions, ascending. */
export function changelogPartitionsOf(inputPartitions: Iterable<number>, changelogPartitions: number): number[] {
  return [...new Set([...inputPartitions].map((p) => changelogPartitionOf(p, changelogPartitions)))].sort(
    (a, b) => a - b,
  );
}

/**
 * Which record of a key is its newest, deciding record by record as they are read: within a
 * partition the later offset (whatever the writers' clocks say); across partitions the later record
 * time — a key may also have a record in another partition from the older layout (see
 * features/changelog-layout.ts), which is always older. Keeps each key's partition and time only,
 * not its value. Partitions may come interleaved: that decides as their partition-then-offset order
 * would, except where a partition's clock went back below an older-layout record's time.
 */
export class NewestRecords {
  private readonly seen = new Map<string, { partition: number; ts: number }>();

  /** Whether this record, read after every earlier record of its partition, is now its key's newest. */
  supersedes(key: string, partition: number, ts: number): boolean {
    const seen = this.seen.get(key);
    if (seen && partition !== seen.partition && ts <= seen.ts) return false;
    this.seen.set(key, { partition, ts });
    return true;
  }

  /**
   * Of one partition's records, read after every earlier record of it and in offset order: the
   * value of each key whose newest record is now among them (null: a tombstone).
   */
  newestOf(partition: number, messages: readonly KafkaMessage[]): Map<string, Buffer | null> {
    const newest = new Map<string, Buffer | null>();
    for (const message of messages) {
      if (!message.key) continue;
      const key = message.key.toString();
      if (this.supersedes(key, partition, Number(message.timestamp))) newest.set(key, message.value);
    }
    return newest;
  }

  /** Keys seen so far. */
  get size(): number {
    return this.seen.size;
  }
}

/** The newest record of each key (see NewestRecords), of records in partition then offset order. */
export function newestByKey(records: readonly TopicRecord[]): Map<string, { partition: number; value: Buffer | null }> {
  const rule = new NewestRecords();
  const newest = new Map<string, { partition: number; value: Buffer | null }>();
  for (const { partition, message } of records) {
    for (const [key, value] of rule.newestOf(partition, [message])) newest.set(key, { partition, value });
  }
  return newest;
}

export interface RestoreReport {
  readonly records: number;
  readonly keys: number;
  readonly ms: number;
}

export class ChangelogRestorer {
  private partitionCount: number | null = null;

  constructor(
    private readonly kafka: Kafka,
    /** The local store, written directly: what is restored is never written back to the changelog. */
    private readonly store: KeyValueStore,
    private readonly topic: string,
  ) {}

  /** The changelog's partition count (read once; a changelog never changes it). */
  async changelogPartitions(): Promise<number> {
    if (this.partitionCount === null) {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        this.partitionCount = (await admin.fetchTopicOffsets(this.topic)).length;
      } finally {
        await admin.disconnect();
      }
    }
    return this.partitionCount;
  }

  /**
   * Brings the store up to date with some changelog partitions, each from its checkpoint. An abort
   * stops it at the next fetched batch, checkpointing nothing: what it wrote is re-read next time.
   */
  async restore(changelogPartitions: readonly number[], signal?: AbortSignal): Promise<RestoreReport> {
    const started = Date.now();
    if (changelogPartitions.length === 0) return { records: 0, keys: 0, ms: 0 };
    const stored = await this.store.getMany(changelogPartitions.map(checkpointKey));
    const from = new Map(changelogPartitions.map((q, i) => [q, stored[i] ? BigInt(stored[i]!.toString()) : 0n]));
    // The ends are taken before reading, so the checkpoints never claim more than was read.
    const ends = await this.ends(changelogPartitions);
    // Each fetched batch is written as it is read (a changelog can hold millions of records since a
    // checkpoint); the newest record of each key is its state, and a null value deletes it.
    const rule = new NewestRecords();
    let records = 0;
    await readPartitionsInBatches(this.kafka, this.topic, from, 600_000, async (partition, messages) => {
      signal?.throwIfAborted();
      records += messages.length;
      const put: Array<[string, Buffer]> = [];
      const del: string[] = [];
      for (const [key, value] of rule.newestOf(partition, messages)) {
        if (value === null) del.push(key);
        else put.push([key, value]);
      }
      await this.store.write({ put, del });
    });
    await this.checkpoint(ends);
    return { records, keys: rule.size, ms: Date.now() - started };
  }

  /**
   * Records that the store reflects these changelog partitions up to their current ends: only
   * valid once this instance's own writes to them are done and no other instance writes to them.
   */
  async checkpointAtEnd(changelogPartitions: readonly number[]): Promise<void> {
    if (changelogPartitions.length > 0) await this.checkpoint(await this.ends(changelogPartitions));
  }

  private async checkpoint(ends: ReadonlyMap<number, string>): Promise<void> {
    await this.store.write({
      put: [...ends].map(([q, end]) => [checkpointKey(q), Buffer.from(end)] as [string, Buffer]),
      del: [],
    });
  }

  private async ends(changelogPartitions: readonly number[]): Promise<Map<number, string>> {
    const wanted = new Set(changelogPartitions);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topic);
      return new Map(offsets.filter((o) => wanted.has(o.partition)).map((o) => [o.partition, o.high]));
    } finally {
      await admin.disconnect();
    }
  }
}
