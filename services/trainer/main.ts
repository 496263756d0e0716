// The trainer service: continual online training per blueprint from looper.examples; model
// versions are published to looper.models at the blueprint's cadence and served within seconds.
// What each blueprint trains follows looper.deployments (training-plan.ts): the model that serves is
// continued, and a deployed AutoML candidate becomes the blueprint's training configuration.
// Instances share the work through the consumer group: each learns only the blueprints whose
// examples' partition it holds (held-blueprints.ts), and a blueprint that moves here continues the
// newest version published for it, like after a restart.
// A continuation is published only once judged not worse than the version that serves
// (continuation-gate.ts); each refusal is logged and written to looper.metrics, where
// `looper status` shows a blueprint's last one.
import { homedir } from 'node:os';
import type { EachBatchPayload } from 'kafkajs';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { consumerGroups } from '../lib/names.js';
import { errorMessage } from '../lib/errors.js';
import { repeatAfter } from '../lib/repeat.js';
import { initBackend } from '../lib/learners/index.js';
import type { Blueprint, Example, Metric } from '../lib/schemas/generated.js';
import { topics } from '../../topology/topics.js';
import { looperCounter } from '../lib/observability/service-metrics.js';
import { BlueprintTrainer, learnerTask } from './blueprint-trainer.js';
import { describeJudgement, refusalRecord } from './continuation-gate.js';
import { PlanningTrainer } from './planning-trainer.js';
import { MulticlassTrainer } from './multiclass-trainer.js';
import type { Trainer } from './trainer.js';
import { CommitPoint, commitRole } from './commit-point.js';
import { describePublished } from './trained-version.js';
import { multiclassTaskOf } from '../lib/multiclass/index.js';
import { assignedPartitions, HeldBlueprints } from './held-blueprints.js';
import { RecentIds } from './recent-ids.js';
import { followModelsAndDeployments } from './model-following.js';
import {
  describeConfiguration,
  planSwitch,
  planTraining,
  planWithoutDeployment,
  sameConfiguration,
  SIDE_BY_SIDE,
  type TrainingPlan,
} from './training-plan.js';
import { consumerDefaults, groupMembership, heartbeatUntil } from '../lib/kafka.js';

const ctx = await startServiceContext('trainer', compileConfig(process.env, homedir()));
const backend = await initBackend({
  onFallback: (name, reason) => ctx.log(`tfjs backend ${name} unavailable: ${reason}`),
});
ctx.log(`tfjs backend: ${backend}`);

// One lock for everything that touches a trainer: learning a batch, publishing, switching.
let lock: Promise<unknown> = Promise.resolve();
const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
  const run = lock.then(work, work);
  lock = run.catch(() => undefined);
  return run;
};

// Every trainer is handled through the Trainer contract (trainer.ts); `instanceof` only chooses the
// kind a blueprint needs (planningTrainerFor, multiclassTrainerFor, blueprintTrainerFor, reconsider).
const trainers = new Map<string, Trainer>();
/** Where the consumer may commit: each blueprint's learning counts from when its trainer started. */
const commitPoint = new CommitPoint();
/** When each blueprint last learned an example: one idle for a while holds the commit point no longer (commitRole). */
const lastLearned = new Map<string, number>();
/** When each blueprint last published: each keeps its own publish_every, whatever the round's cadence. */
const lastPublished = new Map<string, number>();
/**
 * When each blueprint's last refusal was last written to looper.metrics. `looper status` reads the
 * last 2 minutes of that topic, so the refusal is written again every minute while this trainer
 * holds the blueprint (a restarted trainer has none to tell until it refuses again).
 */
const refusalWritten = new Map<string, number>();
const REFUSAL_REPEAT_MS = 60_000;

function adopt(blueprint: string, trainer: Trainer): void {
  trainers.set(blueprint, trainer);
  commitPoint.started(blueprint);
}
const catalog = await followModelsAndDeployments(ctx, (blueprint) => {
  exclusive(async () => reconsider(blueprint)).catch((error) =>
    ctx.log(`reconsidering ${blueprint} failed: ${errorMessage(error)}`),
  );
});

/** The trainer a plan describes; null when its checkpoint is not held or cannot be adopted (logged). */
function trainerFromPlan(bp: Blueprint, plan: TrainingPlan): BlueprintTrainer | null {
  const checkpoint = plan.checkpoint === null ? null : (catalog.record(plan.checkpoint) ?? null);
  if (plan.checkpoint !== null && checkpoint === null) {
    ctx.log(
      `${bp.name}: checkpoint ${plan.checkpoint} is not held, so ${describeConfiguration(plan.configuration)} cannot start from it`,
    );
    return null;
  }
  try {
    return new BlueprintTrainer(bp, { configuration: plan.configuration, checkpoint });
  } catch (error) {
    ctx.log(`${bp.name}: ${errorMessage(error)}`);
    return null;
  }
}

