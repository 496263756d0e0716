// A consumer whose state lives in RocksDB together with the offsets that produced it: each batch's
// state changes and the next offset are one atomic write, partitions resume from the stored offset
// (not Kafka's committed one, which only trails it), and records below it are skipped. So a
// restart — or a partition moving to another instance with the same disk — replays nothing twice.
import type { Consumer, EachBatchPayload, KafkaMessage, PartitionAssigner } from 'kafkajs';
import type { ServiceContext } from './runtime.js';
import type { KeyValueStore, WriteSet } from './store/rocks.js';
import { errorMessage } from './errors.js';
import { consumerDefaults, groupMembership, heartbeatUntil } from './kafka.js';

export const OFFSET_PREFIX = '~offset/';

/** kafkajs error types after which this member rejoins its group and gets a new assignment. */
const REJOIN_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']);

export function offsetKey(topic: string, partition: number): string {
  return `${OFFSET_PREFIX}${topic}/${partition}`;
}

export interface BatchInput {
  topic: string;
  partition: number;
  /** The partition's end when the batch was fetched (lag = highWatermark - last offset - 1). */
  highWatermark: string;
  /** Records not applied before, in offset order. */
  messages: KafkaMessage[];
}

export interface BatchOutput extends WriteSet {
  /** Runs before the state is written (e.g. a changelog: replaying after a crash rewrites it identically). */
  beforeWrite?: () => Promise<void>;
  /** Runs after the state is written (e.g. producing what the batch made). */
  afterWrite?: () => Promise<void>;
}

export interface StatefulConsumerOptions {
  groupId: string;
  topics: string[];
  store: KeyValueStore;
  /** Turns a batch into state changes; it must not write to the store itself. */
  process(input: BatchInput): Promise<BatchOutput>;
  /**
   * Partitions processed at once (default 1). Only for state keyed within a partition: batches of
   * different partitions then touch disjoint keys, and their I/O waits overlap.
   */
  partitionsConcurrently?: number;
  /** How the group spreads partitions over instances (kafkajs's default when absent). */
  partitionAssigners?: PartitionAssigner[];
  /**
   * Runs on every assignment before any batch of it is processed and before the stored offsets are
   * read: state a partition needs (restored from a changelog) must be in the store by then.
   * `stale` aborts once the group rebalances away from this assignment: a restore of partitions
   * about to go elsewhere would only hold the group up.
   */
  prepare?: (partitions: Array<{ topic: string; partition: number }>, stale: AbortSignal) => Promise<void>;
  /** Called once the consumer has its partitions and they are prepared (tests wait on it). */
  onAssigned?: (partitions: Array<{ topic: string; partition: number }>) => void;
}

export interface StatefulConsumer {
  consumer: Consumer;
  /** Stored next offsets by "topic/partition". */
  positions(): Map<string, bigint>;
  stop(): Promise<void>;
}

export async function startStatefulConsumer(
  ctx: ServiceContext,
  options: StatefulConsumerOptions,
): Promise<StatefulConsumer> {
  const next = new Map<string, bigint>();
  const consumer = ctx.kafka.consumer({
    ...consumerDefaults,
    ...groupMembership,
    groupId: options.groupId,
    ...(options.partitionAssigners ? { partitionAssigners: options.partitionAssigners } : {}),
  });
  // Batches wait for the latest assignment to be prepared and its offsets restored.
  let assignmentReady: Promise<void> = Promise.resolve();
  await consumer.connect();
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });

  // kafkajs gives up on an error it deems not retriable and leaves the consumer stopped: the service
  // would stay up doing nothing. Exiting hands it to its supervisor, which restarts it.
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) return;
    ctx.log(
      `the ${options.groupId} consumer stopped for good: ${payload.error.message}; exiting so that the service is restarted`,
    );
    process.exit(1);
  });

  // The preparation of the latest assignment, aborted when the group rebalances away from it.
  let preparation = new AbortController();
  const abandonPreparation = () =>
    preparation.abort(new Error('the group is rebalancing: this assignment is out of date'));

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    abandonPreparation();
    preparation = new AbortController();
    const stale = preparation.signal;
    const previous = assignmentReady;
    assignmentReady = (async () => {
      // An abandoned preparation may still be writing until its next batch: the store is this one's after it.
      await previous.catch(() => undefined);
      await options.prepare?.(assigned, stale);
      const stored = await options.store.getMany(assigned.map((a) => offsetKey(a.topic, a.partition)));
      assigned.forEach((a, i) => {
        const value = stored[i];
        if (value) {
          const offset = BigInt(value.toString());
          next.set(`${a.topic}/${a.partition}`, offset);
          consumer.seek({ topic: a.topic, partition: a.partition, offset: offset.toString() });
        }
      });
      options.onAssigned?.(assigned);
    })().catch((error) => {
      // No batch may run on state that was not restored: each throws this, and kafkajs restarts
      // the consumer, which rejoins and prepares again.
      ctx.log(`preparing the assigned partitions failed: ${errorMessage(error)}`);
      throw error;
    });
    assignmentReady.catch(() => undefined);
  });

  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
    eachBatchAutoResolve: false,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      isRunning,
      isStale,
    }: EachBatchPayload) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      try {
        await heartbeatUntil(assignmentReady, heartbeat);
      } catch (error) {
        // A heartbeat refused because the group is rebalancing (or has dropped this member): kafkajs
        // rejoins, and the next assignment is prepared instead of this one.
        if (REJOIN_ERRORS.has((error as { type?: string }).type ?? '')) abandonPreparation();
        throw error;
      }
      if (!isRunning() || isStale()) return;
      const key = `${batch.topic}/${batch.partition}`;
      const from = next.get(key) ?? -1n;
      // Offsets ascend within a batch: only a batch that starts below the stored position is filtered.
      const fresh =
        BigInt(batch.messages[0]!.offset) >= from
          ? batch.messages
          : batch.messages.filter((m) => BigInt(m.offset) >= from);
      const last = batch.messages[batch.messages.length - 1]!;
      if (fresh.length > 0) {
        const output = await options.process({
          topic: batch.topic,
          partition: batch.partition,
          highWatermark: batch.highWatermark,
          messages: fresh,
        });
        const nextOffset = BigInt(last.offset) + 1n;
        await output.beforeWrite?.();
        await options.store.write({
          put: [...output.put, [offsetKey(batch.topic, batch.partition), Buffer.from(nextOffset.toString())]],
          del: output.del,
        });
        next.set(key, nextOffset);
        await output.afterWrite?.();
      }
      resolveOffset(last.offset);
      await commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }],
          },
        ],
      });
      await heartbeat();
    },
  });

  return {
    consumer,
    positions: () => next,
    stop: () => consumer.disconnect(),
  };
}
