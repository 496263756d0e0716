// Count, mean and sample variance of one arm's outcomes: all that the A/B intervals need. Kept
// as running moments (Welford 1962) so that an experiment can be summarised as it streams in,
// without keeping its outcomes, and without the cancellation of Σx² − (Σx)²/n on large means.

/** Summary of one arm of an experiment: the per-entity outcomes seen so far. */
export interface ArmStats {
  /** Entities (outcomes) seen. */
  readonly n: number;
  /** Their mean. */
  readonly mean: number;
  /** Their sample variance (denominator n − 1); 0 while n < 2. */
  readonly variance: number;
}

/** Welford's running mean and variance; it is itself an `ArmStats`. */
export class RunningMoments implements ArmStats {
  private count = 0;
  private runningMean = 0;
  /** Σ (x − mean)², updated in Welford's form. */
  private squares = 0;

  /** Moments of `values`, added in order. */
  static of(values: Iterable<number>): RunningMoments {
    const moments = new RunningMoments();
    for (const x of values) moments.add(x);
    return moments;
  }

  /** Adds one outcome; throws a RangeError for a non-finite one, which would poison every later value. */
  add(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`an outcome must be a finite number, got ${x}`);
    this.count += 1;
    const delta = x - this.runningMean;
    this.runningMean += delta / this.count;
    this.squares += delta * (x - this.runningMean);
  }

  get n(): number {
    return this.count;
  }

  get mean(): number {
    return this.runningMean;
  }

  get variance(): number {
    return this.count < 2 ? 0 : this.squares / (this.count - 1);
  }

  /** A plain, frozen copy (for logging or sending the summary elsewhere). */
  snapshot(): ArmStats {
    return Object.freeze({ n: this.n, mean: this.mean, variance: this.variance });
  }
}
