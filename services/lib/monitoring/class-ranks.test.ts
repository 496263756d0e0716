import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClassRanks } from './class-ranks.js';

describe('class ranks', () => {
  it('class ranks - top-1, top-k and MRR over the last examples, a class not returned counting 0', () => {
    const ranks = new ClassRanks(4);
    ranks.add(['a', 'b', 'c'], 'a'); // rank 1
    ranks.add(['a', 'b', 'c'], 'c'); // rank 3
    ranks.add(['a', 'b', 'c'], 'z'); // not returned
    assert.deepEqual(ranks.snapshot(), { count: 3, top1Accuracy: 1 / 3, topKAccuracy: 2 / 3, meanReciprocalRank: (1 + 1 / 3) / 3 });
    ranks.add(['b'], 'b');
    ranks.add(['b'], 'b'); // pushes out the first (rank 1)
    assert.deepEqual(ranks.snapshot(), { count: 4, top1Accuracy: 2 / 4, topKAccuracy: 3 / 4, meanReciprocalRank: (1 / 3 + 1 + 1) / 4 });
    assert.throws(() => new ClassRanks(0), /window must be a whole number ≥ 1, got 0/);
  });
});
