// The features service: streaming aggregates per entity from product events, in RocksDB, served
// to the predictor by batched NATS lookups.
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
import { planFeatureStreams, type FeatureStreamPlan } from '../lib/features/index.js';
import { FeatureStateCache } from './state-cache.js';
import { createIngest } from './ingest.js';
import { serveLookups } from './lookup.js';
import { restoreFromChangelog } from './restore.js';

const instance = process.env['LOOPER_INSTANCE'] ?? '0';
const ctx = await startServiceContext('features', compileConfig(process.env, homedir()));
const store = await openRocksStore(serviceStateDir(ctx.config.dataDir, 'features', instance));
ctx.onShutdown(() => store.close());
await restoreFromChangelog(ctx, store);

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

/**
 * Partitions are ingested concurrently when every entity is the record key: its states then live
 * in one partition, so concurrent batches touch disjoint keys. An entity read from a field can
 * appear in any partition, so then batches run one at a time.
 */
const partitionsConcurrently = () => ([...plan.specs.values()].some((spec) => spec.entityField !== null) ? 1 : 3);

const cache = new FeatureStateCache(store);
const deadLetters = createDeadLetterSink('features', ctx.producer, ctx.codec, ctx.log);
const ingest = createIngest(ctx, store, () => plan, cache, deadLetters);
const lookups = serveLookups(ctx, () => plan, cache);
topicsFollower.current = await followTopics(
  ctx,
  () => plan.topics.map((t) => t.topic),
  (list) => startStatefulConsumer(ctx, { groupId: consumerGroups.features, topics: list, store, process: ingest.process, partitionsConcurrently: partitionsConcurrently() }),
  () => String(partitionsConcurrently()),
);
ctx.onShutdown(() => topicsFollower.current?.stop());
ctx.markReady();
ctx.log(`serving lookups for ${plan.blueprints.size} blueprints`);
const report = setInterval(() => {
  const s = ingest.stats;
  ctx.log(`events ${s.events}, applied ${s.applied}, late ${s.late}, dead-lettered ${s.deadLettered}, lookups ${lookups.lookups()}`);
}, 30_000);
report.unref();
