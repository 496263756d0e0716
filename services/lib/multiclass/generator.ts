// Seeded data with known answers, for the known-answer tests (sequence-learning.test.ts):
// - Order2Chain: a Markov chain of order 2 over `items` items, where the next item depends on the
//   two before it. Some contexts are near-deterministic, some have two likely successors, some are
//   spread (Dirichlet(1)). Its stationary distribution over contexts is computed by power iteration,
//   and from it, exactly, the best top-1 accuracy any predictor can reach (Bayes), and the best that
//   one seeing only the newest item, or nothing, can reach.
// - LinearSoftmaxSource: classes drawn from a softmax of a known linear function of two numbers and
//   a category, with the true probabilities of each example (so the Bayes accuracy of a sample is
//   its mean largest probability).
// Randomness is the learners' SplitMix32 (learners/random.ts): the same seed gives the same data.

import type { FeatureValues } from '../feature-values.js';
import { SeededRandom } from '../learners/random.js';

export interface Order2ChainOptions {
  /** Number of items. Default 20. */
  readonly items?: number;
  /** Seed of the transition table. Default 1. */
  readonly seed?: number;
}

export class Order2Chain {
  /** Item names, "i00", "i01", ... */
  readonly items: readonly string[];
  readonly size: number;
  /** P(c | a, b) at ((a · size) + b) · size + c. */
  readonly transition: Float64Array;

  /** A chain over `size` items with the given P(c | a, b) at ((a · size) + b) · size + c (each context's row sums to 1). */
  constructor(size: number, transition: Float64Array) {
    if (!Number.isInteger(size) || size < 2 || size > 100)
      throw new RangeError(`items must be an integer from 2 to 100, got ${String(size)}`);
    if (transition.length !== size ** 3)
      throw new RangeError(`the transition table of ${size} items has ${size ** 3} entries, got ${transition.length}`);
    for (let context = 0; context < size * size; context++) {
      const sum = transition.subarray(context * size, (context + 1) * size).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-9)
        throw new RangeError(`the probabilities after context ${context} sum to ${sum}, not 1`);
    }
    this.size = size;
    this.items = Array.from({ length: size }, (_, i) => `i${String(i).padStart(2, '0')}`);
    this.transition = transition;
  }

  /** A seeded random chain: 40% near-deterministic contexts, 30% with two likely successors, 30% spread. */
  static random(options: Order2ChainOptions = {}): Order2Chain {
    const size = options.items ?? 20;
    const random = new SeededRandom(options.seed ?? 1);
    const transition = new Float64Array(size * size * size);
    for (let context = 0; context < size * size; context++) {
      const p = transition.subarray(context * size, (context + 1) * size);
      const kind = random.next();
      if (kind < 0.4) {
        // near-deterministic: one successor with 0.85..0.95, the rest spread evenly
        const peak = Math.floor(random.next() * size);
        const top = 0.85 + 0.1 * random.next();
        p.fill((1 - top) / (size - 1));
        p[peak] = top;
      } else if (kind < 0.7) {
        // two likely successors, 0.45 and 0.30, the rest spread evenly
        const first = Math.floor(random.next() * size);
        const second = (first + 1 + Math.floor(random.next() * (size - 1))) % size;
        p.fill(0.25 / (size - 2));
        p[first] = 0.45;
        p[second] = 0.3;
      } else {
        // spread: Dirichlet(1, ..., 1), as normalised exponential draws
        let sum = 0;
        for (let c = 0; c < size; c++) sum += p[c] = -Math.log(1 - random.next());
        for (let c = 0; c < size; c++) p[c] = (p[c] as number) / sum;
      }
    }
    return new Order2Chain(size, transition);
  }

  probability(older: number, newest: number, next: number): number {
    return this.transition[(older * this.size + newest) * this.size + next] as number;
  }

  /** A next item drawn given the two newest. */
  sample(older: number, newest: number, random: SeededRandom): number {
    const base = (older * this.size + newest) * this.size;
    let u = random.next();
    for (let c = 0; c < this.size - 1; c++) {
      u -= this.transition[base + c] as number;
      if (u < 0) return c;
    }
    return this.size - 1;
  }

  /** The most probable next item given the two newest (ties: the lower item). */
  bestNext(older: number, newest: number): number {
    let best = 0;
    for (let c = 1; c < this.size; c++)
      if (this.probability(older, newest, c) > this.probability(older, newest, best)) best = c;
    return best;
  }

  /** The long-run frequency of each context (older · size + newest), by power iteration to 1e-15. */
  stationaryContexts(): Float64Array {
    const n = this.size;
    let pi = new Float64Array(n * n).fill(1 / (n * n));
    for (let iteration = 0; iteration < 100_000; iteration++) {
      const next = new Float64Array(n * n);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          const mass = pi[a * n + b] as number;
          for (let c = 0; c < n; c++) next[b * n + c] = (next[b * n + c] as number) + mass * this.probability(a, b, c);
        }
      }
      let change = 0;
      for (let s = 0; s < n * n; s++) change += Math.abs((next[s] as number) - (pi[s] as number));
      pi = next;
      if (change < 1e-15) break;
    }
    return pi;
  }

  /** Best top-1 accuracies in the long run: knowing both newest items (Bayes), only the newest, or nothing. */
  bestAccuracies(): { bayes: number; newestOnly: number; unigram: number } {
    const n = this.size;
    const pi = this.stationaryContexts();
    let bayes = 0;
    const byNewest = new Float64Array(n * n); // P(newest = b, next = c)
    const marginal = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const mass = pi[a * n + b] as number;
        bayes += mass * this.probability(a, b, this.bestNext(a, b));
        for (let c = 0; c < n; c++) {
          const joint = mass * this.probability(a, b, c);
          byNewest[b * n + c] = (byNewest[b * n + c] as number) + joint;
          marginal[c] = (marginal[c] as number) + joint;
        }
      }
    }
    let newestOnly = 0;
    for (let b = 0; b < n; b++) newestOnly += Math.max(...byNewest.subarray(b * n, (b + 1) * n));
    return { bayes, newestOnly, unigram: Math.max(...marginal) };
  }
}

