// Every random choice of the bandits goes through a generator the caller passes in, so that a
// seeded run repeats exactly. `SeededRandom` (learners/random.ts) is one; the interface is all
// the bandits need of it.

/** A source of uniform and standard normal numbers. */
export interface RandomSource {
  /** A uniform number in [0, 1). */
  next(): number;
  /** A standard normal number. */
  normal(): number;
}

/** The index drawn from `probabilities` (non-negative, summing to 1) by inversion of one uniform.
 * Rounding can leave the running sum a hair under a uniform near 1: the last index with a positive
 * probability is then returned, never one with probability 0. */
export function sampleIndex(probabilities: ArrayLike<number>, random: RandomSource): number {
  const u = random.next();
  let cumulative = 0;
  let lastPositive = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (p <= 0) continue;
    cumulative += p;
    lastPositive = i;
    if (u < cumulative) return i;
  }
  if (lastPositive < 0) throw new RangeError('cannot sample from probabilities that are all 0');
  return lastPositive;
}

/** The indices of the largest scores (several when they tie exactly). */
export function bestIndices(scores: ArrayLike<number>): number[] {
  let best = -Infinity;
  let indices: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s > best) {
      best = s;
      indices = [i];
    } else if (s === best) {
      indices.push(i);
    }
  }
  return indices;
}

/** One of `indices`, uniformly. A single index costs no draw, so a run without ties consumes the
 * generator exactly as one with no tie-breaking at all would. */
export function pickUniformly(indices: readonly number[], random: RandomSource): number {
  if (indices.length === 1) return indices[0]!;
  return indices[Math.min(indices.length - 1, Math.floor(random.next() * indices.length))]!;
}
