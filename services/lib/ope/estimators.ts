// Off-policy evaluation: what average reward WOULD a target policy π have earned, estimated from
// decisions another (logging) policy μ took? Each logged record carries the logged action a, its
// reward r, the logging propensity μ(a|x), the target's distribution π(·|x) over the actions, and,
// for the doubly robust estimator, a reward model q̂(x, ·). With the importance weight
// w = π(a|x)/μ(a|x) (optionally clipped at a maximum M, min(w, M), trading bias for variance):
//
//   IPS    V̂ = (1/n) Σ wᵢrᵢ                                  unbiased (unclipped)
//   SNIPS  V̂ = Σ wᵢrᵢ / Σ wᵢ                                  consistent, bias O(1/n)
//   DR     V̂ = (1/n) Σ [Σₐ π(a|xᵢ) q̂(xᵢ, a) + wᵢ (rᵢ − q̂(xᵢ, aᵢ))]
//          unbiased if either μ is right (it is logged) or q̂ is; the better q̂, the smaller its variance.
//
// IPS and DR are means of independent per-record terms: their standard error is the terms' sample
// standard deviation over √n. SNIPS is a ratio of two means; its standard error is the delta
// method's (sandwich) estimate
//   se² = Σ wᵢ² (rᵢ − V̂)² / (Σ wᵢ)²,
// i.e. the variance of the linearised terms wᵢ(rᵢ − V̂)/w̄ over n. Every interval is the normal
// approximation V̂ ± z·se (z = 1.96 for 95 %), sound once the weights' tail is not too heavy — the
// effective sample size (Σw)²/Σw² says how many equally weighted records the log is worth.

import { RunningMoments } from '../stats/moments.js';
import { twoSidedCritical } from '../stats/normal.js';

/** One logged decision. */
export interface LoggedDecision {
  /** The action the logging policy took. */
  readonly action: string;
  /** The reward it earned. */
  readonly reward: number;
  /** μ(action | x): the logging policy's probability of that action, in (0, 1]. */
  readonly propensity: number;
  /** π(· | x): the target policy's distribution over the actions; sums to 1. An action not listed
   * has probability 0. */
  readonly targetProbabilities: Readonly<Record<string, number>>;
  /** q̂(x, ·): an estimated reward for each action the target may take (and the logged one), for DR. */
  readonly rewardModel?: Readonly<Record<string, number>>;
}

export interface OffPolicyOptions {
  /** Clip every importance weight at this value (> 0); default Infinity, no clipping. */
  readonly maxWeight?: number;
  /** 1 − the interval's confidence; default 0.05, a 95 % interval. */
  readonly alpha?: number;
}

export interface OffPolicyEstimate {
  /** The estimated average reward of the target policy. */
  readonly value: number;
  readonly standardError: number;
  /** value − z·standardError. */
  readonly low: number;
  /** value + z·standardError. */
  readonly high: number;
  /** Records used. */
  readonly n: number;
  /** (Σw)² / Σw² over the (clipped) importance weights; 0 when every weight is 0. */
  readonly effectiveSampleSize: number;
}

/** How far Σ π(a|x) may stray from 1. */
export const PROBABILITY_TOLERANCE = 1e-6;

function compileOptions(options: OffPolicyOptions): { maxWeight: number; z: number } {
  const maxWeight = options.maxWeight ?? Infinity;
  if (!(maxWeight > 0))
    throw new RangeError(`maxWeight must be a positive number (or omitted for no clipping), got ${maxWeight}`);
  return { maxWeight, z: twoSidedCritical(options.alpha ?? 0.05) };
}

/** Checks every record (a RangeError names the first bad one) and returns the importance weights
 * π(a|x)/μ(a|x), clipped at maxWeight. One pass with no allocation per record: logs are long. */
function checkedWeights(log: readonly LoggedDecision[], maxWeight: number): number[] {
  if (log.length < 2)
    throw new RangeError(`off-policy evaluation needs at least 2 records for a standard error, got ${log.length}`);
  const weights = new Array<number>(log.length);
  for (let i = 0; i < log.length; i++) {
    const { action, propensity, reward, targetProbabilities } = log[i]!;
    if (!(propensity > 0 && propensity <= 1))
      throw new RangeError(`record ${i}: the propensity must be in (0, 1], got ${propensity}`);
    if (!Number.isFinite(reward))
      throw new RangeError(`record ${i}: the reward must be a finite number, got ${reward}`);
    let sum = 0;
    for (const a in targetProbabilities) {
      const p = targetProbabilities[a]!;
      if (!(p >= 0 && p <= 1))
        throw new RangeError(`record ${i}: the target probability of "${a}" must be in [0, 1], got ${p}`);
      sum += p;
    }
    if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE) {
      throw new RangeError(
        `record ${i}: the target probabilities must sum to 1 (within ${PROBABILITY_TOLERANCE}), got ${sum}`,
      );
    }
    weights[i] = Math.min((targetProbabilities[action] ?? 0) / propensity, maxWeight);
  }
  return weights;
}

