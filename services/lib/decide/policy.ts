// From a score to an action (pure): the blueprint's policy, then the exploration share, with the
// propensity of the action actually taken (what off-policy learning needs). The share is the
// blueprint's explore unless the caller passes another — the predictor passes explore_on_shift
// while a quality_shift alert is open — and the propensity is always that of the share applied.
import type { BlueprintDecision } from '../schemas/generated.js';

export interface Choice {
  action: string;
  /** Probability that this action was chosen given the score. */
  propensity: number;
  /** True when exploration, not the policy, picked the action. */
  explored: boolean;
}

/** The policy's own action; null score (no model, or past the deadline) gives the default. */
export function policyAction(decision: BlueprintDecision, score: number | null): string {
  if (score === null) return decision.default;
  switch (decision.policy) {
    case 'threshold':
      return score >= (decision.threshold ?? 0.5) ? decision.actions[0]! : decision.actions[1]!;
    default:
      // Policies over several scores decide elsewhere: ranking (predictor/rank.ts), classes
      // (predictor/classes.ts) and bandits (planning/bandit-model.ts).
      return decision.default;
  }
}

/**
 * A planning model's choice (its policy's action and the probability of every action) with the
 * explore share on top (the blueprint's, unless `explore` says otherwise): the propensity is
 * explore/K + (1 − explore) · P_policy(action).
 */
export function explorePlanned(
  decision: BlueprintDecision,
  planned: { action: string; probabilities: Readonly<Record<string, number>> },
  random: () => number,
  explore: number = decision.explore,
): Choice {
  const n = decision.actions.length;
  const policyShare = (action: string) => planned.probabilities[action] ?? 0;
  if (explore <= 0 || n < 2)
    return { action: planned.action, propensity: policyShare(planned.action), explored: false };
  const explored = random() < explore;
  const action = explored ? decision.actions[Math.min(n - 1, Math.floor(random() * n))]! : planned.action;
  return { action, propensity: explore / n + (1 - explore) * policyShare(action), explored };
}

/** The policy's action for `score`, with the explore share on top (see exploreIntended). */
export function choose(
  decision: BlueprintDecision,
  score: number | null,
  random: () => number,
  explore: number = decision.explore,
): Choice {
  return exploreIntended(decision, policyAction(decision, score), random, explore);
}

/**
 * The policy's action `intended` (policyAction's) with the explore share on top, for a caller that
 * has it already: the predictor logs it as the decision's modelAction. `random` returns uniform
 * numbers in [0, 1); it is called at most twice. `explore` is the share applied, the blueprint's
 * unless said otherwise.
 */
export function exploreIntended(
  decision: BlueprintDecision,
  intended: string,
  random: () => number,
  explore: number = decision.explore,
): Choice {
  const n = decision.actions.length;
  if (explore <= 0 || n < 2) return { action: intended, propensity: 1, explored: false };
  const explored = random() < explore;
  const action = explored ? decision.actions[Math.min(n - 1, Math.floor(random() * n))]! : intended;
  const propensity = explore / n + (action === intended ? 1 - explore : 0);
  return { action, propensity, explored };
}
