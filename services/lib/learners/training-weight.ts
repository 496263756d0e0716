// How much one logged example counts when a model is judged on it, and when a model learns from it.
//
// A live model chooses what it learns from. Under a threshold policy only decisions that took the
// first action teach the score, and those are mostly the ones the model scored high; weighting
// each by 1/propensity (the logged chance its action was taken, exploration included) makes them
// stand for every request (Horvitz–Thompson), capped at 1/training.propensity_clip so a rarely
// explored example cannot swamp the rest. Every verdict (the continuation gate, the rollout, a
// first version's base rate) judges with that weight: an estimate that stands for every request.
//
// Learning takes its square root. Full 1/p weights make the learner's steps spiky — a batch holding
// a few explored sends of weight 25–100 moved a version's send rate by up to 23 points within 300
// examples — and a version served in such a spike sends to far too many or too few. Measured
// (BENCHMARKS.md, "What tamed weights cost", 30 seeds a world, 150,000 decisions): √(1/p) halved
// how far successive settled versions' send rates differ (4.1 → 1.9 points), cut settled versions
// under 90 % of the oracle's lift from 10.5 % to 1.6 %, and settled net clicks +1.5 ± 0.4 points
// higher on the demo's world and +3.0 ± 1.4 on one the logistic cannot fit; no bias cost was found.
// A tilted sample is fine for learning (the model still sees every kind of request, less loudly)
// and wrong for judging, which is why the two weights differ.
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

/** The example's own weight (1 unless the joiner re-weights, e.g. down-sampled negatives); 1 when invalid. */
function ownWeight(example: Pick<Example, 'weight'>): number {
  return Number.isFinite(example.weight) && example.weight >= 0 ? example.weight : 1;
}

/** 1/propensity capped at 1/propensity_clip where the action selected the example, else 1. */
function selectionWeight(
  bp: Pick<Blueprint, 'task' | 'decision' | 'training'>,
  example: Pick<Example, 'propensity'>,
): number {
  // An older blueprint record may lack propensityClip: inverseWeight's default floor applies.
  return selectedByAction(bp) ? inverseWeight(example.propensity, bp.training.propensityClip) : 1;
}

/**
 * The weight an example that teaches the score is judged with: its selection weight times its own
 * weight. A missing or invalid propensity weighs 1.
 */
export function judgingWeight(
  bp: Pick<Blueprint, 'task' | 'decision' | 'training'>,
  example: Pick<Example, 'propensity' | 'weight'>,
): number {
  return ownWeight(example) * selectionWeight(bp, example);
}

/**
 * The weight a learner learns an example with: the square root of its selection weight, times its
 * own weight in full (a down-sampled negative stands for the negatives left out whoever learns from it).
 */
export function learningWeight(
  bp: Pick<Blueprint, 'task' | 'decision' | 'training'>,
  example: Pick<Example, 'propensity' | 'weight'>,
): number {
  return ownWeight(example) * Math.sqrt(selectionWeight(bp, example));
}
