// Online quality of a multi-class model over the last W examples: top-1 and top-k accuracy, mean
// reciprocal rank and log-loss. Each example is kept as (rank of the true class, its probability) in
// a ring; a summary recomputes every figure from what is in the ring, oldest first, so it is exact
// (no running sums drifting as examples enter and leave) and costs O(W) per read, O(1) per example
// once the rank is known.

import { MulticlassOptionsError, ScoringArgumentError } from './errors.js';
import { rankOf } from './ranking.js';

export interface ClassMetricsOptions {
  /** Examples kept: the last `window` observed. */
  readonly window: number;
  /** The k of top-k accuracy. Default 5. */
  readonly k?: number;
  /** Probabilities are clipped up to this before the log (a confident miss costs −ln(1e-15) ≈ 34.5, not ∞). Default 1e-15. */
  readonly minProbability?: number;
}

export interface ClassMetricsSummary {
  /** Examples in the window (≤ window). */
  readonly count: number;
  readonly window: number;
  readonly k: number;
  /** Share of examples whose true class ranked first; null when the window is empty (as for all figures). */
  readonly top1Accuracy: number | null;
  /** Share whose true class ranked k-th or better. */
  readonly topKAccuracy: number | null;
  /** Mean of 1/rank of the true class. */
  readonly meanReciprocalRank: number | null;
  /** Mean of −ln(max(P(true class), minProbability)). */
  readonly logLoss: number | null;
}

export class WindowedClassMetrics {
  readonly window: number;
  readonly k: number;
  readonly minProbability: number;
  private readonly ranks: Int32Array;
  private readonly probabilities: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(options: ClassMetricsOptions) {
    const { window, k = 5, minProbability = 1e-15 } = options;
    const problems: string[] = [];
    if (!Number.isInteger(window) || window < 1 || window > 10_000_000)
      problems.push(`window must be an integer from 1 to 10000000, got ${String(window)}`);
    if (!Number.isInteger(k) || k < 1) problems.push(`k must be an integer ≥ 1, got ${String(k)}`);
    if (!(minProbability > 0 && minProbability < 1))
      problems.push(`minProbability must be in (0, 1), got ${String(minProbability)}`);
    if (problems.length > 0) throw new MulticlassOptionsError('class metrics', problems);
    this.window = window;
    this.k = k;
    this.minProbability = minProbability;
    this.ranks = new Int32Array(window);
    this.probabilities = new Float64Array(window);
  }

  get count(): number {
    return this.filled;
  }

  /** Records one prediction: `proba` as predictProba wrote it for a model of `rows` rows, `trueRow` the label's row. */
  observe(proba: Float64Array, rows: number, trueRow: number): void {
    if (!Number.isInteger(rows) || rows < 1 || rows > proba.length)
      throw new ScoringArgumentError(
        'metrics.observe',
        `rows must be an integer from 1 to proba.length (${proba.length}), got ${String(rows)}`,
      );
    if (!Number.isInteger(trueRow) || trueRow < 0 || trueRow >= rows)
      throw new ScoringArgumentError(
        'metrics.observe',
        `trueRow must be an integer from 0 to ${rows - 1}, got ${String(trueRow)}`,
      );
    this.observeRank(rankOf(proba, rows, trueRow), proba[trueRow] as number);
  }

  /** Records one prediction by the rank (1 = first) and probability its model gave the true class. */
  observeRank(rank: number, probability: number): void {
    if (!Number.isInteger(rank) || rank < 1)
      throw new ScoringArgumentError('metrics.observeRank', `rank must be an integer ≥ 1, got ${String(rank)}`);
    if (!(probability >= 0 && probability <= 1 + 1e-9))
      throw new ScoringArgumentError(
        'metrics.observeRank',
        `probability must be in [0, 1], got ${String(probability)}`,
      );
    this.ranks[this.next] = rank;
    this.probabilities[this.next] = Math.min(1, probability);
    this.next = (this.next + 1) % this.window;
    if (this.filled < this.window) this.filled++;
  }

  summary(): ClassMetricsSummary {
    const n = this.filled;
    const base = { count: n, window: this.window, k: this.k };
    if (n === 0) return { ...base, top1Accuracy: null, topKAccuracy: null, meanReciprocalRank: null, logLoss: null };
    let top1 = 0;
    let topK = 0;
    let reciprocal = 0;
    let loss = 0;
    const oldest = this.filled < this.window ? 0 : this.next;
    for (let i = 0; i < n; i++) {
      const at = (oldest + i) % this.window;
      const rank = this.ranks[at] as number;
      if (rank === 1) top1++;
      if (rank <= this.k) topK++;
      reciprocal += 1 / rank;
      loss -= Math.log(Math.max(this.probabilities[at] as number, this.minProbability));
    }
    return {
      ...base,
      top1Accuracy: top1 / n,
      topKAccuracy: topK / n,
      meanReciprocalRank: reciprocal / n,
      logLoss: loss / n,
    };
  }

  /** Forgets every example. */
  reset(): void {
    this.next = 0;
    this.filled = 0;
  }
}
