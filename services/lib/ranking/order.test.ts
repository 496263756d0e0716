import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../simulator/random.js';
import { CutoffError, DuplicateCandidateError, PositionError, ReservedFeatureError, ScoreError } from './errors.js';
import {
  defaultOrder,
  POSITION_FEATURE,
  selectTopK,
  servingFeatures,
  servingPosition,
  topK,
  withPosition,
} from './order.js';

const IDS = ['a', 'b', 'c', 'd', 'e'];
const SCORES = Float64Array.from([0.1, 0.9, 0.5, 0.9, 0.3]);

/** The reference: a full stable sort of the indices by score, descending. */
function sortedOrder(scores: Float64Array): number[] {
  return Array.from(scores, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

test('order - topK returns the top k by score, ties in request order', () => {
  assert.deepEqual([...topK(IDS, SCORES, 1)], [1]);
  assert.deepEqual([...topK(IDS, SCORES, 3)], [1, 3, 2]);
  assert.deepEqual([...topK(IDS, SCORES, 4)], [1, 3, 2, 4]);
});

test('order - k at or past n returns the full order', () => {
  assert.deepEqual([...topK(IDS, SCORES, 5)], [1, 3, 2, 4, 0]);
  assert.deepEqual([...topK(IDS, SCORES, 50)], [1, 3, 2, 4, 0]);
  assert.deepEqual([...topK([], new Float64Array(0), 3)], []);
});

test('order - all-equal scores keep the request order; ±0 tie; infinities are ordered', () => {
  assert.deepEqual([...topK(IDS, new Float64Array(5).fill(0.5), 3)], [0, 1, 2]);
  assert.deepEqual([...topK(['x', 'y'], Float64Array.from([0, -0]), 2)], [0, 1]);
  assert.deepEqual([...topK(['x', 'y', 'z'], Float64Array.from([-Infinity, Infinity, 0]), 3)], [1, 2, 0]);
});

test('order - selectTopK agrees with a full stable sort for every k on seeded scores with many ties', () => {
  const random = createRandom(3);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + random.int(40);
    const scores = Float64Array.from({ length: n }, () => random.int(6) / 5);
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    const expected = sortedOrder(scores);
    for (let k = 1; k <= n + 1; k++) assert.deepEqual([...topK(ids, scores, k)], expected.slice(0, k), `n ${n} k ${k}`);
  }
});

test('order - selectTopK fills only the first min(k, n) entries of out and returns that count', () => {
  const out = new Int32Array(6).fill(-1);
  assert.equal(selectTopK(IDS, SCORES, 2, out), 2);
  assert.deepEqual([...out], [1, 3, -1, -1, -1, -1]);
  assert.equal(selectTopK(IDS, SCORES, 9, out), 5);
  assert.deepEqual([...out], [1, 3, 2, 4, 0, -1]);
});

test('order - the scores and ids are left untouched', () => {
  const scores = Float64Array.from(SCORES);
  const ids = [...IDS];
  topK(ids, scores, 2);
  assert.deepEqual(scores, SCORES);
  assert.deepEqual(ids, IDS);
});

test('order - a NaN score is a ScoreError naming the candidate', () => {
  assert.throws(() => topK(['a', 'b'], Float64Array.from([0.2, NaN]), 1, 'predictor top_k'), {
    name: 'ScoreError',
    message:
      'predictor top_k: candidate 1 ("b") has score NaN; every score must be a number to be ordered (check the model\'s inputs for this candidate)',
  });
  assert.throws(() => selectTopK(['a'], Float64Array.from([NaN]), 5, new Int32Array(1)), ScoreError);
});

test('order - a duplicate candidate id is a DuplicateCandidateError naming both indices', () => {
  assert.throws(() => topK(['a', 'b', 'a'], Float64Array.from([1, 2, 3]), 2), {
    name: 'DuplicateCandidateError',
    message:
      'topK: candidates 0 and 2 share the id "a"; ids must be unique within a request because an outcome names the candidate acted on by id',
  });
  assert.throws(() => topK(['a', 'a'], Float64Array.from([1, 2]), 1), DuplicateCandidateError);
});

test('order - k below 1, mismatched lengths and a short output are refused', () => {
  assert.throws(() => topK(IDS, SCORES, 0), {
    name: 'CutoffError',
    message: 'topK: k must be a whole number ≥ 1 (how many top positions count), got 0',
  });
  assert.throws(() => selectTopK(IDS, SCORES, 2.5, new Int32Array(5)), CutoffError);
  assert.throws(() => topK(['a'], SCORES, 1), {
    name: 'RangeError',
    message: 'topK: 1 candidate ids but 5 scores; pass one score per candidate',
  });
  assert.throws(() => selectTopK(IDS, SCORES, 3, new Int32Array(2)), {
    name: 'RangeError',
    message: 'selectTopK: the output holds 2 indices but the top 3 are asked for',
  });
});

test('order - defaultOrder is the first min(n, k) indices in request order', () => {
  assert.deepEqual([...defaultOrder(5, 3)], [0, 1, 2]);
  assert.deepEqual([...defaultOrder(2, 3)], [0, 1]);
  assert.deepEqual([...defaultOrder(0, 3)], []);
  assert.throws(() => defaultOrder(5, 0), {
    name: 'CutoffError',
    message: 'defaultOrder: k must be a whole number ≥ 1 (how many top positions count), got 0',
  });
  assert.throws(() => defaultOrder(-1, 3), {
    name: 'RangeError',
    message: 'defaultOrder: n must be a whole number ≥ 0 (how many candidates), got -1',
  });
});

test('order - withPosition adds the training-only position to a copy; servingFeatures puts every candidate at the top', () => {
  const features = { topic: 'books', quality: 0.5 };
  assert.equal(POSITION_FEATURE, '__position');
  assert.equal(servingPosition, 0);
  assert.deepEqual(withPosition(features, 3), { topic: 'books', quality: 0.5, __position: 3 });
  assert.deepEqual(servingFeatures(features), { topic: 'books', quality: 0.5, __position: 0 });
  assert.deepEqual(features, { topic: 'books', quality: 0.5 });
});

test('order - withPosition refuses a bad position and a candidate feature that uses the reserved name', () => {
  assert.throws(() => withPosition({}, -1, 'joiner'), {
    name: 'PositionError',
    message: 'joiner: position -1 is not a whole number ≥ 0; positions are 0-based ranks in the reply',
  });
  assert.throws(() => withPosition({}, 1.5), PositionError);
  assert.throws(() => withPosition({ __position: 2 }, 1), {
    name: 'ReservedFeatureError',
    message:
      'withPosition: the candidate already has a feature "__position"; that name is reserved for the position Looper adds to training examples, rename the candidate feature',
  });
  assert.throws(() => servingFeatures({ __position: 0 }), ReservedFeatureError);
});

test('order - with a position term additive in the logit, every fixed serving position gives the same order', () => {
  // A hand-made logistic scorer: logit = −1 + 1.0·favourite + 2.0·quality − 0.5·position.
  const score = (x: { favourite: number; quality: number }, position: number) =>
    1 / (1 + Math.exp(-(-1 + x.favourite + 2 * x.quality - 0.5 * position)));
  const candidates = [
    { id: 'a', favourite: 0, quality: 0.9 }, // relevance logit 0.8
    { id: 'b', favourite: 1, quality: 0.2 }, // 0.4
    { id: 'c', favourite: 1, quality: 0.6 }, // 1.2
    { id: 'd', favourite: 0, quality: 0.1 }, // −0.8
  ];
  const ids = candidates.map((c) => c.id);
  const orderAt = (positions: readonly number[]) =>
    [
      ...topK(
        ids,
        Float64Array.from(candidates, (c, i) => score(c, positions[i]!)),
        4,
      ),
    ].map((i) => ids[i]);
  for (const fixed of [servingPosition, 1, 4])
    assert.deepEqual(orderAt([fixed, fixed, fixed, fixed]), ['c', 'a', 'b', 'd'], `position ${fixed}`);
  // Scored at the positions an old ranker showed them (c last), the examination effect would bury
  // the most relevant candidate: c's logit 1.2 − 1.5 = −0.3 falls below b's 0.4 − 0.5 = −0.1.
  assert.deepEqual(orderAt([0, 1, 3, 2]), ['a', 'b', 'c', 'd']);
});
