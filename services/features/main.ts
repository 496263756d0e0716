// The features service: streaming aggregates per entity from product events, in RocksDB, served
// to the predictor by NATS lookups. Instances share the product topics' partitions through one
// consumer group, partition p of every topic to the same instance (co-partitioned), which restores
// p's states from the changelog before ingesting it and answers p's lookups.
import { homedir } from 'node:os';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { openRocksStore } from '../lib/store/rocks.js';
import { createDeadLetterSink } from '../lib/dead-letters.js';
import { startStatefulConsumer } from '../lib/stateful-consumer.js';
import { followTopics } from '../lib/topic-follower.js';
import { serviceStateDir } from '../lib/service-paths.js';
import { consumerGroups } from '../lib/names.js';
import { featureArrivals, planFeatureStreams, type FeatureStreamPlan } from '../lib/features/index.js';
import { LatenessAlerts, LatenessWindow, latenessRecords } from '../lib/monitoring/lateness.js';
import { errorMessage } from '../lib/errors.js';
import { FeatureStateCache } from './state-cache.js';
import { createIngest } from './ingest.js';
import { serveLookups } from './lookup.js';
import { holdingLine } from '../lib/partitioning/holding-line.js';
import { ChangelogRestorer, changelogPartitionsOf } from '../lib/store/changelog-restore.js';
import { topics } from '../../topology/topics.js';
import { ensureChangelogLayout } from './changelog-layout.js';
import { coPartitionedAssigner, partitionNumbers } from '../lib/partitioning/co-partitioned.js';

const ctx = await startServiceContext('features', compileConfig(process.env, homedir()));
const { instance } = ctx.config;
const store = await openRocksStore(serviceStateDir(ctx.config.dataDir, 'features', instance));
ctx.onShutdown(() => store.close());
const restorer = new ChangelogRestorer(ctx.kafka, store, topics.featureChangelog.name);
const changelogPartitions = await restorer.changelogPartitions();

let plan: FeatureStreamPlan = planFeatureStreams([]);
// Blueprint changes refresh the consumed topics once the follower exists.
const topicsFollower: { current?: Awaited<ReturnType<typeof followTopics>> } = {};
const blueprints = await watchBlueprints(ctx, () => {
  plan = planFeatureStreams([...blueprints.current().values()]);
  for (const conflict of plan.conflicts) ctx.log(conflict);
  void topicsFollower.current?.refresh();
});
await blueprints.caughtUp;
plan = planFeatureStreams([...blueprints.current().values()]);
await ensureChangelogLayout(ctx.kafka, ctx.producer, store, plan, changelogPartitions, ctx.log);

/**
 * Partitions are ingested concurrently when every entity is the record key: its states then live
 * in one partition, so concurrent batches touch disjoint keys. An entity read from a field can
 * appear in any partition, so then batches run one at a time.
 */
const partitionsConcurrently = () => ([...plan.specs.values()].some((spec) => spec.entityField !== null) ? 1 : 3);

const cache = new FeatureStateCache(store);
const deadLetters = createDeadLetterSink('features', ctx.producer, ctx.codec, ctx.log);
const ingest = createIngest(ctx, store, () => plan, cache, deadLetters, changelogPartitions);
const lookups = serveLookups(ctx, () => plan, cache);

/** Whether this instance alone writes the changelog partitions of what it holds (see stop below). */
let soleWriter = false;
async function prepare(assigned: Array<{ topic: string; partition: number }>, stale: AbortSignal): Promise<void> {
  // Lookups of partitions this instance may lose stop at once; the rest are answered after the restore.
  const held = partitionNumbers(assigned);
  lookups.serve(lookups.served().filter((p) => held.includes(p)));
  const report = await restorer.restore(changelogPartitionsOf(held, changelogPartitions), stale);
  cache.clear();
  ingest.forget();
  soleWriter = await everyTopicFitsTheChangelog([...new Set(assigned.map((a) => a.topic))]);
  ctx.log(holdingLine(held, report));
}

/** With no topic wider than the changelog, partition p's states are written only by p's holder. */
async function everyTopicFitsTheChangelog(list: string[]): Promise<boolean> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const { topics: found } = await admin.fetchTopicMetadata({ topics: list });
    return found.every((t) => t.partitions.length <= changelogPartitions);
  } finally {
    await admin.disconnect();
  }
}

topicsFollower.current = await followTopics(
  ctx,
  () => plan.topics.map((t) => t.topic),
  async (list) => {
    const consumer = await startStatefulConsumer(ctx, {
      groupId: consumerGroups.features,
      topics: list,
      store,
      process: ingest.process,
      partitionsConcurrently: partitionsConcurrently(),
      partitionAssigners: [coPartitionedAssigner],
      prepare,
      onAssigned: (assigned) => {
        lookups.serve(partitionNumbers(assigned));
        ctx.markReady();
      },
    });
    return {
      async stop() {
        const held = lookups.served();
        await consumer.stop();
        // Stopped cleanly as the only writer: the next start of this store need not re-read them.
        if (soleWriter) await restorer.checkpointAtEnd(changelogPartitionsOf(held, changelogPartitions));
      },
    };
  },
  () => String(partitionsConcurrently()),
);
ctx.onShutdown(() => topicsFollower.current?.stop());
// With no product topic to consume yet there is nothing to restore or look up: ready as it is.
if (topicsFollower.current.topics().length === 0) ctx.markReady();
ctx.log(`features for ${plan.blueprints.size} blueprints`);
const report = setInterval(() => {
  const s = ingest.stats;
  ctx.log(
    `events ${s.events}, applied ${s.applied} (${s.lateApplied} of them late), dropped as too late ${s.late}, dead-lettered ${s.deadLettered}, lookups ${lookups.lookups()} (partitions ${lookups.served().join(', ') || 'none'})`,
  );
}, 30_000);
report.unref();

/**
 * How often each feature's arrivals since the last report go to looper.metrics: often enough for
 * the monitor to judge a 2-minute window, seldom enough to add little to the topic.
 */
const LATENESS_REPORT_MS = 10_000;
let reportedAt = Date.now();
const lateness = new LatenessWindow();
const latenessAlerts = new LatenessAlerts();
let reportingLateness = false;
const lateReport = setInterval(() => {
  if (reportingLateness) return;
  reportingLateness = true;
  const now = Date.now();
  const records = latenessRecords(featureArrivals(plan, ingest.arrivals.take()), now, now - reportedAt, instance);
  reportedAt = now;
  // The log warns on what this instance saw; the monitor alerts on every instance's reports (and
  // gives them the ids: these are only logged).
  lateness.add(records);
  for (const change of latenessAlerts.evaluate(lateness.summary(now), now, () => ''))
    ctx.log(`${change.state === 'raised' ? 'WARNING ' : ''}${change.blueprint}: ${change.message}`);
  const send =
    records.length === 0
      ? Promise.resolve()
      : ctx.producer
          .send({
            topic: topics.metrics.name,
            acks: -1,
            messages: records.map((m) => ({ key: m.blueprint, value: ctx.codec.encode(topics.metrics, m) })),
          })
          .then(() => undefined);
  send
    .catch((error) => ctx.log(`lateness report not published: ${errorMessage(error)}`))
    .finally(() => (reportingLateness = false));
}, LATENESS_REPORT_MS);
lateReport.unref();
ctx.onShutdown(() => clearInterval(lateReport));
