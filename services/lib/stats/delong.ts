// DeLong, DeLong & Clarke-Pearson (Biometrics 44, 1988): the variance of the difference of two
// AUCs measured on the same examples. Each AUC is a two-sample U-statistic, the mean over
// (positive, negative) pairs of ψ = 1 if the positive scores higher, ½ on a tie, 0 otherwise.
// Its "structural components" are, per positive i, V10ᵢ = the share of negatives it beats, and
// per negative j, V01ⱼ = the share of positives that beat it (ties ½). For two models A and B,
//
//   Var(AUC_B − AUC_A) = s²(V10_B − V10_A)/m + s²(V01_B − V01_A)/n
//
// with m positives, n negatives and s² the sample variance (denominators m − 1, n − 1). Pairing
// enters through the per-example differences: two models that rank alike have small ones.
//
// The components come from midranks in O(N log N) (Sun & Xu, IEEE SPL 21, 2014): with T the
// midrank of a score among all N = m + n scores, Tₓ among positives only and T_y among negatives
// only, V10ᵢ = (Tᵢ − Tₓᵢ)/n and V01ⱼ = 1 − (T_{m+j} − T_yⱼ)/m, since the rank of a positive among
// all scores minus its rank among positives counts the negatives below it (ties ½).

/** 1-based ranks of `values`, tied values sharing the mean of their ranks. */
export function midranks(values: Float64Array): Float64Array {
  const order = Uint32Array.from(values.keys()).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    // Positions start..end−1 hold equal values: ranks start+1..end, mean (start + 1 + end)/2.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/** AUC and structural components of one model's scores. */
interface Components {
  readonly auc: number;
  readonly v10: Float64Array;
  readonly v01: Float64Array;
}

function components(positives: Float64Array, negatives: Float64Array): Components {
  const m = positives.length;
  const n = negatives.length;
  const all = new Float64Array(m + n);
  all.set(positives, 0);
  all.set(negatives, m);
  const rankAll = midranks(all);
  const rankPositives = midranks(positives);
  const rankNegatives = midranks(negatives);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = (rankAll[i]! - rankPositives[i]!) / n;
    sum += v10[i]!;
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - (rankAll[m + j]! - rankNegatives[j]!) / m;
  return { auc: sum / m, v10, v01 };
}

/** Sample variance (denominator length − 1) of b[k] − a[k]. */
function varianceOfDifferences(a: Float64Array, b: Float64Array): number {
  let mean = 0;
  for (let k = 0; k < a.length; k++) mean += b[k]! - a[k]!;
  mean /= a.length;
  let squares = 0;
  for (let k = 0; k < a.length; k++) squares += (b[k]! - a[k]! - mean) ** 2;
  return squares / (a.length - 1);
}

export interface DeLongResult {
  readonly aucA: number;
  readonly aucB: number;
  /** DeLong's estimate of Var(AUC_B − AUC_A). */
  readonly variance: number;
}

/**
 * Both AUCs and the variance of their difference. Scores are split by class, in the same example
 * order for both models (positivesA[i] and positivesB[i] are the same example). Needs finite scores
 * and at least 2 positives and 2 negatives; the caller (comparePaired) checks.
 */
export function delongPaired(
  positivesA: Float64Array,
  negativesA: Float64Array,
  positivesB: Float64Array,
  negativesB: Float64Array,
): DeLongResult {
  const a = components(positivesA, negativesA);
  const b = components(positivesB, negativesB);
  const variance =
    varianceOfDifferences(a.v10, b.v10) / positivesA.length + varianceOfDifferences(a.v01, b.v01) / negativesA.length;
  return { aucA: a.auc, aucB: b.auc, variance };
}

/** One AUC and DeLong's variance of it: var(V10)/m + var(V01)/n. Needs 2 examples of each outcome. */
export function delongSingle(positives: Float64Array, negatives: Float64Array): { auc: number; variance: number } {
  if (positives.length < 2 || negatives.length < 2)
    throw new RangeError(
      `DeLong's variance needs at least 2 examples of each outcome, got ${positives.length} positives and ${negatives.length} negatives`,
    );
  const c = components(positives, negatives);
  const variance =
    varianceOfDifferences(new Float64Array(c.v10.length), c.v10) / positives.length +
    varianceOfDifferences(new Float64Array(c.v01.length), c.v01) / negatives.length;
  return { auc: c.auc, variance };
}
