// The Pareto front of finished trials over three objectives — quality (larger better), artifact
// size and p99 scoring time (smaller better) — and the choice among them. A user who trades a
// little quality for a model ten times faster reads the front; the search itself chooses by the
// blueprint's metric, because constraints, not preferences, say what is too big or too slow.

export interface Candidate {
  readonly objective: number;
  readonly sizeBytes: number;
  readonly p99Us: number;
}

/** True when `a` is at least as good as `b` on every objective and better on one. */
export function dominates(a: Candidate, b: Candidate): boolean {
  const noWorse = a.objective >= b.objective && a.sizeBytes <= b.sizeBytes && a.p99Us <= b.p99Us;
  const better = a.objective > b.objective || a.sizeBytes < b.sizeBytes || a.p99Us < b.p99Us;
  return noWorse && better;
}

/** The candidates no other candidate dominates, best objective first; infeasible ones (objective -Infinity or NaN) never count. */
export function paretoFront<T extends Candidate>(candidates: readonly T[]): T[] {
  const feasible = candidates.filter((c) => Number.isFinite(c.objective));
  return feasible.filter((c) => !feasible.some((other) => other !== c && dominates(other, c))).sort(byQuality);
}

/**
 * The chosen candidate: the best objective among the feasible; on a tie, the smaller artifact,
 * then the faster. Null when nothing is feasible.
 */
export function choose<T extends Candidate>(candidates: readonly T[]): T | null {
  const feasible = candidates.filter((c) => Number.isFinite(c.objective));
  return feasible.length === 0 ? null : [...feasible].sort(byQuality)[0]!;
}

function byQuality(a: Candidate, b: Candidate): number {
  return b.objective - a.objective || a.sizeBytes - b.sizeBytes || a.p99Us - b.p99Us;
}
