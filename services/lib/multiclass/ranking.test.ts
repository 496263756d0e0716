import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkProbaBuffer, checkTopK, rankOf, selectTopK, softmaxInPlace } from './ranking.js';

test('ranking - softmax subtracts the max first, so huge logits do not overflow, and zeroes rows past the active ones', () => {
  const p = Float64Array.of(1000, 1001, 0, 7, 7);
  softmaxInPlace(p, 3, 5);
  const e = Math.exp(-1);
  const z = e + 1 + Math.exp(-1001);
  assert.deepEqual(Array.from(p), [e / z, 1 / z, Math.exp(-1001) / z, 0, 0]);
  const uniform = Float64Array.of(0, 0, 0, 0);
  softmaxInPlace(uniform, 4, 4);
  assert.deepEqual(Array.from(uniform), [0.25, 0.25, 0.25, 0.25]);
});

test('ranking - topK returns the best rows first, ties to the lower row, and no more than the active rows', () => {
  const proba = Float64Array.of(0.1, 0.3, 0.2, 0.3, 0.1, 0.9);
  const rows = new Int32Array(4);
  const probs = new Float64Array(4);
  assert.equal(selectTopK(proba, 5, 3, rows, probs), 3);
  assert.deepEqual(Array.from(rows.subarray(0, 3)), [1, 3, 2]);
  assert.deepEqual(Array.from(probs.subarray(0, 3)), [0.3, 0.3, 0.2]);
  assert.equal(selectTopK(proba, 2, 4, rows, probs), 2);
  assert.deepEqual(Array.from(rows.subarray(0, 2)), [1, 0]);
});

test('ranking - rankOf agrees with topK order, ties included', () => {
  const proba = Float64Array.of(0.1, 0.3, 0.2, 0.3, 0.1);
  const rows = new Int32Array(5);
  const probs = new Float64Array(5);
  selectTopK(proba, 5, 5, rows, probs);
  assert.deepEqual(Array.from(rows), [1, 3, 2, 0, 4]);
  rows.forEach((row, i) => assert.equal(rankOf(proba, 5, row), i + 1));
});

test('ranking - refuses k < 1 and short or mistyped buffers, naming the method', () => {
  const rows = new Int32Array(2);
  const probs = new Float64Array(2);
  assert.throws(() => checkTopK('softmax.topK', 0, rows, probs), {
    name: 'ScoringArgumentError',
    message: 'softmax.topK: k must be an integer ≥ 1, got 0',
  });
  assert.throws(() => checkTopK('softmax.topK', 1.5, rows, probs), {
    message: 'softmax.topK: k must be an integer ≥ 1, got 1.5',
  });
  assert.throws(() => checkTopK('softmax.topK', 3, rows, probs), {
    message: 'softmax.topK: outRows must be an Int32Array of at least k = 3 entries, got Int32Array(2)',
  });
  assert.throws(() => checkTopK('ngram.topK', 2, rows, new Float32Array(2) as never), {
    message: 'ngram.topK: outProb must be a Float64Array of at least k = 2 entries, got Float32Array(2)',
  });
  assert.throws(() => checkProbaBuffer('ngram.predictProba', new Float64Array(3), 4), {
    name: 'ScoringArgumentError',
    message:
      "ngram.predictProba: out must be a Float64Array of at least 4 entries (the model's rows), got Float64Array(3)",
  });
});