/** A planning blueprint's bandit, continuing the newest version published for it. */
function planningTrainerFor(bp: Blueprint): PlanningTrainer {
  const trainer = trainers.get(bp.name);
  if (trainer instanceof PlanningTrainer) {
    if (trainer.blueprint.version !== bp.version) trainer.updateBlueprint(bp);
    return trainer;
  }
  trainer?.dispose(); // a trainer of another task, whose learners hold TensorFlow.js memory
  const newest = catalog.lineage(bp.name).newestTrainedVersion;
  const checkpoint = newest === null ? null : (catalog.record(newest) ?? null);
  const created = new PlanningTrainer(bp, checkpoint);
  adopt(bp.name, created);
  ctx.log(
    `training ${bp.name}: ${created.description}${checkpoint ? ` from ${checkpoint.modelVersion}` : ' from scratch'}`,
  );
  return created;
}

/** A blueprint that predicts a class: its multi-class learners, continuing the newest version published for it. */
function multiclassTrainerFor(bp: Blueprint): MulticlassTrainer {
  const trainer = trainers.get(bp.name);
  if (trainer instanceof MulticlassTrainer) {
    if (trainer.blueprint.version !== bp.version) trainer.updateBlueprint(bp);
    return trainer;
  }
  trainer?.dispose();
  const newest = catalog.lineage(bp.name).newestTrainedVersion;
  const checkpoint = newest === null ? null : (catalog.record(newest) ?? null);
  const created = new MulticlassTrainer(bp, checkpoint);
  adopt(bp.name, created);
  ctx.log(
    `training ${bp.name}: ${created.description}${checkpoint ? ` (continuing ${checkpoint.modelVersion} where it fits)` : ' from scratch'}`,
  );
  return created;
}

/** A blueprint that learns a score: its trainer in the configuration its lineage plans. */
function blueprintTrainerFor(bp: Blueprint): BlueprintTrainer {
  const trainer = trainers.get(bp.name);
  if (trainer instanceof BlueprintTrainer) {
    if (trainer.blueprint.version !== bp.version) {
      const before = trainer.configuration;
      trainer.updateBlueprint(bp);
      if (!sameConfiguration(before, trainer.configuration))
        ctx.log(
          `${bp.name} version ${bp.version}: ${describeConfiguration(before)} cannot learn its task; training side by side from scratch`,
        );
    }
    return trainer;
  }
  trainer?.dispose();
  const lineage = catalog.lineage(bp.name);
  const plan = planTraining(lineage) ?? planWithoutDeployment(lineage);
  const planned = trainerFromPlan(bp, plan);
  // From scratch while a version may serve: the first version must still earn its swap.
  const serving = lineage.chosen() ?? lineage.newestTrainedVersion;
  const created =
    planned ??
    new BlueprintTrainer(bp, {
      configuration: SIDE_BY_SIDE,
      checkpoint: null,
      serving: serving === null ? null : (catalog.record(serving) ?? null),
    });
  adopt(bp.name, created);
  ctx.log(
    `training ${bp.name} ${describeConfiguration(created.configuration)}${planned && plan.checkpoint ? ` from ${plan.checkpoint}` : ' from scratch'}`,
  );
  return created;
}

/** The trainer of the kind a blueprint needs (replacing one of another kind); null when its task is not learned. */
function trainerFor(bp: Blueprint): Trainer | null {
  if (bp.task === 'planning') return planningTrainerFor(bp);
  if (multiclassTaskOf(bp) !== null) return multiclassTrainerFor(bp);
  if (!learnerTask(bp)) return null;
  return blueprintTrainerFor(bp);
}

/** Switches a blueprint's trainer when what serves now asks for another configuration. */
async function reconsider(blueprint: string): Promise<void> {
  // No trainer yet: it is created with the plan of the moment when its first example arrives (and
  // none exists before `catalog` is assigned: examples are consumed only after that).
  const trainer = trainers.get(blueprint);
  // Only a trainer of a score has a configuration that what serves can change.
  if (!(trainer instanceof BlueprintTrainer)) return;
  const next = planSwitch(trainer.configuration, planTraining(catalog.lineage(blueprint)));
  if (!next) return;
  const replacement = trainerFromPlan(trainer.blueprint, next);
  if (!replacement) return;
  trainer.dispose();
  adopt(blueprint, replacement);
  ctx.log(
    `${blueprint}: now training ${describeConfiguration(next.configuration)} from ${next.checkpoint} (was ${describeConfiguration(trainer.configuration)})`,
  );
}

