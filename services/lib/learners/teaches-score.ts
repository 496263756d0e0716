// Which logged examples a blueprint's score learns from — shared by the continual trainer and the
// AutoML replay, so both learn the same thing.
import type { Blueprint, Example } from '../schemas/generated.js';

/**
 * Whether an example teaches the score. With a threshold policy the score predicts the outcome
 * of the first action; outcomes of the other action say nothing about it (a notification not
 * sent cannot be clicked), so those examples are logged but not learned from.
 */
export function teachesScore(bp: Pick<Blueprint, 'decision'>, example: Pick<Example, 'action'>): boolean {
  return bp.decision.policy !== 'threshold' || example.action === bp.decision.actions[0];
}
