// Which loaded model answers one request, and what the shadows would have answered. Pure (no NATS,
// no Kafka) and on the hot path: nothing here allocates unless a canary or a shadow is deployed.
import type { BlueprintDecision, ShadowScore } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import type { Scorer } from '../lib/learners/serving.js';
import { shareOf } from '../lib/decide/assignment.js';
import { policyAction } from '../lib/decide/policy.js';
import { errorMessage } from '../lib/errors.js';
import type { ClassChooser } from './classes.js';
import type { BanditModel } from '../lib/planning/bandit-model.js';

export interface ServingModel {
  modelVersion: string;
  family: string;
  sequence: number;
  blueprintVersion: number;
  scorer: Scorer;
  /** A planning blueprint's bandit: it chooses the action; `scorer` gives its best action's estimate. */
  planner?: BanditModel;
  /** A model that predicts a class (multi-class, sequence); `scorer` gives its top class's probability. */
  classifier?: ClassChooser;
}

/** A canary and the fraction of entities, in (0, 1], it answers for. */
export interface CanaryModel {
  readonly model: ServingModel;
  readonly share: number;
}

/** The loaded models of every blueprint, as the decide path reads them. */
export interface ModelTable {
  /** The model answering outside a canary's share; undefined before any model. */
  live(blueprint: string): ServingModel | undefined;
  /** Models scored after every reply and logged, never returned; empty when none. */
  shadows(blueprint: string): readonly ServingModel[];
  /** The canary, if one is deployed and loaded. */
  canary(blueprint: string): CanaryModel | undefined;
  /** Apprentice mode: true once the model has taken over from the caller's decisions. */
  tookOver(blueprint: string): boolean;
}

/**
 * The salt of canary assignment is 'canary:' + blueprint (passed as prefix and salt, so no string is
 * built per request): per blueprint, so one entity is not on the canary side of every blueprint.
 */
export const CANARY_SALT_PREFIX = 'canary:';

/** Where `entity` falls for the blueprint's canary: it takes the canary when this is below the share. */
export function canaryPosition(blueprint: string, entity: string): number {
  return shareOf(entity, blueprint, CANARY_SALT_PREFIX);
}

/** The model that answers for `entity`: the canary within its share of entities, else the live model. */
export function answeringModel(models: ModelTable, blueprint: string, entity: string): ServingModel | undefined {
  const canary = models.canary(blueprint);
  if (canary !== undefined && canaryPosition(blueprint, entity) < canary.share) return canary.model;
  return models.live(blueprint);
}

/** Logs a failing shadow model once per version, not once per request. */
export class ShadowFailures {
  private readonly reported = new Set<string>();

  constructor(private readonly log: (line: string) => void) {}

  report(modelVersion: string, error: unknown): void {
    if (this.reported.has(modelVersion)) return;
    this.reported.add(modelVersion);
    this.log(
      `shadow model ${modelVersion} failed to score (its scores are logged as null; reported once): ${errorMessage(error)}`,
    );
  }
}

/**
 * What each shadow would have answered for the same features; null when there is none besides the
 * model that answered (which is never its own shadow). A shadow that throws scores null.
 */
export function scoreShadows(
  shadows: readonly ServingModel[],
  features: FeatureValues,
  answered: string | null,
  decision: BlueprintDecision,
  failures: ShadowFailures,
): ShadowScore[] | null {
  let scored: ShadowScore[] | null = null;
  for (const shadow of shadows) {
    if (shadow.modelVersion === answered) continue;
    let score: number | null = null;
    try {
      score = shadow.scorer.score(features);
    } catch (error) {
      failures.report(shadow.modelVersion, error);
    }
    (scored ??= []).push({
      modelVersion: shadow.modelVersion,
      score,
      scores: null,
      action: score === null ? null : policyAction(decision, score),
    });
  }
  return scored;
}
