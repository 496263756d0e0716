// The joiner service: decisions ⨝ outcomes → labeled examples on looper.examples, each exactly once.
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
import { errorMessage } from '../lib/errors.js';
import { openOutbox } from './outbox.js';
import { createJoinerCore } from './joiner.js';
import { topics } from '../../topology/topics.js';

const instance = process.env['LOOPER_INSTANCE'] ?? '0';
const ctx = await startServiceContext('joiner', compileConfig(process.env, homedir()));
const store = await openRocksStore(serviceStateDir(ctx.config.dataDir, 'joiner', instance));
ctx.onShutdown(() => store.close());

// Blueprint changes refresh the consumed topics once the follower exists.
const topicsFollower: { current?: Awaited<ReturnType<typeof followTopics>> } = {};
const blueprints = await watchBlueprints(ctx, () => void topicsFollower.current?.refresh());
await blueprints.caughtUp;
const outbox = await openOutbox(ctx, store, ctx.producer);
const deadLetters = createDeadLetterSink('joiner', ctx.producer, ctx.codec, ctx.log);
const core = createJoinerCore(ctx, store, blueprints, outbox, deadLetters);

const wanted = () => [topics.decisions.name, topics.outcomes.name, ...[...blueprints.current().values()].flatMap((bp) => (bp.label.topic ? [bp.label.topic] : []))];
topicsFollower.current = await followTopics(ctx, wanted, (list) =>
  // Ready once the group has given this joiner its partitions: before that nothing is joined.
  startStatefulConsumer(ctx, { groupId: consumerGroups.joiner, topics: list, store, process: core.process, onAssigned: () => ctx.markReady() }),
);
ctx.onShutdown(() => topicsFollower.current?.stop());

const ticker = setInterval(() => {
  core.tick().catch((error) => ctx.log(`closing windows failed: ${errorMessage(error)}`));
}, 1000);
ctx.onShutdown(() => clearInterval(ticker));
ctx.log(`joining; examples emitted so far this run: ${outbox.emitted()}`);
const report = setInterval(() => ctx.log(`examples emitted ${outbox.emitted()}`), 30_000);
report.unref();
