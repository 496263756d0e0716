// Which model serves each blueprint (the rule is serving-choice.ts): the version a deployment names
// live or the newest trained version continuing it; without a deployment, the newest trained
// version. Swapping is one reference assignment, so no request is dropped or half-served.
import type { Deployment, ModelVersion } from '../lib/schemas/generated.js';
import type { ServiceContext } from '../lib/runtime.js';
import { loadScorer, type Scorer } from '../lib/learners/serving.js';
import { errorMessage } from '../lib/errors.js';
import { topics } from '../../topology/topics.js';
import { followTopic } from '../lib/serving/follow-topic.js';
import { ModelCatalog } from '../lib/serving/model-catalog.js';

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

export async function watchModels(ctx: ServiceContext): Promise<ModelTable> {
  // Artifacts are held only for versions that may still be served (model-catalog.ts).
  const catalog = new ModelCatalog<ModelVersion>();
  const serving = new Map<string, ServingModel>(); // by blueprint
  const unloadable = new Set<string>(); // versions already reported, not retried on every record

  const load = (mv: ModelVersion): ServingModel | undefined => {
    try {
      return { modelVersion: mv.modelVersion, family: mv.family, sequence: mv.sequence, blueprintVersion: mv.blueprintVersion, scorer: loadScorer(mv.artifact) };
    } catch (error) {
      unloadable.add(mv.modelVersion);
      ctx.log(`model ${mv.modelVersion} cannot be loaded and is skipped: ${errorMessage(error)}`);
      return undefined;
    }
  };

  // The chosen version may not have arrived yet (a deployment can be read before the model it
  // names: the two followers are independent) or may not load: the current model keeps answering
  // until the chosen one can, rather than dropping to the default decision.
  const refresh = (blueprint: string): void => {
    const id = catalog.chosen(blueprint);
    if (id === null || serving.get(blueprint)?.modelVersion === id || unloadable.has(id)) return;
    const mv = catalog.record(id);
    const model = mv ? load(mv) : undefined;
    if (!model) return;
    serving.set(blueprint, model);
    ctx.log(`serving ${model.modelVersion} (${model.family}) for ${blueprint}`);
  };

  await followTopic(ctx, topics.models, async (value) => {
    let mv: ModelVersion;
    try {
      mv = await ctx.codec.decode<ModelVersion>(topics.models, value);
    } catch (error) {
      ctx.log(`skipping an undecodable model version: ${errorMessage(error)}`);
      return;
    }
    if (catalog.addVersion(mv)) refresh(mv.blueprint);
  });

  await followTopic(ctx, topics.deployments, async (value) => {
    let deployment: Deployment;
    try {
      deployment = await ctx.codec.decode<Deployment>(topics.deployments, value);
    } catch (error) {
      ctx.log(`skipping an undecodable deployment: ${errorMessage(error)}`);
      return;
    }
    if (catalog.deploy(deployment)) refresh(deployment.blueprint);
  });

  return { live: (blueprint) => serving.get(blueprint) };
}
