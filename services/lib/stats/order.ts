// The order of a series of numbers, as indices, by a radix sort on their bits: the rollout judges
// AUC on tens of thousands of examples at every look, and a comparison sort of indices costs about
// ten times more (9 ms against under 1 ms for 36,000 scores here).
//
// A float64's bits, read as an unsigned integer, sort like the number once negative values have
// all bits flipped and non-negative ones the sign bit set. Four stable passes over 16-bit digits,
// least significant first, then order the indices; -0 is read as 0 so that the two tie.

const DIGIT_BITS = 16;
const BUCKETS = 1 << DIGIT_BITS;

/** Indices of `values` in ascending order of value; equal values keep their index order (stable). */
export function ascendingOrder(values: ArrayLike<number>): Uint32Array {
  const n = values.length;
  const floats = new Float64Array(n);
  for (let i = 0; i < n; i++) floats[i] = values[i]! === 0 ? 0 : values[i]!;
  const words = new Uint32Array(floats.buffer); // little-endian: low word, then high word
  const keys = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const low = words[2 * i]!;
    const high = words[2 * i + 1]!;
    const negative = high >>> 31 === 1;
    keys[2 * i] = negative ? ~low >>> 0 : low;
    keys[2 * i + 1] = negative ? ~high >>> 0 : (high | 0x80000000) >>> 0;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const counts = new Uint32Array(BUCKETS);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * DIGIT_BITS;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[2 * i + word]! >>> shift) & (BUCKETS - 1)]!++;
    let total = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[b]!;
      counts[b] = total;
      total += c;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      next[counts[(keys[2 * i + word]! >>> shift) & (BUCKETS - 1)]!++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}
