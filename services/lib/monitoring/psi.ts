// Population stability index between a reference distribution (shares per bin) and live counts
// in the same bins: Σ (a − e) · ln(a / e). Empty bins are floored at EMPTY_SHARE on both sides,
// so a bin that appears or vanishes counts as a large but finite shift. Common reading: below
// 0.1 stable, 0.1–0.2 moderate, above 0.2 a shift worth a look.

/** The share an empty bin is given: small enough to matter only when a bin fills or empties. */
export const EMPTY_SHARE = 1e-4;

export function psi(expectedShares: readonly number[], actualCounts: readonly number[]): number {
  if (expectedShares.length !== actualCounts.length) {
    throw new RangeError(
      `psi needs as many reference bins as live bins, got ${expectedShares.length} and ${actualCounts.length}`,
    );
  }
  const total = actualCounts.reduce((s, c) => s + c, 0);
  if (total === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < actualCounts.length; i++) {
    const e = Math.max(expectedShares[i]!, EMPTY_SHARE);
    const a = Math.max(actualCounts[i]! / total, EMPTY_SHARE);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}
