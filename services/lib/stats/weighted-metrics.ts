// Metrics of logged examples re-weighted to the traffic as a whole, with standard errors from
// influence functions, so that an always-valid boundary (always-valid.ts) can be put around them.
//
// Why weights: a live model chooses what it learns about. With a threshold policy only the
// examples it acted on carry a label for the score (a notification not sent cannot be opened), and
// those are mostly the ones it scored high. A comparison on them alone truncates the live model's
// own score range: two equal models look different, a worse candidate can look better. Weighting
// each example by 1/propensity (the logged chance that the action it was labelled under was taken)
// makes the weighted sample stand for every request, explored or not (Horvitz–Thompson); the
// weights are clipped at 1/propensity_floor to bound their variance, and the effective sample size
// (Σw)²/Σw² says how much information is left.
//
// Estimators (w = weight, all self-normalised, so a constant weight changes nothing):
//   - log-loss, MAE: Σw·loss / Σw; the gain of B over A is Σw·(loss_A − loss_B) / Σw, with
//     influence wₖ(dₖ − gain)/w̄;
//   - RMSE: √(Σw·e²/Σw) per model, with the delta method's influence
//     wₖ[(e_Aₖ² − M_A)/(2·RMSE_A) − (e_Bₖ² − M_B)/(2·RMSE_B)]/w̄;
//   - AUC: the weighted Mann–Whitney statistic θ = Σᵢ₊Σⱼ₋ wᵢwⱼψ(sᵢ, sⱼ) / (W₊W₋), ψ = 1 when the
//     positive scores higher, ½ on a tie. Its influence (the Hájek projection of the ratio of
//     U-statistics) is Nwₖ/W_class(k) · (cₖ − θ), with cₖ the weighted share of the other class
//     that example k beats (ties ½). With all weights 1 this is DeLong's variance (up to m/(m − 1)).
// The variance of an estimate (or of a paired difference: influence of B minus influence of A) is
// Σ IFₖ² / N²: a normal approximation, sound for hundreds of examples, which the calibration tests
// measure on simulated logged traffic.

import { ascendingOrder } from './order.js';

export type ComparedMetric = 'auc' | 'logloss' | 'rmse' | 'mae';

export const COMPARED_METRICS: readonly ComparedMetric[] = ['auc', 'logloss', 'rmse', 'mae'];

/** The metric a verdict compares for a blueprint: its objective when it is one of these, else null (no verdict). */
export function comparedMetricOf(bp: { readonly objective: { readonly metric: string } }): ComparedMetric | null {
  const metric = bp.objective.metric;
  return (COMPARED_METRICS as readonly string[]).includes(metric) ? (metric as ComparedMetric) : null;
}

/** One model's metric on weighted examples. */
export interface WeightedEstimate {
  readonly metric: ComparedMetric;
  readonly value: number;
  readonly standardError: number;
  /** Examples used. */
  readonly n: number;
  /** (Σw)²/Σw²: as many unweighted examples as the weighted ones are worth. */
  readonly effectiveN: number;
}

/** Candidate (B) against live (A) on the same weighted examples; gain > 0 means B is better. */
export interface WeightedGain {
  readonly metric: ComparedMetric;
  readonly live: number;
  readonly candidate: number;
  readonly gain: number;
  readonly standardError: number;
  readonly n: number;
  readonly effectiveN: number;
}

/** The smallest propensity trusted as it is; below it an example's weight is capped at 1/floor. */
export const DEFAULT_PROPENSITY_FLOOR = 0.01;

/** 1/propensity, capped at 1/floor; a missing or invalid propensity (a fallback, an old record) weighs 1. */
export function inverseWeight(propensity: number | null | undefined, floor = DEFAULT_PROPENSITY_FLOOR): number {
  if (propensity === null || propensity === undefined || !(propensity > 0 && propensity <= 1)) return 1;
  return 1 / Math.max(propensity, floor);
}

/** Log-loss clips predictions to [EPSILON, 1 − EPSILON], as OnlineMetrics does. */
const EPSILON = 1e-15;

function logLoss(label: number, prediction: number): number {
  const p = Math.min(Math.max(prediction, EPSILON), 1 - EPSILON);
  return -(label * Math.log(p) + (1 - label) * Math.log(1 - p));
}

function check(
  metric: ComparedMetric,
  labels: ArrayLike<number>,
  scores: readonly ArrayLike<number>[],
  weights: ArrayLike<number> | undefined,
): void {
  if (!COMPARED_METRICS.includes(metric))
    throw new RangeError(`unknown metric "${String(metric)}": use one of ${COMPARED_METRICS.join(', ')}`);
  const n = labels.length;
  for (const s of scores)
    if (s.length !== n) throw new RangeError(`labels and scores must have the same length: ${n} and ${s.length}`);
  if (weights !== undefined && weights.length !== n)
    throw new RangeError(`labels and weights must have the same length: ${n} and ${weights.length}`);
  if (n < 2) throw new RangeError(`a metric with a standard error needs at least 2 examples, got ${n}`);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isFinite(y)) throw new RangeError(`labels[${i}] must be a finite number, got ${y}`);
    if ((metric === 'auc' || metric === 'logloss') && y !== 0 && y !== 1 && !(metric === 'logloss' && y > 0 && y < 1))
      throw new RangeError(
        `${metric} needs labels in [0, 1]${metric === 'auc' ? ' (0 or 1)' : ''}: labels[${i}] is ${y}`,
      );
    for (const s of scores) if (!Number.isFinite(s[i])) throw new RangeError(`score ${i} must be finite, got ${s[i]}`);
    const w = weights?.[i] ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`weights[${i}] must be finite and ≥ 0, got ${w}`);
  }
}