function effectiveSampleSize(weights: readonly number[]): number {
  let sum = 0;
  let squares = 0;
  for (const w of weights) {
    sum += w;
    squares += w * w;
  }
  return squares === 0 ? 0 : (sum * sum) / squares;
}

function estimate(
  value: number,
  standardError: number,
  z: number,
  n: number,
  weights: readonly number[],
): OffPolicyEstimate {
  return {
    value,
    standardError,
    low: value - z * standardError,
    high: value + z * standardError,
    n,
    effectiveSampleSize: effectiveSampleSize(weights),
  };
}

/** The mean of per-record terms with its standard error √(s²/n). */
function meanEstimate(terms: readonly number[], z: number, weights: readonly number[]): OffPolicyEstimate {
  const moments = RunningMoments.of(terms);
  return estimate(moments.mean, Math.sqrt(moments.variance / moments.n), z, moments.n, weights);
}

/** Inverse propensity scoring: (1/n) Σ wᵢrᵢ. Throws a RangeError for fewer than 2 records or an
 * invalid one (propensity outside (0, 1], non-finite reward, target probabilities outside [0, 1]
 * or not summing to 1). */
export function ips(log: readonly LoggedDecision[], options: OffPolicyOptions = {}): OffPolicyEstimate {
  const { maxWeight, z } = compileOptions(options);
  const weights = checkedWeights(log, maxWeight);
  return meanEstimate(
    log.map((r, i) => weights[i]! * r.reward),
    z,
    weights,
  );
}

/** Self-normalised IPS: Σ wᵢrᵢ / Σ wᵢ, with the delta-method standard error above. Besides the IPS
 * checks, throws a RangeError when every weight is 0 (the target never takes a logged action, so
 * the log says nothing about it). */
export function snips(log: readonly LoggedDecision[], options: OffPolicyOptions = {}): OffPolicyEstimate {
  const { maxWeight, z } = compileOptions(options);
  const weights = checkedWeights(log, maxWeight);
  let weightSum = 0;
  let weighted = 0;
  log.forEach((r, i) => {
    weightSum += weights[i]!;
    weighted += weights[i]! * r.reward;
  });
  if (weightSum === 0)
    throw new RangeError(
      'SNIPS needs a record whose logged action the target policy may take: every importance weight is 0',
    );
  const value = weighted / weightSum;
  let squares = 0;
  log.forEach((r, i) => {
    const influence = weights[i]! * (r.reward - value);
    squares += influence * influence;
  });
  return estimate(value, Math.sqrt(squares) / weightSum, z, log.length, weights);
}

function predicted(model: Readonly<Record<string, number>>, action: string, i: number): number {
  const q = model[action];
  if (q === undefined || !Number.isFinite(q))
    throw new RangeError(`record ${i}: the reward model needs a finite reward for "${action}", got ${q}`);
  return q;
}

/** Doubly robust: the reward model's value of π plus the importance-weighted residual of the logged
 * action. Besides the IPS checks, throws a RangeError for a record without a reward model, or whose
 * model lacks a finite reward for an action π may take (the logged one included, unless π never
 * takes it). */
export function doublyRobust(log: readonly LoggedDecision[], options: OffPolicyOptions = {}): OffPolicyEstimate {
  const { maxWeight, z } = compileOptions(options);
  const weights = checkedWeights(log, maxWeight);
  const terms = log.map((r, i) => {
    const model = r.rewardModel;
    if (model === undefined) throw new RangeError(`record ${i}: the doubly robust estimator needs a rewardModel`);
    let direct = 0;
    for (const action in r.targetProbabilities) {
      const p = r.targetProbabilities[action]!;
      if (p > 0) direct += p * predicted(model, action, i);
    }
    return weights[i] === 0 ? direct : direct + weights[i]! * (r.reward - predicted(model, r.action, i));
  });
  return meanEstimate(terms, z, weights);
}
