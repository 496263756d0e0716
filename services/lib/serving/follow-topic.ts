// A private, never-committing consumer on a topic: the way a stateless service rebuilds its view —
// of a compacted topic (looper.models, looper.deployments) from its start, or of a data topic from
// a point in time (the rollout's evidence from the last hour of examples and decisions).
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import type { ServiceContext } from '../runtime.js';
import type { TopicSpec } from '../../../topology/topics.js';
import { errorMessage } from '../errors.js';
import { consumerDefaults } from '../kafka.js';

export interface Following {
  /**
   * Resolves once every record the topic held when the follow began has been handed to onRecord
   * (from its start; a follow from a timestamp resolves at once).
   */
  readonly caughtUp: Promise<void>;
}

/**
 * Follows `topic` with a private group that commits nothing and is deleted on shutdown: from its
 * start, or with `fromTimestamp` from the first record stamped at or after it (epoch ms).
 */
export async function followTopic(
  ctx: ServiceContext,
  topic: Pick<TopicSpec, 'name'>,
  onRecord: (value: Buffer, message: KafkaMessage) => Promise<void> | void,
  fromTimestamp?: number,
): Promise<Following> {
  // Where the topic ended when the follow began: reaching it on every partition is catching up.
  const ends = new Map<number, bigint>();
  if (fromTimestamp === undefined) {
    const admin = ctx.kafka.admin();
    await admin.connect();
    try {
      for (const o of await admin.fetchTopicOffsets(topic.name))
        if (BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
    } finally {
      await admin.disconnect();
    }
  }
  let markCaughtUp = () => undefined as void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if (ends.size === 0) markCaughtUp();
  const groupId = `looper-${ctx.name}-${topic.name}-${randomUUID()}`;
  const consumer = ctx.kafka.consumer({ ...consumerDefaults, groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: topic.name, fromBeginning: fromTimestamp === undefined });
  ctx.onShutdown(async () => {
    await consumer.disconnect();
    const admin = ctx.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (message.value) await onRecord(message.value, message);
      const end = ends.get(partition);
      if (end !== undefined && BigInt(message.offset) + 1n >= end) {
        ends.delete(partition);
        if (ends.size === 0) markCaughtUp();
      }
    },
  });
  if (fromTimestamp === undefined) return { caughtUp };
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const highs = new Map((await admin.fetchTopicOffsets(topic.name)).map((o) => [o.partition, o.high]));
    for (const o of await admin.fetchTopicOffsetsByTimestamp(topic.name, fromTimestamp)) {
      // -1: nothing that recent on the partition, so it starts at its end.
      consumer.seek({
        topic: topic.name,
        partition: o.partition,
        offset: o.offset === '-1' ? highs.get(o.partition)! : o.offset,
      });
    }
  } finally {
    await admin.disconnect();
  }
  return { caughtUp };
}

/**
 * followTopic with each record decoded by the service's codec; a record that cannot be decoded is
 * logged with its topic and skipped, so one bad record never stops a follower.
 */
export function followDecoded<T>(
  ctx: ServiceContext,
  topic: TopicSpec,
  onValue: (value: T) => Promise<void> | void,
  fromTimestamp?: number,
): Promise<Following> {
  return followTopic(
    ctx,
    topic,
    async (bytes) => {
      let value: T;
      try {
        value = await ctx.codec.decode<T>(topic, bytes);
      } catch (error) {
        ctx.log(`skipping an undecodable record on ${topic.name}: ${errorMessage(error)}`);
        return;
      }
      await onValue(value);
    },
    fromTimestamp,
  );
}
