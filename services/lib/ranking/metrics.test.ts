import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CutoffError, GainError, PositionError, WindowSizeError } from './errors.js';
import { dcgAt, gainsInShownOrder, ndcgAt, RankingWindow, reciprocalRank } from './metrics.js';

// Ranks 0, 2 and 6 have discounts log2(2) = 1, log2(4) = 2 and log2(8) = 3, exact in binary, so
// the expectations below are exact.

test('metrics - dcgAt sums (2^gain − 1) / log2(rank + 2) over the first k ranks', () => {
  assert.equal(dcgAt([1, 0, 1], 3), 1 + 1 / 2);
  assert.equal(dcgAt([2, 0, 1, 0], 4), 3 + 1 / 2);
  assert.equal(dcgAt([2, 0, 1, 0], 1), 3);
  assert.equal(dcgAt([2, 0, 1, 0], 100), 3.5);
  assert.equal(dcgAt([0, 0, 0, 0, 0, 0, 1], 7), 1 / 3);
  assert.equal(dcgAt([0, 1], 2), 1 / Math.log2(3));
  assert.equal(dcgAt([], 5), 0);
});

test('metrics - ndcgAt divides by the DCG of the same gains sorted descending', () => {
  assert.equal(ndcgAt([1, 0, 0], 3), 1);
  assert.equal(ndcgAt([0, 0, 1], 3), 0.5);
  // The clicked item is past the cutoff, while the ideal order has it on top.
  assert.equal(ndcgAt([0, 0, 1], 2), 0);
  // Graded: ideal is [2, 1]; DCG = (1 + 3/log2 3), IDCG = (3 + 1/log2 3).
  assert.equal(ndcgAt([1, 2], 2), (1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3)));
  assert.equal(ndcgAt([2, 1, 0], 3), 1);
  // [2, 0, 1]: DCG = 3 + 0 + 1/2, IDCG (order [2, 1, 0]) = 3 + 1/log2 3.
  assert.equal(ndcgAt([2, 0, 1], 3), 3.5 / (3 + 1 / Math.log2(3)));
});

test('metrics - ndcgAt is 0 when the ideal DCG is 0 (no gain anywhere in the list)', () => {
  assert.equal(ndcgAt([0, 0, 0], 3), 0);
  assert.equal(ndcgAt([], 3), 0);
});

test('metrics - ndcgAt leaves its input in the order given', () => {
  const gains = [0, 1, 2];
  ndcgAt(gains, 3);
  assert.deepEqual(gains, [0, 1, 2]);
});

test('metrics - reciprocalRank is one over the 1-based rank of the first relevant item, 0 with none', () => {
  assert.equal(reciprocalRank([true, false]), 1);
  assert.equal(reciprocalRank([false, false, true, true]), 1 / 3);
  assert.equal(reciprocalRank([false, false]), 0);
  assert.equal(reciprocalRank([]), 0);
});

test('metrics - a cutoff that is not a whole number ≥ 1 is a CutoffError that says where and why', () => {
  assert.throws(() => dcgAt([1], 0), {
    name: 'CutoffError',
    message: 'dcgAt: k must be a whole number ≥ 1 (how many top positions count), got 0',
  });
  assert.throws(() => ndcgAt([1], 1.5), {
    name: 'CutoffError',
    message: 'ndcgAt: k must be a whole number ≥ 1 (how many top positions count), got 1.5',
  });
  assert.throws(() => ndcgAt([1], NaN), CutoffError);
});

test('metrics - a negative, infinite or NaN gain is a GainError naming its position', () => {
  assert.throws(() => dcgAt([1, -1], 2), {
    name: 'GainError',
    message:
      'dcgAt: the gain at position 1 is -1; gains are relevance grades, finite and ≥ 0 (0 = not relevant, 1 = clicked)',
  });
  assert.throws(() => ndcgAt([NaN], 2), GainError);
  assert.throws(() => ndcgAt([Infinity], 2), GainError);
});

test('metrics - gainsInShownOrder puts labels at their positions and counts a missing position as 0', () => {
  assert.deepEqual(
    gainsInShownOrder([
      { position: 2, label: 1 },
      { position: 0, label: 0 },
      { position: 1, label: 0 },
    ]),
    [0, 0, 1],
  );
  assert.deepEqual(
    gainsInShownOrder([
      { position: 3, label: 1 },
      { position: 0, label: 0 },
    ]),
    [0, 0, 0, 1],
  );
  assert.deepEqual(gainsInShownOrder([]), []);
});

