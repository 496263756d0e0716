// Which model serves each blueprint: the version a deployment names live, else the newest
// trained version. Swapping is one reference assignment, so no request is dropped or half-served.
import { randomUUID } from 'node:crypto';
import type { Deployment, ModelVersion } from '../lib/schemas/generated.js';
import type { ServiceContext } from '../lib/runtime.js';
import { loadScorer, type Scorer } from '../lib/learners/serving.js';
import { errorMessage } from '../lib/errors.js';
import { topics, type TopicSpec } from '../../topology/topics.js';

export interface ServingModel {
  modelVersion: string;
  family: string;
  sequence: number;
  blueprintVersion: number;
  scorer: Scorer;
}

export interface ModelTable {
  live(blueprint: string): ServingModel | undefined;
}

/** Keeps a private, never-committing consumer on a compacted topic from its start. */
export async function followTopic(ctx: ServiceContext, topic: TopicSpec, onRecord: (value: Buffer) => Promise<void> | void): Promise<void> {
  const groupId = `looper-${ctx.name}-${topic.name}-${randomUUID()}`;
  const consumer = ctx.kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic: topic.name, fromBeginning: true });
  ctx.onShutdown(async () => {
    await consumer.disconnect();
    const admin = ctx.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      if (message.value) await onRecord(message.value);
    },
  });
}

export async function watchModels(ctx: ServiceContext): Promise<ModelTable> {
  const versions = new Map<string, ModelVersion>(); // by modelVersion: artifacts of versions a deployment may name
  const newest = new Map<string, ServingModel>(); // by blueprint
  const deployed = new Map<string, ServingModel>(); // by blueprint, from looper.deployments
  const wantedLive = new Map<string, string>(); // blueprint → model version a deployment names

  const load = (mv: ModelVersion): ServingModel | undefined => {
    try {
      return { modelVersion: mv.modelVersion, family: mv.family, sequence: mv.sequence, blueprintVersion: mv.blueprintVersion, scorer: loadScorer(mv.artifact) };
    } catch (error) {
      ctx.log(`model ${mv.modelVersion} cannot be loaded and is skipped: ${errorMessage(error)}`);
      return undefined;
    }
  };

  await followTopic(ctx, topics.models, async (value) => {
    const mv = await ctx.codec.decode<ModelVersion>(topics.models, value);
    versions.set(mv.modelVersion, mv);
    const current = newest.get(mv.blueprint);
    if (mv.role === 'trained' && (!current || mv.sequence > current.sequence)) {
      const model = load(mv);
      if (model) {
        newest.set(mv.blueprint, model);
        ctx.log(`serving ${mv.modelVersion} (${mv.family}) for ${mv.blueprint}`);
      }
    }
    if (wantedLive.get(mv.blueprint) === mv.modelVersion) {
      const model = load(mv);
      if (model) deployed.set(mv.blueprint, model);
    }
  });

  await followTopic(ctx, topics.deployments, async (value) => {
    const deployment = await ctx.codec.decode<Deployment>(topics.deployments, value);
    if (deployment.live === null) {
      wantedLive.delete(deployment.blueprint);
      deployed.delete(deployment.blueprint);
      return;
    }
    wantedLive.set(deployment.blueprint, deployment.live);
    const mv = versions.get(deployment.live);
    const model = mv ? load(mv) : undefined;
    if (model) deployed.set(deployment.blueprint, model);
  });

  return { live: (blueprint) => deployed.get(blueprint) ?? newest.get(blueprint) };
}
