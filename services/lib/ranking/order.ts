// The predictor's ordering of candidates, and the training-only position feature.
//
// Ordering: the top k candidate indices by score, best first, ties broken by request order (the
// earlier candidate wins), so a reply never depends on anything but the scores and the request.
// It is a bounded heap kept in the caller's output array: O(n log k) comparisons and no
// allocation beyond one Set for the duplicate-id check, instead of sorting all n when k is small.
//
// Position: one training example is logged per shown candidate with its 0-based position, and the
// trainer sees that position as a feature (POSITION_FEATURE). Clicks depend on relevance and on
// whether the user looked at the slot at all (examination, which falls with position); with the
// position as an input the model can put the examination effect on the position's weight instead
// of on whichever features the old ranker happened to place high. At serving every candidate is
// scored with the same position, servingPosition (the top): with a position term that is additive
// in the model's logit, that shifts every candidate's logit by the same amount, so the order is the
// order by relevance alone, and the score reads as "the probability of a click if shown at the top".

import type { FeatureValues } from '../feature-values.js';
import { DuplicateCandidateError, PositionError, ReservedFeatureError, ScoreError } from './errors.js';
import { checkCutoff } from './metrics.js';

/** The name of the training-only position feature (reserved: candidates may not use it). */
export const POSITION_FEATURE = '__position';

/** The position every candidate is scored at when serving: the top. */
export const servingPosition = 0;

/** True when candidate a ranks below candidate b: a lower score, or an equal one later in the request. */
function ranksBelow(scores: Float64Array, a: number, b: number): boolean {
  const sa = scores[a]!;
  const sb = scores[b]!;
  return sa < sb || (sa === sb && a > b);
}

/** Restores the heap below `start` in heap[0, size); the root holds the lowest-ranked index. */
function siftDown(heap: Int32Array, size: number, start: number, scores: Float64Array): void {
  const item = heap[start]!;
  let i = start;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && ranksBelow(scores, heap[child + 1]!, heap[child]!)) child++;
    if (!ranksBelow(scores, heap[child]!, item)) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = item;
}

function checkCandidates(ids: readonly string[], scores: Float64Array, where: string): void {
  if (ids.length !== scores.length)
    throw new RangeError(
      `${where}: ${ids.length} candidate ids but ${scores.length} scores; pass one score per candidate`,
    );
  const firstIndex = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    if (Number.isNaN(scores[i]!)) throw new ScoreError(where, i, ids[i]!, scores[i]!);
    const first = firstIndex.get(ids[i]!);
    if (first !== undefined) throw new DuplicateCandidateError(where, ids[i]!, first, i);
    firstIndex.set(ids[i]!, i);
  }
}

/** Writes the indices of the top min(k, n) candidates by score into out[0, min(k, n)), best
 * first, ties by request order, and returns min(k, n); out past that is left untouched. Scores may
 * be ±Infinity but not NaN; ids must be unique. `out` must hold at least min(k, n) entries. */
export function selectTopK(
  ids: readonly string[],
  scores: Float64Array,
  k: number,
  out: Int32Array,
  where = 'selectTopK',
): number {
  checkCutoff(k, where);
  checkCandidates(ids, scores, where);
  const n = ids.length;
  const m = Math.min(k, n);
  if (out.length < m)
    throw new RangeError(`${where}: the output holds ${out.length} indices but the top ${m} are asked for`);
  for (let i = 0; i < m; i++) out[i] = i;
  for (let i = (m >> 1) - 1; i >= 0; i--) siftDown(out, m, i, scores);
  for (let i = m; i < n; i++) {
    if (!ranksBelow(scores, out[0]!, i)) continue;
    out[0] = i;
    siftDown(out, m, 0, scores);
  }
  // Heap sort in place: the lowest-ranked goes to the end each round, so out ends best first.
  for (let end = m - 1; end > 0; end--) {
    const lowest = out[0]!;
    out[0] = out[end]!;
    out[end] = lowest;
    siftDown(out, end, 0, scores);
  }
  return m;
}

/** selectTopK into a new array of exactly min(k, n) indices. */
export function topK(ids: readonly string[], scores: Float64Array, k: number, where = 'topK'): Int32Array {
  checkCutoff(k, where);
  const out = new Int32Array(Math.min(k, ids.length));
  selectTopK(ids, scores, k, out, where);
  return out;
}

/** The first min(k, n) indices in request order: the reply before any model exists. */
export function defaultOrder(n: number, k: number): Int32Array {
  checkCutoff(k, 'defaultOrder');
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`defaultOrder: n must be a whole number ≥ 0 (how many candidates), got ${n}`);
  const m = Math.min(n, k);
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) out[i] = i;
  return out;
}

/** A copy of a candidate's features with the position it was shown at, for training only. The
 * input is untouched. A candidate feature already named POSITION_FEATURE is an error, not
 * overwritten: the model would otherwise learn from a value the caller never sent. */
export function withPosition(
  candidateFeatures: Readonly<FeatureValues>,
  position: number,
  where = 'withPosition',
): FeatureValues {
  if (!Number.isInteger(position) || position < 0)
    throw new PositionError(where, position, 'is not a whole number ≥ 0; positions are 0-based ranks in the reply');
  if (Object.hasOwn(candidateFeatures, POSITION_FEATURE)) throw new ReservedFeatureError(where, POSITION_FEATURE);
  return { ...candidateFeatures, [POSITION_FEATURE]: position };
}

/** A candidate's features as the predictor scores them: at servingPosition, the top. */
export function servingFeatures(candidateFeatures: Readonly<FeatureValues>, where = 'servingFeatures'): FeatureValues {
  return withPosition(candidateFeatures, servingPosition, where);
}
