// Online quality of a model that names classes (multi-class classification, the next item of a
// sequence), measured on what it answered: where the true class stood in the classes it returned,
// and, when the decision logged it, the probability it gave the true class. A decision logs the
// probabilities of the classes it returned only, so the caller passes a probability only when that
// is the model's (see trueClassProbability); log-loss is then over those examples.

/** Probabilities are floored at this before the log, as the trainer's WindowedClassMetrics does: a confident miss costs −ln(1e-15) ≈ 34.5, not ∞. */
export const LOG_LOSS_FLOOR = 1e-15;

export interface ClassRankSnapshot {
  readonly count: number;
  /** Share of examples whose true class was the first returned. */
  readonly top1Accuracy: number;
  /** Share whose true class was among those returned (top k, k the blueprint's). */
  readonly topKAccuracy: number;
  /** Mean of 1/rank of the true class among those returned, 0 when it was not returned. */
  readonly meanReciprocalRank: number;
  /** Mean NDCG@ndcgAt of the returned list with the true class as its one relevant item: 1/log2(1 + rank), 0 below the cut-off or not returned. */
  readonly ndcg: number;
  /** Examples whose probability of the true class is known. */
  readonly logLossCount: number;
  /** Mean of −ln(max(P(true class), LOG_LOSS_FLOOR)) over those; null when there are none. */
  readonly logLoss: number | null;
}

/**
 * The probability a decision's model gave `truth`, from the probabilities it logged for the
 * classes it returned: the logged one when `truth` was returned, else the mass left over (1 − the
 * sum logged). The latter is exact only when every class the model names was returned — the rest is
 * then its "__other__" row, which is where the trainer counts a class it does not name.
 */
export function trueClassProbability(logged: Readonly<Record<string, number>>, truth: string): number {
  const p = logged[truth];
  if (p !== undefined) return p;
  let sum = 0;
  for (const value of Object.values(logged)) sum += value;
  return Math.max(0, 1 - sum);
}

/** The last `window` examples' ranks of the true class (1-based; 0: not returned), and its probability (NaN: unknown). */
export class ClassRanks {
  private readonly ranks: Int32Array;
  private readonly probabilities: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(
    window: number,
    /** The cut-off of NDCG; Infinity: every class returned counts. */
    readonly ndcgAt = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(window) || window < 1)
      throw new RangeError(`ClassRanks: window must be a whole number ≥ 1, got ${window}`);
    if (!(ndcgAt >= 1)) throw new RangeError(`ClassRanks: ndcgAt must be ≥ 1, got ${ndcgAt}`);
    this.ranks = new Int32Array(window);
    this.probabilities = new Float64Array(window);
  }

  /** One example: the classes returned, best first, the class that came true, and the model's probability of it when known. */
  add(returned: readonly string[], truth: string, probability: number | null = null): void {
    this.ranks[this.next] = returned.indexOf(truth) + 1;
    this.probabilities[this.next] =
      probability !== null && probability >= 0 && probability <= 1 + 1e-9 ? Math.min(1, probability) : Number.NaN;
    this.next = (this.next + 1) % this.ranks.length;
    this.filled = Math.min(this.filled + 1, this.ranks.length);
  }

  get count(): number {
    return this.filled;
  }

  snapshot(): ClassRankSnapshot {
    let top1 = 0;
    let returned = 0;
    let reciprocal = 0;
    let gain = 0;
    let known = 0;
    let loss = 0;
    for (let i = 0; i < this.filled; i++) {
      const rank = this.ranks[i]!;
      if (rank === 1) top1++;
      if (rank > 0) {
        returned++;
        reciprocal += 1 / rank;
        if (rank <= this.ndcgAt) gain += 1 / Math.log2(1 + rank);
      }
      const p = this.probabilities[i]!;
      if (!Number.isNaN(p)) {
        known++;
        loss -= Math.log(Math.max(p, LOG_LOSS_FLOOR));
      }
    }
    const n = Math.max(1, this.filled);
    return {
      count: this.filled,
      top1Accuracy: top1 / n,
      topKAccuracy: returned / n,
      meanReciprocalRank: reciprocal / n,
      ndcg: gain / n,
      logLossCount: known,
      logLoss: known > 0 ? loss / known : null,
    };
  }
}