test('metrics - gainsInShownOrder refuses a position shown twice, a bad position and a bad label', () => {
  assert.throws(
    () =>
      gainsInShownOrder([
        { position: 1, label: 0 },
        { position: 1, label: 1 },
      ]),
    {
      name: 'PositionError',
      message: 'gainsInShownOrder: position 1 is shown twice in one decision; each position holds one candidate',
    },
  );
  assert.throws(() => gainsInShownOrder([{ position: -1, label: 0 }], 'monitor'), {
    name: 'PositionError',
    message: 'monitor: position -1 is not a whole number in [0, 10000); positions are 0-based ranks in the reply',
  });
  assert.throws(() => gainsInShownOrder([{ position: 0.5, label: 0 }]), PositionError);
  assert.throws(() => gainsInShownOrder([{ position: 10_000, label: 0 }]), PositionError);
  assert.throws(() => gainsInShownOrder([{ position: 0, label: NaN }]), GainError);
});

test('metrics - RankingWindow means NDCG@k and MRR over the judged decisions of the last W', () => {
  const window = new RankingWindow({ window: 2, k: 3 });
  assert.deepEqual(window.snapshot(), { count: 0, judged: 0, ndcg: null, mrr: null });
  window.add([1, 0, 0]); // NDCG 1, RR 1
  window.add([0, 0, 1]); // NDCG 0.5, RR 1/3
  assert.deepEqual(window.snapshot(), { count: 2, judged: 2, ndcg: 0.75, mrr: (1 + 1 / 3) / 2 });
  window.add([0, 0, 0]); // no click: counted, not judged; evicts [1, 0, 0]
  assert.deepEqual(window.snapshot(), { count: 2, judged: 1, ndcg: 0.5, mrr: 1 / 3 });
  window.add([0, 1]); // NDCG 1/log2(3), RR 1/2; evicts [0, 0, 1]
  assert.deepEqual(window.snapshot(), { count: 2, judged: 1, ndcg: 1 / Math.log2(3), mrr: 0.5 });
  window.add([0, 0]);
  window.add([0, 0]);
  assert.deepEqual(window.snapshot(), { count: 2, judged: 0, ndcg: null, mrr: null });
  assert.equal(window.count, 2);
});

test('metrics - RankingWindow applies the cutoff k to NDCG but not to the reciprocal rank', () => {
  const window = new RankingWindow({ window: 10, k: 2 });
  window.add([0, 0, 1]);
  assert.deepEqual(window.snapshot(), { count: 1, judged: 1, ndcg: 0, mrr: 1 / 3 });
});

test('metrics - RankingWindow.addShown takes the examples of one decision in any order', () => {
  const window = new RankingWindow({ window: 5, k: 5 });
  window.addShown([
    { position: 2, label: 1 },
    { position: 0, label: 0 },
    { position: 1, label: 0 },
  ]);
  assert.deepEqual(window.snapshot(), { count: 1, judged: 1, ndcg: 0.5, mrr: 1 / 3 });
  assert.throws(
    () =>
      window.addShown([
        { position: 0, label: 1 },
        { position: 0, label: 0 },
      ]),
    {
      name: 'PositionError',
      message: 'RankingWindow.addShown: position 0 is shown twice in one decision; each position holds one candidate',
    },
  );
  assert.equal(window.count, 1);
});

test('metrics - RankingWindow keeps exactly the last W decisions over many wraps', () => {
  const window = new RankingWindow({ window: 3, k: 1 });
  // Decision i is clicked at rank i mod 4 of 4: NDCG@1 is 1 at rank 0 and 0 elsewhere, RR is 1/(rank + 1).
  for (let i = 0; i < 10; i++) window.add([0, 1, 2, 3].map((r) => (r === i % 4 ? 1 : 0)));
  // The window holds decisions 7, 8, 9: ranks 3, 0, 1.
  assert.deepEqual(window.snapshot(), { count: 3, judged: 3, ndcg: 1 / 3, mrr: (1 / 4 + 1 + 1 / 2) / 3 });
});

test('metrics - RankingWindow options are checked with typed errors', () => {
  assert.throws(() => new RankingWindow({ window: 0, k: 5 }), {
    name: 'WindowSizeError',
    message: 'RankingWindow: window must be a whole number ≥ 1 (how many recent decisions to keep), got 0',
  });
  assert.throws(() => new RankingWindow({ window: 2.5, k: 5 }), WindowSizeError);
  assert.throws(() => new RankingWindow({ window: 10, k: 0 }), {
    name: 'CutoffError',
    message: 'RankingWindow: k must be a whole number ≥ 1 (how many top positions count), got 0',
  });
  assert.throws(() => new RankingWindow({ window: 10, k: 3 }).add([1, -2]), { name: 'GainError' });
});