/** One step of a sequence: the features before it (the last `window` items, newest last) and what came next. */
export interface SequenceStep {
  readonly x: FeatureValues;
  readonly label: string;
  readonly older: number;
  readonly newest: number;
  readonly next: number;
}

/** An endless seeded walk on a chain, after a burn-in, exposing the recent items as a last_n feature. */
export class SequenceStream {
  private readonly random: SeededRandom;
  private readonly history: number[] = [];

  constructor(
    readonly chain: Order2Chain,
    seed: number,
    readonly feature = 'recent',
    readonly window = 8,
  ) {
    this.random = new SeededRandom(seed);
    this.history.push(Math.floor(this.random.next() * chain.size), Math.floor(this.random.next() * chain.size));
    for (let i = 0; i < 200; i++) this.next();
  }

  next(): SequenceStep {
    const h = this.history;
    const older = h[h.length - 2] as number;
    const newest = h[h.length - 1] as number;
    const next = this.chain.sample(older, newest, this.random);
    const x = { [this.feature]: h.slice(-this.window).map((i) => this.chain.items[i] as string) };
    h.push(next);
    if (h.length > this.window) h.shift();
    return { x, label: this.chain.items[next] as string, older, newest, next };
  }
}

/** One example of LinearSoftmaxSource, with its true class probabilities. */
export interface LabelledExample {
  readonly x: FeatureValues;
  readonly label: string;
  readonly truth: Float64Array;
}

/** Classes drawn from softmax(W·[x1, x2] + bias + device effect): a linear model can be exactly right. */
export class LinearSoftmaxSource {
  readonly classes = ['red', 'green', 'blue', 'gold'] as const;
  readonly devices = ['ios', 'android', 'web'] as const;
  private static readonly X1 = [1.5, -1.0, 0.0, 0.5];
  private static readonly X2 = [0.0, 1.2, -1.5, 0.5];
  private static readonly BIAS = [0.3, 0.0, 0.2, -0.5];
  /** Per device (ios, android, web), per class. */
  private static readonly DEVICE = [
    [0.5, 0, 0, -0.4],
    [0, 0.8, 0, 0],
    [0, 0, 0.6, 0.4],
  ];
  private readonly random: SeededRandom;

  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }

  next(): LabelledExample {
    const x1 = this.random.normal();
    const x2 = this.random.normal();
    const device = Math.floor(this.random.next() * 3);
    const S = LinearSoftmaxSource;
    const logits = this.classes.map((_, c) => S.X1[c]! * x1 + S.X2[c]! * x2 + S.BIAS[c]! + S.DEVICE[device]![c]!);
    const max = Math.max(...logits);
    const exp = logits.map((l) => Math.exp(l - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    const truth = Float64Array.from(exp, (e) => e / sum);
    let u = this.random.next();
    let label = this.classes.length - 1;
    for (let c = 0; c < this.classes.length - 1; c++) {
      u -= truth[c] as number;
      if (u < 0) {
        label = c;
        break;
      }
    }
    return { x: { x1, x2, device: this.devices[device] as string }, label: this.classes[label] as string, truth };
  }
}
