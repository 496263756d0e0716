// Recent examples, replayed alongside new ones: one pass over a stream underfits a model that sees
// few labels (only the decisions whose outcome teaches the score), so an online learner's
// mini-batch of new examples is followed by a few times as many drawn from the recent past.
import type { FeatureValues } from '../lib/feature-values.js';

export interface ExampleBatch {
  xs: FeatureValues[];
  ys: number[];
}

export class ReplayBuffer {
  private readonly xs: FeatureValues[] = [];
  private readonly ys: number[] = [];
  private next = 0;
  private seed = 1;

  constructor(private readonly capacity: number) {}

  /** Keeps the examples, the oldest making room once the buffer is full. */
  remember(xs: readonly FeatureValues[], ys: readonly number[]): void {
    for (let i = 0; i < xs.length; i++) {
      if (this.xs.length < this.capacity) {
        this.xs.push(xs[i]!);
        this.ys.push(ys[i]!);
      } else {
        this.xs[this.next] = xs[i]!;
        this.ys[this.next] = ys[i]!;
        this.next = (this.next + 1) % this.capacity;
      }
    }
  }

  /** Uniform draws (with replacement), from a seeded generator so runs repeat. */
  draw(count: number): ExampleBatch {
    const n = this.xs.length;
    const batch: ExampleBatch = { xs: [], ys: [] };
    for (let i = 0; i < count && n > 0; i++) {
      this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0;
      const j = this.seed % n;
      batch.xs.push(this.xs[j]!);
      batch.ys.push(this.ys[j]!);
    }
    return batch;
  }
}
