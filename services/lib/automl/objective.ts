// What a search optimises: the blueprint's metric on held-out rows, oriented so that larger is
// better, under the blueprint's hard constraints on artifact size and single-row scoring time.

import type { Scorer } from '../learners/contract.js';
import { OnlineMetrics } from '../stats/online-metrics.js';
import type { Rows } from './dataset.js';
import { higherIsBetter, type QualityMetric } from '../monitoring/quality-plan.js';

export type SearchMetric = 'auc' | 'logloss' | 'rmse' | 'mae';

export interface Constraints {
  /** Largest p99 single-row scoring time, microseconds. */
  readonly p99InferenceUs: number;
  /** Largest artifact, bytes. */
  readonly modelSizeBytes: number;
}

/** Every metric the evaluation reports, besides the one the search optimises. */
export interface MetricValues {
  readonly auc?: number;
  readonly logloss?: number;
  readonly rmse?: number;
  readonly mae?: number;
}

/** Larger is better: AUC (and every metric where higher is better) as it is, losses negated. */
export function orient(metric: QualityMetric, value: number): number {
  return higherIsBetter(metric) ? value : -value;
}

/** The metrics of a scorer on `rows`, scored one row at a time as the predictor will. */
export function evaluateScorer(scorer: Scorer, rows: Rows, classification: boolean): MetricValues {
  const metrics = new OnlineMetrics();
  for (let i = 0; i < rows.xs.length; i++) metrics.update(rows.ys[i]!, scorer.score(rows.xs[i]!), rows.ws[i]!);
  return taskMetrics(metrics, classification);
}

/**
 * The metrics that describe a task's predictions, those not finite left out: AUC and log-loss of
 * probabilities, RMSE and MAE of estimates. The others would be figures about nothing: the
 * log-loss of an estimate of 300 is a large negative number, its AUC that of labels read as 0..1.
 */
export function taskMetrics(metrics: OnlineMetrics, classification: boolean): MetricValues {
  const finite = (v: number) => (Number.isFinite(v) ? v : undefined);
  if (classification) return { auc: finite(metrics.auc()), logloss: finite(metrics.logLoss()) };
  return { rmse: finite(metrics.rmse()), mae: finite(metrics.mae()) };
}

/** Why a model breaks the constraints, one phrase each; empty when it keeps them. */
export function constraintViolations(sizeBytes: number, p99Us: number, constraints: Constraints): string[] {
  const violations: string[] = [];
  if (sizeBytes > constraints.modelSizeBytes)
    violations.push(`artifact ${formatBytes(sizeBytes)} over the ${formatBytes(constraints.modelSizeBytes)} limit`);
  if (p99Us > constraints.p99InferenceUs)
    violations.push(`p99 scoring ${p99Us.toFixed(1)} µs over the ${constraints.p99InferenceUs} µs limit`);
  return violations;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
