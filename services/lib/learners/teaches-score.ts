// Which logged examples a blueprint's score learns from, and what it reads of them — shared by the
// continual trainer, the AutoML replay and the rollout comparison, so all learn the same thing.
import type { Blueprint, Example } from '../schemas/generated.js';
import type { FeatureValues } from '../feature-values.js';
import { POSITION_FEATURE } from '../ranking/order.js';
import { rankingCrosses, writeCrosses } from '../ranking/crosses.js';

/**
 * Whether an example teaches the score. With a threshold policy the score predicts the outcome
 * of the first action; outcomes of the other action say nothing about it (a notification not
 * sent cannot be clicked), so those examples are logged but not learned from. A ranking example
 * teaches only about a candidate that was shown (it has a position).
 */
export function teachesScore(
  bp: Pick<Blueprint, 'decision' | 'task'>,
  example: Pick<Example, 'action' | 'position'>,
): boolean {
  if (bp.task === 'ranking') return example.position !== null;
  return bp.decision.policy !== 'threshold' || example.action === bp.decision.actions[0];
}

/**
 * The model input of an example: its features as logged; for ranking, with the candidate's own
 * features, the position it was shown at and the entity × candidate crosses (a new object: the
 * example is not changed).
 */
export function trainingFeatures(
  bp: Pick<Blueprint, 'features'>,
  example: Pick<Example, 'features' | 'candidateFeatures' | 'position'>,
): FeatureValues {
  if (example.candidateFeatures === null) return example.features;
  const row: FeatureValues = {
    ...example.features,
    ...example.candidateFeatures,
    [POSITION_FEATURE]: example.position,
  };
  writeCrosses(rankingCrosses(bp), row);
  return row;
}
