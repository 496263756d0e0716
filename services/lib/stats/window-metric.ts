// A metric over a window of (label, score) pairs with its standard error, so that two windows can
// be compared with their noise in view: DeLong's variance for AUC, the per-example loss variance
// for log-loss and MAE, the delta method for RMSE (se(√MSE) ≈ se(MSE)/(2√MSE)).
import { delongSingle } from './delong.js';
import type { ComparedMetric } from './paired.js';

export interface MetricEstimate {
  readonly value: number;
  readonly se: number;
  readonly count: number;
}

const EPSILON = 1e-15;

function meanAndSe(values: readonly number[]): { mean: number; se: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, se: Math.sqrt(variance / n) };
}

/** The metric on the pairs and its standard error; null when it is undefined there (one class only for AUC, fewer than 2 pairs). */
export function estimateMetric(
  metric: ComparedMetric,
  labels: readonly number[],
  scores: readonly number[],
): MetricEstimate | null {
  const count = labels.length;
  if (count < 2) return null;
  if (metric === 'auc') {
    const positives: number[] = [];
    const negatives: number[] = [];
    for (let i = 0; i < count; i++) (labels[i]! >= 0.5 ? positives : negatives).push(scores[i]!);
    if (positives.length < 2 || negatives.length < 2) return null;
    const { auc, variance } = delongSingle(Float64Array.from(positives), Float64Array.from(negatives));
    return { value: auc, se: Math.sqrt(variance), count };
  }
  const losses = labels.map((y, i) => {
    const p = scores[i]!;
    if (metric === 'logloss') {
      const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
      return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }
    return metric === 'mae' ? Math.abs(y - p) : (y - p) ** 2;
  });
  const { mean, se } = meanAndSe(losses);
  if (metric !== 'rmse') return { value: mean, se, count };
  const rmse = Math.sqrt(mean);
  return { value: rmse, se: rmse > 0 ? se / (2 * rmse) : 0, count };
}
