// "Did you mean ...?" for near misses: typos in keys and enum values are the commonest blueprint
// mistakes, and naming the intended word is the most useful fix.

/** Levenshtein distance: the fewest single-character inserts, deletes and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Lower-case without separators, so `publishEvery`, `publish-every` and `publish_every` agree. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[_\-\s]/g, '');
}

/**
 * The candidate `word` most likely meant, or undefined when none is close: a candidate equal up to
 * case and separators wins; otherwise the nearest within a third of its length (at least 2 edits).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const normalised = normalise(word);
  const same = candidates.find((c) => normalise(c) === normalised);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(normalised, normalise(candidate));
    if (distance <= Math.max(2, Math.floor(candidate.length / 3)) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
