// Which models serve each blueprint (the rule is serving-choice.ts): the live one — the version a
// deployment names live or the newest trained version continuing it, never a retired one — plus
// the deployment's shadows and canary. Every change swaps one object per blueprint, so no request
// is dropped or half-served, and the decide path reads it without allocating.
import type { Deployment, ModelVersion } from '../lib/schemas/generated.js';
import type { ServiceContext } from '../lib/runtime.js';
import type { FeatureValues } from '../lib/feature-values.js';
import { loadScorer } from '../lib/learners/serving.js';
import { BanditModel, isBanditArtifact } from '../lib/planning/bandit-model.js';
import { MULTICLASS_FORMATS } from '../lib/multiclass/index.js';
import { ClassChooser } from './classes.js';
import { errorMessage } from '../lib/errors.js';
import { spanText } from '../lib/duration-text.js';
import { topics } from '../../topology/topics.js';
import { followDecoded } from '../lib/serving/follow-topic.js';
import { ModelCatalog } from '../lib/serving/model-catalog.js';
import type { CanaryModel, ModelTable, ServingModel } from './model-choice.js';

export type { CanaryModel, ModelTable, ServingModel } from './model-choice.js';

interface BlueprintModels {
  readonly live: ServingModel | undefined;
  readonly shadows: readonly ServingModel[];
  readonly canary: CanaryModel | undefined;
}

const NO_SHADOWS: readonly ServingModel[] = Object.freeze([]);
const NOTHING: BlueprintModels = Object.freeze({ live: undefined, shadows: NO_SHADOWS, canary: undefined });

const listVersions = (models: readonly ServingModel[]) =>
  models.length === 0 ? 'none' : models.map((m) => m.modelVersion).join(', ');

