// A threshold blueprint's second criterion for a continuation's swap: the value of the decisions
// each version's policy makes, paired on the examples its objective is judged on. Pure.
//
// Why a second criterion: the objective (AUC) judges the ranking, and a threshold policy acts on
// the score's level. A continuation whose scores shift uniformly ranks exactly as well — same AUC,
// passed by the gate — and sends to 8 points fewer (or more) of the traffic; successive versions
// of the demo differ by 2.7 points of send rate (bench/jitter/served-jitter.ts, BENCHMARKS.md).
//
// What a decision is worth: with threshold t, sending to a request whose label is y is worth
// y − t and not sending 0 — the policy's own break-even, as a send is worth it exactly when
// P(y = 1) > t. A version with score s earns u(s) = 1{s ≥ t}·(y − t) on the example. The examples
// that teach the score are the sends, under a threshold policy mostly the serving version's own;
// weighted by w (1/propensity capped, learners/training-weight.ts) they stand for every request,
// so a version that sends where the serving one does not is valued on the explored requests there
// (Horvitz–Thompson, as the objective is). Those weigh 1/(explore/2) each — 40 at the default 5 % —
// so a continuation that sends to *more* than the serving version is judged far less sharply than
// one that sends to fewer (continuation-value-calibration.test.ts: within the margin, 99 % of
// those sending less are published, 10–12 % of those sending more by as much).
//
// The estimate is self-normalised: V = Σw·u/Σw, the value per request. A test of its sign is the
// sign of Σw·u either way, so normalising changes only the standard error: its influence terms
// w·(d − D)/w̄ are centred at the estimate, so the spread of the weights alone (a weight of 40
// times a mean that is not 0) does not widen it, and a constant weight changes nothing, as in
// stats/weighted-metrics.ts.
//
// The claim is non-inferiority at a scale-free margin fixed when the test starts: the mean of
// d = u_pending − (1 − δ)·u_served is above 0, "the pending version is worth at least 1 − δ of the
// serving version's value". It is one paired mean with one standard error, in any unit of y − t.
// When the serving version's value is 0 or less (its sends are worth no more than sending to
// nobody), (1 − δ)·V_served ≥ V_served: the pending version must be shown *better* by δ·|V_served|
// (at 0, shown to be worth something). A copy of a version that loses value is then refused —
// which keeps serving what serves, decisions alike, so it costs nothing — and so is one better by
// less than δ·|V_served|, until the learners' next version does better by more.
//
// A first version is judged against serving no model, a constant score at the base rate b: its
// decisions send to everybody (b ≥ t, worth b − t) or to nobody (worth 0, the usual case), the
// better of the two constant decisions. So the first version must be worth 1 − δ of that, and
// when it is 0, be shown worth more than sending to nobody: a first version whose decisions are
// worse than the default's is not published however well it ranks. Measured: one worth 0.041 a
// request (the serving version's 0.055) is published in 95 % of runs within the 500 examples, one
// worth 0.024 in 70 %, one that sends to too many (worth −0.0015) in 1 %.
import type { Blueprint } from '../lib/schemas/generated.js';
import { coverageLabel, type SequentialDesign } from '../lib/stats/always-valid.js';

/**
 * δ: a continuation shown to keep less than 1 − δ of the serving version's value is refused, and a
 * first version must be shown to keep 1 − δ of serving no model's. Chosen when every continuation
 * had to show it (the rule judgeWithValueCheck replaced): the smallest margin that let most good
 * continuations through at 5 % exploration (as good as the serving version, 200 runs each: 24 %
 * published at δ 5 %, 57 % at 10 %, 80 % at 15 %, 92 % at 20 %, 94 % at 25 %). A version served at
 * a level where its value is flat loses 0.6 % of it to the demo's typical shift of 2.7 points of
 * send rate and 5 % to 8 points, so 20 % is only reached by a collapse of the calibration.
 */
export const CONTINUATION_VALUE_MARGIN = 0.2;

/** The decisions a version is valued by: the threshold, and the margin δ, both fixed when its test starts. */
export interface ValueCriterion {
  readonly threshold: number;
  readonly margin: number;
}

/** A threshold blueprint's value criterion (its threshold, 0.5 when unset as the policy reads it); null for every other policy. */
export function valueCriterionOf(
  bp: Pick<Blueprint, 'task' | 'decision'>,
  margin = CONTINUATION_VALUE_MARGIN,
): ValueCriterion | null {
  if (bp.task === 'ranking' || bp.decision.policy !== 'threshold') return null;
  if (!(margin >= 0 && margin < 1)) throw new RangeError(`the value margin must be in [0, 1), got ${margin}`);
  return { threshold: bp.decision.threshold ?? 0.5, margin };
}

/** u(s) = 1{s ≥ t}·(y − t): what a version scoring `score` earns on an example labelled `label`. */
export function decisionValue(label: number, score: number, threshold: number): number {
  return score >= threshold ? label - threshold : 0;
}

