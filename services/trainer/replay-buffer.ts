// Recent examples, replayed alongside new ones: one pass over a stream underfits a model that sees
// few labels (only the decisions whose outcome teaches the score), so an online learner's
// mini-batch of new examples is followed by a few times as many drawn from the recent past. Each
// keeps the weight it was learned with the first time (1/propensity: training-weight.ts), or the
// replay would undo the weighting by drawing explored examples back at weight 1.
import type { FeatureValues } from '../lib/feature-values.js';

export interface ExampleBatch {
  xs: FeatureValues[];
  ys: number[];
  /** One training weight per example. */
  ws: number[];
}

export const emptyBatch = (): ExampleBatch => ({ xs: [], ys: [], ws: [] });

export class ReplayBuffer {
  private readonly xs: FeatureValues[] = [];
  private readonly ys: number[] = [];
  private readonly ws: number[] = [];
  private next = 0;
  private seed = 1;

  constructor(private readonly capacity: number) {}

  /** Keeps the examples, the oldest making room once the buffer is full. */
  remember(batch: ExampleBatch): void {
    for (let i = 0; i < batch.xs.length; i++) {
      if (this.xs.length < this.capacity) {
        this.xs.push(batch.xs[i]!);
        this.ys.push(batch.ys[i]!);
        this.ws.push(batch.ws[i]!);
      } else {
        this.xs[this.next] = batch.xs[i]!;
        this.ys[this.next] = batch.ys[i]!;
        this.ws[this.next] = batch.ws[i]!;
        this.next = (this.next + 1) % this.capacity;
      }
    }
  }

  /** Uniform draws (with replacement), from a seeded generator so runs repeat. */
  draw(count: number): ExampleBatch {
    const n = this.xs.length;
    const batch = emptyBatch();
    for (let i = 0; i < count && n > 0; i++) {
      this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0;
      const j = this.seed % n;
      batch.xs.push(this.xs[j]!);
      batch.ys.push(this.ys[j]!);
      batch.ws.push(this.ws[j]!);
    }
    return batch;
  }
}