// A new blueprint version may replace learners: under the lock, never in the middle of a batch.
const blueprints = await watchBlueprints(ctx, (bp) => {
  exclusive(async () => void (trainers.has(bp.name) && trainerFor(bp))).catch((error) =>
    ctx.log(`updating ${bp.name} failed: ${errorMessage(error)}`),
  );
});
await blueprints.caughtUp;

const seen = new RecentIds(200_000);
const stats = { examples: 0, learned: 0, duplicates: 0, notHeld: 0, published: 0 };
const examplesLearned = looperCounter(ctx.metrics, 'examplesLearned');
const modelsPublished = looperCounter(ctx.metrics, 'modelsPublished');
const consumer = ctx.kafka.consumer({ ...consumerDefaults, ...groupMembership, groupId: consumerGroups.trainer });
await consumer.connect();
await consumer.subscribe({ topic: topics.examples.name, fromBeginning: true });
ctx.onShutdown(() => consumer.disconnect());

/** The blueprints whose examples' partition the group gave this instance: none before it joins. */
const held = new HeldBlueprints();
const admin = ctx.kafka.admin();
await admin.connect();
ctx.onShutdown(() => admin.disconnect());
/** Where a blueprint's name hashes depends on the topic's real partition count: asked at every assignment. */
let partitionCount: number = topics.examples.partitions;
async function examplesPartitionCount(): Promise<number> {
  try {
    const [topic] = (await admin.fetchTopicMetadata({ topics: [topics.examples.name] })).topics;
    if (topic && topic.partitions.length > 0) partitionCount = topic.partitions.length;
  } catch (error) {
    ctx.log(
      `reading the partitions of ${topics.examples.name} failed, placing blueprints over ${partitionCount}: ${errorMessage(error)}`,
    );
  }
  return partitionCount;
}

/**
 * From the start of a rebalance until the new assignment is applied, this instance may be losing
 * blueprints that another instance is about to continue: it publishes nothing meanwhile.
 */
let rebalancing = false;
consumer.on(consumer.events.REBALANCING, () => {
  rebalancing = true;
});

/** Drops, without publishing, the trainers of blueprints whose partition went to another instance. */
async function reassign(partitions: number[]): Promise<void> {
  const dropped = held.reassign({ partitions, partitionCount: await examplesPartitionCount() }, trainers.keys());
  commitPoint.assigned(partitions);
  for (const blueprint of dropped) {
    trainers.get(blueprint)?.dispose();
    trainers.delete(blueprint);
    lastPublished.delete(blueprint);
    lastLearned.delete(blueprint);
    refusalWritten.delete(blueprint);
    commitPoint.forget(blueprint);
  }
  seen.forget(new Set(dropped));
  rebalancing = false;
  ctx.log(
    `assigned partitions [${partitions.join(', ')}] of ${partitionCount} of ${topics.examples.name}${dropped.length > 0 ? `; no longer training ${dropped.join(', ')}` : ''}`,
  );
}

// Ready once the group has given this trainer its partitions: before that it learns nothing.
// The assignment is applied under the lock, so no batch or publishing round sees half of it.
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
  const partitions = assignedPartitions(payload.memberAssignment, topics.examples.name);
  exclusive(() => reassign(partitions))
    .then(() => ctx.markReady())
    .catch((error) => ctx.log(`applying the assignment [${partitions.join(', ')}] failed: ${errorMessage(error)}`));
});
await consumer.run({
  autoCommit: false,
  // Learning a backlog's batch can outlast the session: heartbeats go on meanwhile.
  eachBatch: async ({ batch, heartbeat }: EachBatchPayload) =>
    heartbeatUntil(
      exclusive(async () => {
        const touched = new Set<Trainer>();
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
          // By where the blueprint's name hashes, not by this record's partition: records written
          // before examples were keyed by blueprint are keyed by entity, in any partition.
          if (!held.holds(example.blueprint)) {
            stats.notHeld++;
            continue;
          }
          if (!seen.add(example.exampleId, example.blueprint)) {
            stats.duplicates++;
            continue;
          }
          const bp = blueprints.current().get(example.blueprint);
          const trainer = bp ? trainerFor(bp) : null;
          if (trainer?.add(example)) touched.add(trainer);
        }
        for (const trainer of touched) {
          const learned = await trainer.learnQueued();
          stats.learned += learned;
          if (learned > 0) lastLearned.set(trainer.blueprint.name, Date.now());
          examplesLearned.inc({ blueprint: trainer.blueprint.name }, learned);
        }
        const last = batch.messages[batch.messages.length - 1];
        if (last) commitPoint.consumed(batch.partition, BigInt(last.offset) + 1n);
      }),
      heartbeat,
    ),
});