function weightOf(weights: ArrayLike<number> | undefined, i: number): number {
  return weights === undefined ? 1 : weights[i]!;
}

function effectiveSize(weights: ArrayLike<number> | undefined, n: number): number {
  if (weights === undefined) return n;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    sum += weights[i]!;
    squares += weights[i]! ** 2;
  }
  return squares > 0 ? (sum * sum) / squares : 0;
}

/** θ and each example's cₖ (the weighted share of the other class it beats, ties ½) for one model's scores. */
interface AucParts {
  readonly auc: number;
  readonly beaten: Float64Array;
  readonly positiveWeight: number;
  readonly negativeWeight: number;
}

function aucParts(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
): AucParts {
  const n = labels.length;
  const order = ascendingOrder(scores);
  let positiveWeight = 0;
  let negativeWeight = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) positiveWeight += weightOf(weights, i);
    else negativeWeight += weightOf(weights, i);
  }
  if (!(positiveWeight > 0 && negativeWeight > 0))
    throw new RangeError(
      `AUC needs weight on both outcomes: positives weigh ${positiveWeight}, negatives ${negativeWeight}`,
    );
  const beaten = new Float64Array(n);
  let negativesBelow = 0;
  let positivesBelow = 0;
  let weighted = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    let tiedPositive = 0;
    let tiedNegative = 0;
    for (let k = start; k < end; k++) {
      const i = order[k]!;
      if (labels[i] === 1) tiedPositive += weightOf(weights, i);
      else tiedNegative += weightOf(weights, i);
    }
    const positivesAbove = positiveWeight - positivesBelow - tiedPositive;
    for (let k = start; k < end; k++) {
      const i = order[k]!;
      if (labels[i] === 1) {
        beaten[i] = (negativesBelow + tiedNegative / 2) / negativeWeight;
        weighted += weightOf(weights, i) * beaten[i]!;
      } else beaten[i] = (positivesAbove + tiedPositive / 2) / positiveWeight;
    }
    negativesBelow += tiedNegative;
    positivesBelow += tiedPositive;
    start = end;
  }
  return { auc: weighted / positiveWeight, beaten, positiveWeight, negativeWeight };
}

/** Each example's influence on the metric (times N, so that Var ≈ Σ IF² / N²), and the metric. */
function influence(
  metric: ComparedMetric,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
): { value: number; influence: Float64Array } {
  const n = labels.length;
  const out = new Float64Array(n);
  if (metric === 'auc') {
    const p = aucParts(labels, scores, weights);
    for (let i = 0; i < n; i++) {
      const classWeight = labels[i] === 1 ? p.positiveWeight : p.negativeWeight;
      out[i] = ((n * weightOf(weights, i)) / classWeight) * (p.beaten[i]! - p.auc);
    }
    return { value: p.auc, influence: out };
  }
  let total = 0;
  let sum = 0;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    const s = scores[i]!;
    loss[i] = metric === 'logloss' ? logLoss(y, s) : metric === 'mae' ? Math.abs(y - s) : (y - s) ** 2;
    total += weightOf(weights, i);
    sum += weightOf(weights, i) * loss[i]!;
  }
  if (!(total > 0)) throw new RangeError('the examples weigh nothing in all');
  const mean = sum / total;
  const meanWeight = total / n;
  const value = metric === 'rmse' ? Math.sqrt(mean) : mean;
  // For RMSE the delta method divides by 2·RMSE; at RMSE 0 the slope is infinite, so it is left at 0.
  const scale = metric === 'rmse' ? (value > 0 ? 1 / (2 * value) : 0) : 1;
  for (let i = 0; i < n; i++) out[i] = (scale * weightOf(weights, i) * (loss[i]! - mean)) / meanWeight;
  return { value, influence: out };
}

function varianceOf(influence: Float64Array): number {
  const n = influence.length;
  let mean = 0;
  for (const v of influence) mean += v;
  mean /= n;
  let squares = 0;
  for (const v of influence) squares += (v - mean) ** 2;
  return squares / (n - 1) / n;
}

/** Larger is better for AUC; lower for the losses: the gain of B over A is oriented so that > 0 favours B. */
const higherIsBetter = (metric: ComparedMetric) => metric === 'auc';

/** One model's metric on (optionally weighted) examples, with its standard error. */
export function weightedMetric(
  metric: ComparedMetric,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights?: ArrayLike<number>,
): WeightedEstimate {
  check(metric, labels, [scores], weights);
  const { value, influence: inf } = influence(metric, labels, scores, weights);
  return {
    metric,
    value,
    standardError: Math.sqrt(varianceOf(inf)),
    n: labels.length,
    effectiveN: effectiveSize(weights, labels.length),
  };
}

/**
 * The candidate (B) against the live model (A) on the same examples, paired: the noise the two
 * share cancels in the per-example difference of their influences.
 */
export function weightedGain(
  metric: ComparedMetric,
  labels: ArrayLike<number>,
  live: ArrayLike<number>,
  candidate: ArrayLike<number>,
  weights?: ArrayLike<number>,
): WeightedGain {
  check(metric, labels, [live, candidate], weights);
  const a = influence(metric, labels, live, weights);
  const b = influence(metric, labels, candidate, weights);
  const difference = new Float64Array(labels.length);
  for (let i = 0; i < difference.length; i++) difference[i] = b.influence[i]! - a.influence[i]!;
  const sign = higherIsBetter(metric) ? 1 : -1;
  return {
    metric,
    live: a.value,
    candidate: b.value,
    gain: sign * (b.value - a.value),
    standardError: Math.sqrt(varianceOf(difference)),
    n: labels.length,
    effectiveN: effectiveSize(weights, labels.length),
  };
}