/** Both versions' value per request on the same weighted examples, and the tested difference. */
export interface PairedValue {
  /** Σw·u(served)/Σw. */
  readonly served: number;
  /** Σw·u(pending)/Σw. */
  readonly pending: number;
  /** pending − (1 − δ)·served: > 0 when the pending version is worth more than 1 − δ of the serving one's value. */
  readonly difference: number;
  readonly standardError: number;
  readonly n: number;
  /** (Σw)²/Σw². */
  readonly effectiveN: number;
}

/** The paired value difference with its influence-function standard error; RangeError on input it cannot judge. */
export function pairedValue(
  criterion: ValueCriterion,
  labels: ArrayLike<number>,
  pending: ArrayLike<number>,
  served: ArrayLike<number>,
  weights: ArrayLike<number>,
): PairedValue {
  const n = labels.length;
  if (pending.length !== n || served.length !== n || weights.length !== n)
    throw new RangeError(
      `labels, scores and weights must have the same length: ${n}, ${pending.length}, ${served.length}, ${weights.length}`,
    );
  if (n < 2) throw new RangeError(`a value with a standard error needs at least 2 examples, got ${n}`);
  const keep = 1 - criterion.margin;
  const d = new Float64Array(n);
  let total = 0;
  let squares = 0;
  let servedSum = 0;
  let pendingSum = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`weights[${i}] must be finite and ≥ 0, got ${w}`);
    if (!Number.isFinite(labels[i]!)) throw new RangeError(`labels[${i}] must be a finite number, got ${labels[i]}`);
    const us = decisionValue(labels[i]!, served[i]!, criterion.threshold);
    const up = decisionValue(labels[i]!, pending[i]!, criterion.threshold);
    d[i] = up - keep * us;
    total += w;
    squares += w * w;
    servedSum += w * us;
    pendingSum += w * up;
  }
  if (!(total > 0)) throw new RangeError('the examples weigh nothing in all');
  const difference = (pendingSum - keep * servedSum) / total;
  const meanWeight = total / n;
  // Var ≈ Σ IF² / (n(n − 1)) with IF = w(d − D)/w̄, whose mean is 0: the delta method's variance of a ratio of means.
  let spread = 0;
  for (let i = 0; i < n; i++) spread += ((weights[i]! * (d[i]! - difference)) / meanWeight) ** 2;
  return {
    served: servedSum / total,
    pending: pendingSum / total,
    difference,
    standardError: Math.sqrt(spread / (n - 1) / n),
    n,
    effectiveN: (total * total) / squares,
  };
}

/** The value criterion's figures, as a verdict gives them: value per request at the threshold. */
export interface ValueFigures {
  readonly threshold: number;
  /** δ: the pending version must be worth at least 1 − δ of the serving version's value. */
  readonly margin: number;
  readonly served: number;
  readonly pending: number;
  /** pending − (1 − δ)·served, > 0 when the pending version is worth enough. */
  readonly difference: number;
  readonly low: number;
  readonly high: number;
}

const signed = (v: number, digits = 4) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
/** 80 for δ 0.2, up to three decimals. */
const keptPercent = (margin: number) => String(Number((100 * (1 - margin)).toFixed(3)));
/** What the served side is called: the serving version, or the constant a first version is judged against. */
const servedSide = (against: 'serving' | 'no-model') =>
  against === 'serving' ? "the serving version's" : "serving no model's (a constant score's decisions)";

/** The words of the value criterion's verdicts. */
export function valueWords(
  v: Pick<ValueFigures, 'threshold' | 'margin'>,
  against: 'serving' | 'no-model',
): { better: string; worse: string; unshown: string; tested: string } {
  const decisions = `its decisions at threshold ${v.threshold}`;
  const share = `${keptPercent(v.margin)} % of ${servedSide(against)}`;
  return {
    better: `${decisions} are worth at least ${share}`,
    worse: `${decisions} are worth less than ${share}`,
    unshown: `${decisions} not shown to be worth ${share}`,
    tested: `pending − ${Number((1 - v.margin).toFixed(6))} × ${against === 'serving' ? 'serving' : 'no model'}`,
  };
}

/**
 * The value figures in words: "value at threshold 0.5 0.1338 vs serving 0.1667 a request (kept
 * 80.3 %): pending − 0.8 × serving +0.0004 (99 % always-valid one-sided bounds …)".
 */
export function describeValueFigures(
  v: ValueFigures,
  design: SequentialDesign,
  against: 'serving' | 'no-model' = 'serving',
): string {
  const versus = against === 'serving' ? 'serving' : 'no model';
  const kept = v.served > 0 ? ` (kept ${(100 * (v.pending / v.served)).toFixed(1)} %)` : '';
  return (
    `value at threshold ${v.threshold} ${v.pending.toFixed(4)} vs ${versus} ${v.served.toFixed(4)} a request${kept}: ` +
    `${valueWords(v, against).tested} ${signed(v.difference)} (${coverageLabel(design)} bounds ${signed(v.low)} to ${signed(v.high)})`
  );
}
