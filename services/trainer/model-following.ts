// What the trainer knows of looper.models and looper.deployments: both are read to their end
// before training starts (so the first plan of each blueprint already sees the deployment and the
// newest version of its lineage), then followed, and `onChange` hears of every blueprint whose
// versions or deployment changed. Replays of records already read change nothing (the catalog
// ignores known versions and deployment revisions it has applied).
import type { Deployment, ModelVersion } from '../lib/schemas/generated.js';
import type { ServiceContext } from '../lib/runtime.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { errorMessage } from '../lib/errors.js';
import { topics } from '../../topology/topics.js';
// Shared with the predictor; both belong in services/lib/ (the trainer may not own them).
import { followTopic } from '../lib/serving/follow-topic.js';
import { ModelCatalog } from '../lib/serving/model-catalog.js';

/** Reads both topics to their end, then follows them; resolves once caught up. */
export async function followModelsAndDeployments(
  ctx: ServiceContext,
  onChange: (blueprint: string) => void,
): Promise<ModelCatalog<ModelVersion>> {
  const catalog = new ModelCatalog<ModelVersion>();
  const addVersion = async (value: Buffer): Promise<string | null> => {
    try {
      const mv = await ctx.codec.decode<ModelVersion>(topics.models, value);
      return catalog.addVersion(mv) ? mv.blueprint : null;
    } catch (error) {
      ctx.log(`skipping an undecodable model version: ${errorMessage(error)}`);
      return null;
    }
  };
  const deploy = async (value: Buffer): Promise<string | null> => {
    try {
      const deployment = await ctx.codec.decode<Deployment>(topics.deployments, value);
      return catalog.deploy(deployment) ? deployment.blueprint : null;
    } catch (error) {
      ctx.log(`skipping an undecodable deployment: ${errorMessage(error)}`);
      return null;
    }
  };

  for (const { message } of await readTopicToEnd(ctx.kafka, topics.models.name, 120_000)) {
    if (message.value) await addVersion(message.value);
  }
  for (const { message } of await readTopicToEnd(ctx.kafka, topics.deployments.name)) {
    if (message.value) await deploy(message.value);
  }
  const notify = (blueprint: string | null) => {
    if (blueprint !== null) onChange(blueprint);
  };
  await followTopic(ctx, topics.models, async (value) => notify(await addVersion(value)));
  await followTopic(ctx, topics.deployments, async (value) => notify(await deploy(value)));
  return catalog;
}