export async function watchModels(ctx: ServiceContext): Promise<ModelTable> {
  // Artifacts are held only for versions worth holding (model-catalog.ts).
  const catalog = new ModelCatalog<ModelVersion>();
  const serving = new Map<string, BlueprintModels>();
  const unloadable = new Set<string>(); // versions already reported, not retried on every record

  const load = (mv: ModelVersion): ServingModel | undefined => {
    try {
      const base = {
        modelVersion: mv.modelVersion,
        family: mv.family,
        sequence: mv.sequence,
        blueprintVersion: mv.blueprintVersion,
      };
      if (MULTICLASS_FORMATS.includes(mv.artifactFormat)) {
        const classifier = ClassChooser.fromArtifact(mv.artifact);
        const top = (x: FeatureValues) => {
          const chosen = classifier.choose(x, 1);
          return chosen.scores[chosen.ranking[0] ?? ''] ?? 0;
        };
        return { ...base, classifier, scorer: { family: mv.family, task: 'classification', score: top } };
      }
      if (!isBanditArtifact(mv.artifact)) return { ...base, scorer: loadScorer(mv.artifact) };
      const planner = BanditModel.fromArtifact(mv.artifact);
      return { ...base, planner, scorer: { family: mv.family, task: 'estimation', score: (x) => planner.bestMean(x) } };
    } catch (error) {
      unloadable.add(mv.modelVersion);
      ctx.log(`model ${mv.modelVersion} cannot be loaded and is skipped: ${errorMessage(error)}`);
      return undefined;
    }
  };

  // A model already loaded for the blueprint is reused (a shadow promoted to canary or live keeps
  // its scorer); otherwise it loads from the catalog, or is not there yet (the two followers are
  // independent, so a deployment can be read before the models it names).
  const obtain = (current: BlueprintModels, id: string): ServingModel | undefined => {
    if (current.live?.modelVersion === id) return current.live;
    if (current.canary?.model.modelVersion === id) return current.canary.model;
    const shadow = current.shadows.find((m) => m.modelVersion === id);
    if (shadow) return shadow;
    if (unloadable.has(id)) return undefined;
    const mv = catalog.record(id);
    return mv ? load(mv) : undefined;
  };

  const refresh = (blueprint: string): void => {
    const lineage = catalog.lineage(blueprint);
    const current = serving.get(blueprint) ?? NOTHING;

    // The current live model keeps answering until the chosen one can (rather than dropping to the
    // default decision) — unless it was retired: a rollback must take effect.
    let live = current.live !== undefined && lineage.isRetired(current.live.modelVersion) ? undefined : current.live;
    const chosen = lineage.chosen();
    if (chosen !== null && live?.modelVersion !== chosen) live = obtain(current, chosen) ?? live;

    const wanted = lineage.canary();
    const canaryModel = wanted === null ? undefined : obtain(current, wanted.modelVersion);
    let canary: CanaryModel | undefined = undefined;
    if (wanted !== null && canaryModel !== undefined && canaryModel !== live) {
      const same = current.canary?.model === canaryModel && current.canary.share === wanted.share;
      canary = same ? current.canary : { model: canaryModel, share: wanted.share };
    }

    const shadowModels: ServingModel[] = [];
    for (const id of lineage.shadows()) {
      const model = obtain(current, id);
      if (model !== undefined && model !== live && model !== canary?.model) shadowModels.push(model);
    }
    const sameShadows =
      shadowModels.length === current.shadows.length && shadowModels.every((m, i) => m === current.shadows[i]);
    const shadows = sameShadows
      ? current.shadows
      : shadowModels.length === 0
        ? NO_SHADOWS
        : Object.freeze(shadowModels);

    if (live === current.live && canary === current.canary && shadows === current.shadows) return;
    serving.set(blueprint, { live, shadows, canary });
    if (live !== current.live)
      ctx.log(
        live
          ? `serving ${live.modelVersion} (${live.family}) for ${blueprint}`
          : `no model serves ${blueprint}: ${current.live?.modelVersion} was retired`,
      );
    if (canary !== current.canary)
      ctx.log(
        canary
          ? `canary ${canary.model.modelVersion} (${canary.model.family}) answers ${canary.share * 100}% of ${blueprint}'s entities`
          : `no canary for ${blueprint}`,
      );
    if (shadows !== current.shadows) ctx.log(`shadow models for ${blueprint}: ${listVersions(shadows)}`);
  };

  // While the topics replay, versions and deployments only enter the catalog: loading each model a
  // lineage passes through would keep the service busy for as long as its history is long. Once
  // both have caught up, each blueprint loads what serves it, and only then are requests answered.
  let replaying = true;
  const touched = new Set<string>();
  const changed = (blueprint: string) => (replaying ? touched.add(blueprint) : refresh(blueprint));

  const models = await followDecoded<ModelVersion>(ctx, topics.models, (mv) => {
    if (catalog.addVersion(mv)) changed(mv.blueprint);
  });

  // Blueprints whose model took over from the caller's decisions (apprentice mode), by revision.
  const tookOver = new Map<string, { revision: number; done: boolean }>();
  const deployments = await followDecoded<Deployment>(ctx, topics.deployments, (deployment) => {
    const known = tookOver.get(deployment.blueprint);
    if (!known || deployment.revision > known.revision)
      tookOver.set(deployment.blueprint, { revision: deployment.revision, done: deployment.tookOverAt !== null });
    if (catalog.deploy(deployment)) changed(deployment.blueprint);
  });
  const started = performance.now();
  await Promise.all([models.caughtUp, deployments.caughtUp]);
  replaying = false;
  for (const blueprint of touched) refresh(blueprint);
  ctx.log(`models of ${touched.size} blueprints read in ${spanText(performance.now() - started)}`);

  return {
    tookOver: (blueprint) => tookOver.get(blueprint)?.done ?? false,
    live: (blueprint) => serving.get(blueprint)?.live,
    shadows: (blueprint) => serving.get(blueprint)?.shadows ?? NO_SHADOWS,
    canary: (blueprint) => serving.get(blueprint)?.canary,
  };
}