/**
 * Publishes every trainer that learned since its last version and whose publish_every has passed
 * (a continuation pending its verdict is looked at every round until it has one), then commits as
 * far as every trainer still holding unpublished learning has published (commit-point.ts), so a
 * crash never loses learning that no version carries.
 */
async function publishRound(): Promise<void> {
  await exclusive(async () => {
    if (rebalancing) return;
    const now = Date.now();
    const messages: Array<{ key: string; value: Buffer }> = [];
    const publishedBlueprints: string[] = [];
    const refusals: Metric[] = [];
    for (const trainer of trainers.values()) {
      const name = trainer.blueprint.name;
      // Half a round of slack, so a blueprint whose publish_every is the round's cadence is not skipped by timer jitter.
      if (now - (lastPublished.get(name) ?? 0) < trainer.blueprint.training.publishEveryMs - cadenceMs() / 2) continue;
      const published = trainer.publish(now, catalog.lineage(name).maxSequence);
      // A trainer that publishes unjudged has nothing pending and no judgements: it skips both.
      if (trainer.pendingSince === now) {
        commitPoint.tookVersion(name);
        ctx.log(
          `${name}: took a new version, held until judged against ${trainer.pendingAgainst === 'no-model' ? 'serving no model (its first)' : 'the version that serves'} on the next labelled examples`,
        );
      }
      for (const judgement of trainer.drainJudgements()) {
        ctx.log(describeJudgement(judgement));
        if (judgement.kind !== 'refuse') continue;
        refusals.push(refusalRecord(judgement));
        refusalWritten.set(name, now);
      }
      if (!published) continue;
      lastPublished.set(name, now);
      messages.push({ key: published.record.modelVersion, value: ctx.codec.encode(topics.models, published.record) });
      publishedBlueprints.push(name);
      ctx.log(describePublished(published.record));
    }
    if (messages.length > 0) {
      await ctx.producer.send({ topic: topics.models.name, acks: -1, messages });
      stats.published += messages.length;
      for (const blueprint of publishedBlueprints) {
        modelsPublished.inc({ blueprint });
        commitPoint.published(blueprint);
      }
    }
    for (const trainer of trainers.values()) {
      const name = trainer.blueprint.name;
      if (trainer.lastRefusal === null) continue;
      if (now - (refusalWritten.get(name) ?? 0) < REFUSAL_REPEAT_MS) continue;
      refusals.push(refusalRecord(trainer.lastRefusal));
      refusalWritten.set(name, now);
    }
    if (refusals.length > 0) {
      // What status shows, not what serves: a failed write is logged, and the next round writes again.
      try {
        await ctx.producer.send({
          topic: topics.metrics.name,
          messages: refusals.map((m) => ({ key: m.blueprint, value: ctx.codec.encode(topics.metrics, m) })),
        });
      } catch (error) {
        for (const m of refusals) refusalWritten.delete(m.blueprint);
        ctx.log(`writing continuation refusals to ${topics.metrics.name} failed: ${errorMessage(error)}`);
      }
    }
    const holding: string[] = [];
    for (const t of trainers.values()) {
      const name = t.blueprint.name;
      const role = commitRole(
        {
          hasUnpublished: t.hasUnpublished,
          lastLearnedAt: lastLearned.get(name) ?? null,
          publishEveryMs: t.blueprint.training.publishEveryMs,
        },
        now,
      );
      if (role === 'holding') holding.push(name);
      else if (role === 'covered') commitPoint.published(name);
    }
    const safe = commitPoint.toCommit(holding);
    if (safe.length > 0)
      await consumer.commitOffsets(
        safe.map(({ partition, offset }) => ({ topic: topics.examples.name, partition, offset })),
      );
  });
}

// With no trainer yet, look again every second: a first blueprint with a short publish_every must not wait out 30 s.
const cadenceMs = () =>
  trainers.size === 0
    ? 1000
    : Math.max(1000, Math.min(30_000, ...[...trainers.values()].map((t) => t.blueprint.training.publishEveryMs)));
ctx.onShutdown(repeatAfter(publishRound, cadenceMs, (error) => ctx.log(`publishing failed: ${errorMessage(error)}`)));
ctx.log('learning from looper.examples');
const report = setInterval(
  () =>
    ctx.log(
      `examples ${stats.examples}, learned ${stats.learned}, duplicates ${stats.duplicates}, of blueprints held elsewhere ${stats.notHeld}, versions published ${stats.published}`,
    ),
  30_000,
);
report.unref();
