// The joiner service: decisions ⨝ outcomes → labeled examples on looper.examples, each exactly once.
// Instances share the work through one consumer group, partition p of every input to the same
// instance: a decision (keyed by entity), its outcomes (keyed by its decision id, drawn to share the
// entity's partition) and its entity's label events meet on one instance. Every state change is
// mirrored to looper.joiner.changelog, partition by partition, so an instance given a partition
// restores its pending decisions there before it joins anything of it.
import { homedir } from 'node:os';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { openRocksStore } from '../lib/store/rocks.js';
import { createDeadLetterSink } from '../lib/dead-letters.js';
import { offsetKey, startStatefulConsumer } from '../lib/stateful-consumer.js';
import { followTopics } from '../lib/topic-follower.js';
import { serviceStateDir } from '../lib/service-paths.js';
import { consumerGroups } from '../lib/names.js';
import { errorMessage } from '../lib/errors.js';
import { openOutbox } from './outbox.js';
import { createJoinerCore } from './joiner.js';
import { topics } from '../../topology/topics.js';
import { partitionCounts } from '../lib/kafka.js';
import { changeloggedStore } from '../lib/store/changelogged.js';
import { holdingLine } from '../lib/partitioning/holding-line.js';
import { ChangelogRestorer, changelogPartitionOf, changelogPartitionsOf } from '../lib/store/changelog-restore.js';
import { coPartitionedAssigner, partitionNumbers } from '../lib/partitioning/co-partitioned.js';
import { recordPartition } from '../lib/joiner/key-owner.js';

const ctx = await startServiceContext('joiner', compileConfig(process.env, homedir()));
const { instance } = ctx.config;
const local = await openRocksStore(serviceStateDir(ctx.config.dataDir, 'joiner', instance));
ctx.onShutdown(() => local.close());
const restorer = new ChangelogRestorer(ctx.kafka, local, topics.joinerChangelog.name);
const changelogPartitions = await restorer.changelogPartitions();
const inputPartitions = await decisionPartitions();
/** The input partitions this instance holds; none until the group assigns them. */
let held = new Set<number>();
const partitionOf = (key: string) => recordPartition(key, inputPartitions);
const holds = (key: string) => {
  const p = partitionOf(key);
  return p === null || held.has(p);
};
const store = changeloggedStore(local, ctx.producer, topics.joinerChangelog.name, (key) => {
  const p = partitionOf(key);
  return p === null ? null : changelogPartitionOf(p, changelogPartitions);
});

async function decisionPartitions(): Promise<number> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    return (
      (await partitionCounts(admin, [topics.decisions.name])).get(topics.decisions.name) ?? topics.decisions.partitions
    );
  } finally {
    await admin.disconnect();
  }
}

// Blueprint changes refresh the consumed topics once the follower exists.
const topicsFollower: { current?: Awaited<ReturnType<typeof followTopics>> } = {};
const blueprints = await watchBlueprints(ctx, () => void topicsFollower.current?.refresh());
await blueprints.caughtUp;
const outbox = await openOutbox(ctx, store, ctx.producer, holds);
const deadLetters = createDeadLetterSink('joiner', ctx.producer, ctx.codec, ctx.log);
const core = createJoinerCore(ctx, store, blueprints, outbox, deadLetters, holds);

/**
 * The assigned input partitions ("topic/partition") with records this joiner has yet to read: from
 * its stored position (stateful-consumer.ts), else the group's committed offset, else the
 * partition's start, to its end.
 */
async function partitionsBehind(assigned: ReadonlyArray<{ topic: string; partition: number }>): Promise<string[]> {
  const stored = await store.getMany(assigned.map((a) => offsetKey(a.topic, a.partition)));
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const behind: string[] = [];
    for (const topic of new Set(assigned.map((a) => a.topic))) {
      const offsets = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o]));
      const [group] = await admin.fetchOffsets({ groupId: consumerGroups.joiner, topics: [topic] });
      assigned.forEach((a, i) => {
        if (a.topic !== topic) return;
        const ends = offsets.get(a.partition);
        if (!ends) return;
        // No committed offset: the consumer reads from the beginning (stateful-consumer.ts).
        const committed = BigInt(group?.partitions.find((p) => p.partition === a.partition)?.offset ?? '-1');
        const from = stored[i] ? BigInt(stored[i].toString()) : committed >= 0n ? committed : BigInt(ends.low);
        if (from < BigInt(ends.high)) behind.push(`${topic}/${a.partition}`);
      });
    }
    return behind;
  } finally {
    await admin.disconnect();
  }
}

/** Whether this instance alone writes the changelog partitions of what it holds (see stop below). */
let soleWriter = false;
async function prepare(assigned: Array<{ topic: string; partition: number }>, stale: AbortSignal): Promise<void> {
  await core.exclusively(async () => {
    const partitions = partitionNumbers(assigned);
    const report = await restorer.restore(changelogPartitionsOf(partitions, changelogPartitions), stale);
    held = new Set(partitions);
    soleWriter = inputPartitions <= changelogPartitions;
    ctx.log(holdingLine(partitions, report));
    // Entries restored from an instance that stopped mid-drain may already be on looper.examples.
    await outbox.recover();
    return partitionsBehind(assigned);
  });
  await outbox.drain();
}

const wanted = () => [
  topics.decisions.name,
  topics.outcomes.name,
  ...[...blueprints.current().values()].flatMap((bp) => (bp.label.topic ? [bp.label.topic] : [])),
];
topicsFollower.current = await followTopics(ctx, wanted, async (list) => {
  // Ready once the group has given this joiner its partitions: before that nothing is joined.
  const consumer = await startStatefulConsumer(ctx, {
    groupId: consumerGroups.joiner,
    topics: list,
    store,
    process: core.process,
    partitionAssigners: [coPartitionedAssigner],
    prepare,
    onAssigned: () => ctx.markReady(),
  });
  return {
    async stop() {
      const partitions = [...held];
      await consumer.stop();
      // Stopped cleanly as the only writer: the next start on this disk need not re-read them.
      if (soleWriter) await restorer.checkpointAtEnd(changelogPartitionsOf(partitions, changelogPartitions));
    },
  };
});
ctx.onShutdown(() => topicsFollower.current?.stop());

// One tick at a time: a long one (a backlog's windows closing chunk by chunk) is not joined by more.
// A stop waits for the tick in progress to finish its chunk: the store and producer close after it.
let ticking: Promise<unknown> | null = null;
const stopTicking = new AbortController();
const ticker = setInterval(() => {
  if (ticking) return;
  ticking = core
    .tick(stopTicking.signal)
    .catch((error) => ctx.log(`closing windows failed: ${errorMessage(error)}`))
    .finally(() => (ticking = null));
}, 1000);
ctx.onShutdown(async () => {
  clearInterval(ticker);
  stopTicking.abort();
  await ticking;
});
ctx.log(`joining; examples emitted so far this run: ${outbox.emitted()}`);
const report = setInterval(() => ctx.log(`examples emitted ${outbox.emitted()}`), 30_000);
report.unref();
