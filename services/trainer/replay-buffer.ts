// Recent examples, replayed alongside new ones: one pass over a stream underfits a model that sees
// few labels (only the decisions whose outcome teaches the score), so an online learner's
// mini-batch of new examples is followed by a few times as many drawn from the recent past. Each
// keeps the weight it was learned with the first time (learningWeight: training-weight.ts), or the
// replay would undo the weighting by drawing explored examples back at weight 1.
//
// Forgetting (training.forget) reaches the online learners here, by drawing each remembered example
// with probability ∝ 2^(−age/half-life), the age counted in decision time. Why the replay and not a
// weight on each example: an online learner (Adam or SGD at a constant rate) already follows its
// newest batches; what holds it to an old world is the replay, which draws three old examples per
// new one from the last 20,000 — long after a change, most of them still teach the world before
// it. A decay weight on the new batch itself would change nothing, since the batch's examples are
// all about as old and each batch's weights are divided by their mean (contender.ts). A decay
// weight on the replayed examples would, but most draws would then weigh next to nothing while a
// few weighed many times their share, and that normalisation could make one young explored example
// a step of its own. Sampling by the same weight gives the replay the same expected gradient — the
// discounted loss Σ 2^(−age/h)·wᵢ·lossᵢ of the bandits' forgetting — with every draw at its own
// learning weight, as before. Without a half-life the draws are uniform, exactly as they were.
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
  /** Decision time of each example (ms); null when it was not given (such an example never ages). */
  private readonly ts: (number | null)[] = [];
  /** The newest decision time remembered: ages are counted from it. */
  private newest = -Infinity;
  private next = 0;
  private seed = 1;

  constructor(private readonly capacity: number) {}

  /** Keeps the examples, the oldest making room once the buffer is full; `ts` are their decision times. */
  remember(batch: ExampleBatch, ts?: readonly number[]): void {
    for (let i = 0; i < batch.xs.length; i++) {
      const t = ts?.[i] ?? null;
      if (t !== null && t > this.newest) this.newest = t;
      if (this.xs.length < this.capacity) {
        this.xs.push(batch.xs[i]!);
        this.ys.push(batch.ys[i]!);
        this.ws.push(batch.ws[i]!);
        this.ts.push(t);
      } else {
        this.xs[this.next] = batch.xs[i]!;
        this.ys[this.next] = batch.ys[i]!;
        this.ws[this.next] = batch.ws[i]!;
        this.ts[this.next] = t;
        this.next = (this.next + 1) % this.capacity;
      }
    }
  }

  /**
   * The probability that one draw takes each remembered example (in storage order): uniform, or with
   * a half-life (ms) in proportion to 2^(−age/halfLifeMs).
   */
  shares(halfLifeMs: number | null = null): number[] {
    const n = this.xs.length;
    if (halfLifeMs === null) return this.xs.map(() => 1 / n);
    const weights = this.ts.map((t) => (t === null ? 1 : 2 ** (-(this.newest - t) / halfLifeMs)));
    const total = weights.reduce((s, w) => s + w, 0);
    return weights.map((w) => w / total);
  }

  /**
   * Draws with replacement, from a seeded generator so runs repeat: uniformly, or with a half-life
   * (ms) in proportion to 2^(−age/halfLifeMs) (see the header).
   */
  draw(count: number, halfLifeMs: number | null = null): ExampleBatch {
    const n = this.xs.length;
    const batch = emptyBatch();
    if (n === 0) return batch;
    const cumulative = halfLifeMs === null ? null : this.cumulativeShares(halfLifeMs);
    for (let i = 0; i < count; i++) {
      this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0;
      const j = cumulative === null ? this.seed % n : search(cumulative, (this.seed / 2 ** 32) * cumulative[n - 1]!);
      batch.xs.push(this.xs[j]!);
      batch.ys.push(this.ys[j]!);
      batch.ws.push(this.ws[j]!);
    }
    return batch;
  }

  private cumulativeShares(halfLifeMs: number): Float64Array {
    const cumulative = new Float64Array(this.xs.length);
    let sum = 0;
    for (let i = 0; i < cumulative.length; i++) {
      const t = this.ts[i]!;
      sum += t === null ? 1 : 2 ** (-(this.newest - t) / halfLifeMs);
      cumulative[i] = sum;
    }
    return cumulative;
  }
}

/** The first index whose cumulative weight exceeds u (u below the last one). */
function search(cumulative: Float64Array, u: number): number {
  let [low, high] = [0, cumulative.length - 1];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (cumulative[mid]! > u) high = mid;
    else low = mid + 1;
  }
  return low;
}
