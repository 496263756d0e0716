// Is the shadow model (B, "candidate") better than the live one (A) on the same logged examples,
// and by how much, with what confidence? Each example carries a label and both models' scores, so
// the comparison is paired: the noise the two models share (hard examples are hard for both)
// cancels, and the interval is far narrower than one from two independent samples.
//
// Per metric:
//   - auc: DeLong's variance for two correlated AUCs (see delong.ts), ties counted half;
//   - logloss, mae: the mean of the per-example loss differences loss_A − loss_B, whose sample
//     variance over n gives the standard error (a paired z-interval);
//   - rmse: the difference of RMSEs, √MSE_A − √MSE_B, with a delta-method standard error on the
//     paired mean squared errors: the gradient of √M_A − √M_B is (1/(2√M_A), −1/(2√M_B)), so the
//     per-example influence is e_Aᵢ²/(2·RMSE_A) − e_Bᵢ²/(2·RMSE_B) and its sample variance over n
//     is the variance of the gain.
// The interval is gain ± z_{1−α/2}·se, a normal approximation: sound for hundreds of examples and
// more (and for AUC, tens of each class), optimistic for a handful.

import { delongPaired } from './delong.js';
import { twoSidedCritical } from './normal.js';

export type ComparedMetric = 'auc' | 'logloss' | 'rmse' | 'mae';

export interface PairedComparison {
  readonly metric: ComparedMetric;
  /** Examples compared. */
  readonly n: number;
  /** The metric of A (live) on them, as usually stated. */
  readonly live: number;
  /** The metric of B (candidate) on them. */
  readonly candidate: number;
  /** Improvement of B over A, larger is better: auc_B − auc_A; logloss_A − logloss_B; rmse_A − rmse_B; mae_A − mae_B. */
  readonly gain: number;
  /** Lower end of the two-sided (1 − alpha) confidence interval of `gain`. */
  readonly low: number;
  /** Upper end of that interval. */
  readonly high: number;
  /** How the interval was computed. */
  readonly method: string;
}

/** Log-loss clips predictions to [EPSILON, 1 − EPSILON], as OnlineMetrics does, so one confident
 * mistake costs a large but finite loss. */
const EPSILON = 1e-15;

interface Estimate {
  readonly live: number;
  readonly candidate: number;
  readonly gain: number;
  readonly standardError: number;
  readonly method: string;
}

function checkInputs(
  metric: ComparedMetric,
  labels: ArrayLike<number>,
  live: ArrayLike<number>,
  candidate: ArrayLike<number>,
): void {
  if (labels.length !== live.length || labels.length !== candidate.length) {
    throw new RangeError(
      `labels, live and candidate must have the same length: got ${labels.length}, ${live.length} and ${candidate.length}`,
    );
  }
  if (labels.length < 2) throw new RangeError(`a paired comparison needs at least 2 examples, got ${labels.length}`);
  const series: readonly (readonly [string, ArrayLike<number>])[] = [
    ['labels', labels],
    ['live', live],
    ['candidate', candidate],
  ];
  for (const [name, values] of series) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new RangeError(`${name}[${i}] must be a finite number, got ${values[i]}`);
    }
  }
  if (metric === 'auc') {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 0 && labels[i] !== 1)
        throw new RangeError(`AUC needs labels 0 or 1: labels[${i}] is ${labels[i]}`);
    }
  }
  if (metric === 'logloss') {
    for (const [name, values] of series) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < 0 || v > 1)
          throw new RangeError(
            `log-loss needs ${name === 'labels' ? 'labels' : 'probabilities'} in [0, 1]: ${name}[${i}] is ${v}`,
          );
      }
    }
  }
}

function aucEstimate(labels: ArrayLike<number>, live: ArrayLike<number>, candidate: ArrayLike<number>): Estimate {
  let m = 0;
  for (let i = 0; i < labels.length; i++) m += labels[i] === 1 ? 1 : 0;
  const n = labels.length - m;
  if (m === 0 || n === 0)
    throw new RangeError(`AUC needs both outcomes among the examples compared: got ${m} positives and ${n} negatives`);
  if (m < 2 || n < 2)
    throw new RangeError(
      `DeLong's variance needs at least 2 examples of each outcome: got ${m} positives and ${n} negatives`,
    );
  const positivesA = new Float64Array(m);
  const negativesA = new Float64Array(n);
  const positivesB = new Float64Array(m);
  const negativesB = new Float64Array(n);
  let p = 0;
  let q = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      positivesA[p] = live[i]!;
      positivesB[p++] = candidate[i]!;
    } else {
      negativesA[q] = live[i]!;
      negativesB[q++] = candidate[i]!;
    }
  }
  const result = delongPaired(positivesA, negativesA, positivesB, negativesB);
  return {
    live: result.aucA,
    candidate: result.aucB,
    gain: result.aucB - result.aucA,
    standardError: Math.sqrt(result.variance),
    method: 'DeLong (paired AUCs; midranks, ties counted half)',
  };
}

