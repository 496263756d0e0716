// The trainer service: continual online training per blueprint from looper.examples; model
// versions are published to looper.models at the blueprint's cadence and served within seconds.
import { homedir } from 'node:os';
import type { EachBatchPayload } from 'kafkajs';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { consumerGroups } from '../lib/names.js';
import { errorMessage } from '../lib/errors.js';
import { initBackend } from '../lib/learners/index.js';
import type { Blueprint, Example, ModelVersion } from '../lib/schemas/generated.js';
import { topics } from '../../topology/topics.js';
import { BlueprintTrainer, learnerTask } from './blueprint-trainer.js';
import { RecentIds } from './recent-ids.js';

const ctx = await startServiceContext('trainer', compileConfig(process.env, homedir()));
const backend = await initBackend({ onFallback: (name, reason) => ctx.log(`tfjs backend ${name} unavailable: ${reason}`) });
ctx.log(`tfjs backend: ${backend}`);

// The newest published version of each blueprint is where training resumes.
const checkpoints = new Map<string, ModelVersion>();
for (const { message } of await readTopicToEnd(ctx.kafka, topics.models.name, 120_000)) {
  if (!message.value) continue;
  const mv = await ctx.codec.decode<ModelVersion>(topics.models, message.value);
  const current = checkpoints.get(mv.blueprint);
  if (mv.role === 'trained' && (!current || mv.sequence > current.sequence)) checkpoints.set(mv.blueprint, mv);
}

const trainers = new Map<string, BlueprintTrainer>();
function trainerFor(bp: Blueprint): BlueprintTrainer | null {
  if (!learnerTask(bp)) return null;
  let trainer = trainers.get(bp.name);
  if (!trainer) {
    trainer = new BlueprintTrainer(bp, checkpoints.get(bp.name) ?? null);
    trainers.set(bp.name, trainer);
    ctx.log(`training ${bp.name}${checkpoints.has(bp.name) ? ` from ${checkpoints.get(bp.name)!.modelVersion}` : ' from scratch'}`);
  } else if (trainer.blueprint.version !== bp.version) trainer.updateBlueprint(bp);
  return trainer;
}
const blueprints = await watchBlueprints(ctx, (bp) => void (trainers.has(bp.name) && trainerFor(bp)));
await blueprints.caughtUp;

let lock: Promise<unknown> = Promise.resolve();
const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
  const run = lock.then(work, work);
  lock = run.catch(() => undefined);
  return run;
};

const seen = new RecentIds(200_000);
const positions = new Map<number, string>();
const stats = { examples: 0, learned: 0, duplicates: 0, published: 0 };
const consumer = ctx.kafka.consumer({ groupId: consumerGroups.trainer, allowAutoTopicCreation: false });
await consumer.connect();
await consumer.subscribe({ topic: topics.examples.name, fromBeginning: true });
ctx.onShutdown(() => consumer.disconnect());

await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch, heartbeat }: EachBatchPayload) =>
    exclusive(async () => {
      const touched = new Set<BlueprintTrainer>();
      for (const message of batch.messages) {
        if (!message.value) continue;
        stats.examples++;
        let example: Example;
        try {
          example = await ctx.codec.decode<Example>(topics.examples, message.value);
        } catch (error) {
          ctx.log(`skipping an undecodable example at ${batch.partition}@${message.offset}: ${errorMessage(error)}`);
          continue;
        }
        if (!seen.add(example.exampleId)) {
          stats.duplicates++;
          continue;
        }
        const bp = blueprints.current().get(example.blueprint);
        const trainer = bp ? trainerFor(bp) : null;
        if (trainer?.add(example)) touched.add(trainer);
      }
      for (const trainer of touched) stats.learned += await trainer.learnQueued();
      const last = batch.messages[batch.messages.length - 1];
      if (last) positions.set(batch.partition, (BigInt(last.offset) + 1n).toString());
      await heartbeat();
    }),
});

/** Publishes every trainer that learned since its last version, then commits what they learned from. */
async function publishRound(): Promise<void> {
  await exclusive(async () => {
    const now = Date.now();
    const messages: Array<{ key: string; value: Buffer }> = [];
    for (const trainer of trainers.values()) {
      const published = trainer.publish(now);
      if (!published) continue;
      messages.push({ key: published.record.modelVersion, value: ctx.codec.encode(topics.models, published.record) });
      ctx.log(`published ${published.record.modelVersion} (${published.record.family}, ${Object.entries(published.record.metrics).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join(', ')})`);
    }
    if (messages.length > 0) {
      await ctx.producer.send({ topic: topics.models.name, acks: -1, messages });
      stats.published += messages.length;
    }
    if (positions.size > 0) {
      await consumer.commitOffsets([...positions].map(([partition, offset]) => ({ topic: topics.examples.name, partition, offset })));
    }
  });
}

const cadenceMs = () => Math.max(1000, Math.min(30_000, ...[...trainers.values()].map((t) => t.blueprint.training.publishEveryMs)));
let publisher: NodeJS.Timeout;
const schedule = () => {
  publisher = setTimeout(() => {
    publishRound()
      .catch((error) => ctx.log(`publishing failed: ${errorMessage(error)}`))
      .finally(schedule);
  }, cadenceMs());
};
schedule();
ctx.onShutdown(() => clearTimeout(publisher));
ctx.log('learning from looper.examples');
const report = setInterval(() => ctx.log(`examples ${stats.examples}, learned ${stats.learned}, duplicates ${stats.duplicates}, versions published ${stats.published}`), 30_000);
report.unref();
