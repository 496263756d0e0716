// Online quality of a model that names classes (multi-class classification, the next item of a
// sequence), measured on what it answered: where the true class stood in the classes it returned.
// The probability of a class it did not return is not logged, so log-loss is the trainer's
// (progressive validation), not measured here.

export interface ClassRankSnapshot {
  readonly count: number;
  /** Share of examples whose true class was the first returned. */
  readonly top1Accuracy: number;
  /** Share whose true class was among those returned (top k, k the blueprint's). */
  readonly topKAccuracy: number;
  /** Mean of 1/rank of the true class among those returned, 0 when it was not returned. */
  readonly meanReciprocalRank: number;
}

/** The last `window` examples' ranks of the true class (1-based; 0: not returned). */
export class ClassRanks {
  private readonly ranks: Int32Array;
  private next = 0;
  private filled = 0;

  constructor(window: number) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`ClassRanks: window must be a whole number ≥ 1, got ${window}`);
    this.ranks = new Int32Array(window);
  }

  /** One example: the classes returned, best first, and the class that came true. */
  add(returned: readonly string[], truth: string): void {
    this.ranks[this.next] = returned.indexOf(truth) + 1;
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
    for (let i = 0; i < this.filled; i++) {
      const rank = this.ranks[i]!;
      if (rank === 1) top1++;
      if (rank > 0) {
        returned++;
        reciprocal += 1 / rank;
      }
    }
    const n = Math.max(1, this.filled);
    return { count: this.filled, top1Accuracy: top1 / n, topKAccuracy: returned / n, meanReciprocalRank: reciprocal / n };
  }
}
