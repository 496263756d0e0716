// How much one logged example counts when a model learns from it or is judged on it: the trainer's
// learning (services/trainer) and the verdict on a continuation use the same weight, so both stand
// for the same traffic.
//
// A live model chooses what it learns from. Under a threshold policy only decisions that took the
// first action teach the score, and those are mostly the ones the model scored high; weighting
// each by 1/propensity (the logged chance its action was taken, exploration included) makes them
// stand for every request (Horvitz–Thompson), capped at 1/training.propensity_clip so a rarely
// explored example cannot swamp the rest.
import type { Blueprint, Example } from '../schemas/generated.js';
import { inverseWeight } from '../stats/weighted-metrics.js';

/**
 * Whether the examples that teach a blueprint's score are selected by the action the live policy
 * took. Only under a threshold policy is the logged propensity the chance of being learned from:
 * a ranking's is the chance of the whole order shown, not of one candidate being shown, and every
 * other single-score blueprint learns every example whatever its action.
 */
export function selectedByAction(bp: Pick<Blueprint, 'task' | 'decision'>): boolean {
  return bp.task !== 'ranking' && bp.decision.policy === 'threshold';
}

/**
 * The weight of an example that teaches the score: 1/propensity capped at 1/propensity_clip where
 * the action selected it (1 elsewhere), times the example's own weight (1 unless the joiner
 * re-weights, e.g. down-sampled negatives). A missing or invalid propensity weighs 1.
 */
export function trainingWeight(
  bp: Pick<Blueprint, 'task' | 'decision' | 'training'>,
  example: Pick<Example, 'propensity' | 'weight'>,
): number {
  const own = Number.isFinite(example.weight) && example.weight >= 0 ? example.weight : 1;
  // An older blueprint record may lack propensityClip: inverseWeight's default floor applies.
  return selectedByAction(bp) ? own * inverseWeight(example.propensity, bp.training.propensityClip) : own;
}
