// Seeded randomness for the simulator: mulberry32 (32-bit state, period 2^32, fast and good
// enough for simulation), with named, independent streams so that, e.g., how many events were
// drawn never changes which users exist or which decide requests come next.

/** A seeded source of uniform draws and the few distributions the simulator needs. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Normal(mean, sd), by Box–Muller (two uniform draws per value). */
  normal(mean?: number, sd?: number): number;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** One of `items`, uniformly; `items` must not be empty. */
  pick<T>(items: readonly T[]): T;
  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: readonly number[]): number;
  /** An independent stream named `label`, derived from this stream's seed (not from its draws so far). */
  fork(label: string): Random;
}

/** mulberry32: the next uniform in [0, 1) from a 32-bit state, as a generator function. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed for the stream `label` of `seed` (FNV-1a over the label, mixed with the seed). */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 4294967296)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const random: Random = {
    next,
    int: (n) => Math.floor(next() * n),
    normal: (mean = 0, sd = 1) => {
      const u = 1 - next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick: no items to pick from');
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted: (weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i]!;
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
    fork: (label) => createRandom(deriveSeed(seed, label)),
  };
  return random;
}
