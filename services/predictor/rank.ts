// The ranking task's decide step: every candidate scored on the entity's features with its own,
// at the top position (the training-only position feature's serving value), the top k returned.
// Exploration shows a uniformly random top k instead, with the propensity of the order shown.
import type { Blueprint, Candidate } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import type { Scorer } from '../lib/learners/index.js';
import type { RankingCandidate } from '../lib/decide/request.js';
import { MAX_CANDIDATES } from '../lib/decide/request.js';
import {
  defaultOrder,
  POSITION_FEATURE,
  rankingCrosses,
  selectTopK,
  servingPosition,
  writeCrosses,
  type Cross,
} from '../lib/ranking/index.js';

export interface RankedChoice {
  /** Candidate ids as returned, best first (at most k). */
  ranking: string[];
  /** Each candidate's score by id; null when no model scored. */
  scores: Record<string, number> | null;
  /** Probability of returning exactly this order. */
  propensity: number;
  explored: boolean;
  /** The candidates as logged (Decision.candidates). */
  logged: Candidate[];
}

/** Ordered k-permutations of n: how many different top-k lists exploration can show. */
function orderedChoices(n: number, k: number): number {
  let count = 1;
  for (let i = 0; i < k; i++) count *= n - i;
  return count;
}

export class CandidateRanker {
  private readonly scores = new Float64Array(MAX_CANDIDATES);
  private readonly order = new Int32Array(MAX_CANDIDATES);
  /** Each blueprint version's crosses, worked out once rather than per request. */
  private readonly crosses = new WeakMap<Blueprint, Cross[]>();

  private crossesOf(bp: Blueprint): Cross[] {
    let crosses = this.crosses.get(bp);
    if (crosses === undefined) this.crosses.set(bp, (crosses = rankingCrosses(bp)));
    return crosses;
  }

  /** `scorer` null: no model (or the fallback): the request's own order. `explore` is the share
   * applied (the blueprint's unless said otherwise), and the propensity is that of this share. */
  rank(
    bp: Blueprint,
    scorer: Scorer | null,
    features: FeatureValues,
    candidates: readonly RankingCandidate[],
    random: () => number,
    explore: number = bp.decision.explore,
  ): RankedChoice {
    const n = candidates.length;
    const k = Math.min(bp.decision.k ?? n, n);
    const ids = candidates.map((c) => c.id);
    const logged = candidates.map((c) => ({ id: c.id, features: c.features }));
    if (scorer === null) {
      const order = defaultOrder(n, k);
      return { ranking: Array.from(order, (i) => ids[i]!), scores: null, propensity: 1, explored: false, logged };
    }
    // One row reused across candidates: the entity's features, then each candidate's over them.
    const row: FeatureValues = { ...features, [POSITION_FEATURE]: servingPosition };
    const crosses = this.crossesOf(bp);
    const scores = this.scores.subarray(0, n);
    const byId: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const own = candidates[i]!.features;
      for (const name in own) row[name] = own[name]!;
      writeCrosses(crosses, row);
      scores[i] = scorer.score(row);
      byId[ids[i]!] = scores[i]!;
    }
    selectTopK(ids, scores, k, this.order);
    const policyOrder = Array.from(this.order.subarray(0, k), (i) => ids[i]!);
    const uniform = 1 / orderedChoices(n, k);
    if (explore > 0 && n > 1 && random() < explore) {
      // A partial Fisher–Yates shuffle: the first k of a uniformly random permutation.
      const perm = this.order.subarray(0, n);
      for (let i = 0; i < n; i++) perm[i] = i;
      for (let i = 0; i < k; i++) {
        const j = i + Math.min(n - i - 1, Math.floor(random() * (n - i)));
        const t = perm[i]!;
        perm[i] = perm[j]!;
        perm[j] = t;
      }
      const shown = Array.from(perm.subarray(0, k), (i) => ids[i]!);
      const same = shown.every((id, i) => id === policyOrder[i]);
      return {
        ranking: shown,
        scores: byId,
        propensity: explore * uniform + (same ? 1 - explore : 0),
        explored: true,
        logged,
      };
    }
    return { ranking: policyOrder, scores: byId, propensity: 1 - explore + explore * uniform, explored: false, logged };
  }
}