/** Mean and sample variance (denominator length − 1) of a series. */
function meanAndVariance(values: Float64Array): { mean: number; variance: number } {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

function logLoss(label: number, prediction: number): number {
  const p = Math.min(Math.max(prediction, EPSILON), 1 - EPSILON);
  return -(label * Math.log(p) + (1 - label) * Math.log(1 - p));
}

/** logloss and mae: the gain is the mean of per-example loss differences. */
function meanLossEstimate(
  loss: (label: number, prediction: number) => number,
  labels: ArrayLike<number>,
  live: ArrayLike<number>,
  candidate: ArrayLike<number>,
  method: string,
): Estimate {
  const n = labels.length;
  const differences = new Float64Array(n);
  let sumLive = 0;
  let sumCandidate = 0;
  for (let i = 0; i < n; i++) {
    const lossLive = loss(labels[i]!, live[i]!);
    const lossCandidate = loss(labels[i]!, candidate[i]!);
    sumLive += lossLive;
    sumCandidate += lossCandidate;
    differences[i] = lossLive - lossCandidate;
  }
  const { mean, variance } = meanAndVariance(differences);
  return { live: sumLive / n, candidate: sumCandidate / n, gain: mean, standardError: Math.sqrt(variance / n), method };
}

function rmseEstimate(labels: ArrayLike<number>, live: ArrayLike<number>, candidate: ArrayLike<number>): Estimate {
  const n = labels.length;
  let mseLive = 0;
  let mseCandidate = 0;
  for (let i = 0; i < n; i++) {
    mseLive += (labels[i]! - live[i]!) ** 2;
    mseCandidate += (labels[i]! - candidate[i]!) ** 2;
  }
  const rmseLive = Math.sqrt(mseLive / n);
  const rmseCandidate = Math.sqrt(mseCandidate / n);
  const method = 'delta method on the paired mean squared errors (difference of RMSEs)';
  if (rmseLive === 0 && rmseCandidate === 0) return { live: 0, candidate: 0, gain: 0, standardError: 0, method };
  if (rmseLive === 0 || rmseCandidate === 0) {
    // √M has an infinite slope at 0, so the delta method has nothing to say.
    throw new RangeError(
      `the RMSE interval (delta method on √MSE) needs errors from both models, but ${rmseLive === 0 ? 'live' : 'candidate'} predicts every example exactly; compare 'mae' instead`,
    );
  }
  const influence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    influence[i] =
      (labels[i]! - live[i]!) ** 2 / (2 * rmseLive) - (labels[i]! - candidate[i]!) ** 2 / (2 * rmseCandidate);
  }
  const { variance } = meanAndVariance(influence);
  return {
    live: rmseLive,
    candidate: rmseCandidate,
    gain: rmseLive - rmseCandidate,
    standardError: Math.sqrt(variance / n),
    method,
  };
}

function estimate(
  metric: ComparedMetric,
  labels: ArrayLike<number>,
  live: ArrayLike<number>,
  candidate: ArrayLike<number>,
): Estimate {
  switch (metric) {
    case 'auc':
      return aucEstimate(labels, live, candidate);
    case 'logloss':
      return meanLossEstimate(logLoss, labels, live, candidate, 'paired mean of per-example log-loss differences');
    case 'mae':
      return meanLossEstimate(
        (y, p) => Math.abs(y - p),
        labels,
        live,
        candidate,
        'paired mean of per-example absolute-error differences',
      );
    case 'rmse':
      return rmseEstimate(labels, live, candidate);
  }
}

const METRICS: readonly ComparedMetric[] = ['auc', 'logloss', 'rmse', 'mae'];

/**
 * Compares the candidate (B) with the live model (A) on the same examples: both metrics, the gain
 * of B over A (larger is better whatever the metric) and its two-sided (1 − alpha) interval.
 * Promote B with confidence when `low > 0`. Throws a RangeError for inputs that cannot be compared
 * (lengths differ, fewer than 2 examples, a non-finite value, a label the metric cannot take).
 */
export function comparePaired(
  metric: ComparedMetric,
  labels: ArrayLike<number>,
  live: ArrayLike<number>,
  candidate: ArrayLike<number>,
  alpha = 0.05,
): PairedComparison {
  if (!METRICS.includes(metric))
    throw new RangeError(`unknown metric "${String(metric)}": use one of ${METRICS.join(', ')}`);
  const z = twoSidedCritical(alpha);
  checkInputs(metric, labels, live, candidate);
  const e = estimate(metric, labels, live, candidate);
  const halfWidth = z * e.standardError;
  return {
    metric,
    n: labels.length,
    live: e.live,
    candidate: e.candidate,
    gain: e.gain,
    low: e.gain - halfWidth,
    high: e.gain + halfWidth,
    method: e.method,
  };
}
