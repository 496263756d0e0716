import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClassRanks, LOG_LOSS_FLOOR, trueClassProbability } from './class-ranks.js';

describe('class ranks', () => {
  it('class ranks - top-1, top-k, MRR and NDCG over the last examples, a class not returned counting 0', () => {
    const ranks = new ClassRanks(4);
    ranks.add(['a', 'b', 'c'], 'a'); // rank 1: gain 1
    ranks.add(['a', 'b', 'c'], 'c'); // rank 3: gain 1/log2(4) = 0.5
    ranks.add(['a', 'b', 'c'], 'z'); // not returned
    assert.deepEqual(ranks.snapshot(), {
      count: 3,
      top1Accuracy: 1 / 3,
      topKAccuracy: 2 / 3,
      meanReciprocalRank: (1 + 1 / 3) / 3,
      ndcg: (1 + 0.5) / 3,
      logLossCount: 0,
      logLoss: null,
    });
    ranks.add(['b'], 'b');
    ranks.add(['b'], 'b'); // pushes out the first (rank 1)
    assert.deepEqual(ranks.snapshot(), {
      count: 4,
      top1Accuracy: 2 / 4,
      topKAccuracy: 3 / 4,
      meanReciprocalRank: (1 / 3 + 1 + 1) / 4,
      ndcg: (0.5 + 1 + 1) / 4,
      logLossCount: 0,
      logLoss: null,
    });
    assert.throws(() => new ClassRanks(0), /window must be a whole number ≥ 1, got 0/);
    assert.throws(() => new ClassRanks(10, 0), /ndcgAt must be ≥ 1, got 0/);
  });

  it('class ranks - NDCG counts a true class ranked below the cut-off as 0', () => {
    const ranks = new ClassRanks(10, 2);
    ranks.add(['a', 'b', 'c'], 'a'); // 1
    ranks.add(['a', 'b', 'c'], 'b'); // 1/log2(3)
    ranks.add(['a', 'b', 'c'], 'c'); // below @2: 0
    assert.equal(ranks.snapshot().ndcg, (1 + 0.6309297535714575) / 3);
  });

  it('class ranks - log-loss over the examples whose probability of the true class is known, floored at 1e-15', () => {
    const ranks = new ClassRanks(10);
    ranks.add(['a', 'b'], 'a', 0.5); // ln 2
    ranks.add(['a', 'b'], 'b', 0.25); // ln 4 = 2 ln 2
    ranks.add(['a', 'b'], 'b', null); // unknown: counts for accuracy only
    const q = ranks.snapshot();
    assert.equal(q.count, 3);
    assert.equal(q.logLossCount, 2);
    assert.equal(q.logLoss, 1.0397207708399179, '(ln 2 + 2 ln 2) / 2 = 1.5 ln 2');
    const miss = new ClassRanks(1);
    miss.add(['a'], 'b', 0);
    assert.equal(LOG_LOSS_FLOOR, 1e-15);
    assert.equal(miss.snapshot().logLoss, 34.538776394910684, '−ln(1e-15) = 15 ln 10, not ∞');
  });

  it("class ranks - the true class's probability is the logged one, else the mass not logged", () => {
    assert.equal(trueClassProbability({ a: 0.5, b: 0.25 }, 'b'), 0.25);
    assert.equal(
      trueClassProbability({ a: 0.5, b: 0.25 }, 'z'),
      0.25,
      '1 − (0.5 + 0.25): the "__other__" row when every named class was logged',
    );
    assert.equal(trueClassProbability({ a: 0.75, b: 0.5 }, 'z'), 0, 'never negative when rounding overshoots 1');
  });
});
