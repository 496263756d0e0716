import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowedClassMetrics } from './class-metrics.js';

test('class metrics - an empty window has a count of 0 and no figures', () => {
  assert.deepEqual(new WindowedClassMetrics({ window: 3 }).summary(), {
    count: 0,
    window: 3,
    k: 5,
    top1Accuracy: null,
    topKAccuracy: null,
    meanReciprocalRank: null,
    logLoss: null,
  });
});

test('class metrics - computes top-1, top-k, MRR and log-loss exactly from the ranks and probabilities', () => {
  const m = new WindowedClassMetrics({ window: 4, k: 2 });
  const proba = Float64Array.of(0.1, 0.5, 0.25, 0.15, 0); // row 4 free
  m.observe(proba, 5, 1); // rank 1, p 0.5
  m.observe(proba, 5, 2); // rank 2, p 0.25
  m.observe(proba, 5, 0); // rank 4, p 0.1
  assert.deepEqual(m.summary(), {
    count: 3,
    window: 4,
    k: 2,
    top1Accuracy: 1 / 3,
    topKAccuracy: 2 / 3,
    meanReciprocalRank: (1 + 1 / 2 + 1 / 4) / 3,
    logLoss: (-Math.log(0.5) - Math.log(0.25) - Math.log(0.1)) / 3,
  });
});

test('class metrics - ties rank the lower row first, as topK serves them', () => {
  const m = new WindowedClassMetrics({ window: 2, k: 1 });
  const proba = Float64Array.of(0.4, 0.4, 0.2);
  m.observe(proba, 3, 1); // tied with row 0, ranked after it
  assert.equal(m.summary().meanReciprocalRank, 0.5);
  m.observe(proba, 3, 0);
  assert.equal(m.summary().top1Accuracy, 0.5);
});

test('class metrics - keeps only the last W examples', () => {
  const m = new WindowedClassMetrics({ window: 2, k: 3 });
  m.observeRank(5, 0.01);
  m.observeRank(1, 0.9);
  m.observeRank(2, 0.4);
  const s = m.summary();
  assert.equal(s.count, 2);
  assert.equal(s.top1Accuracy, 0.5);
  assert.equal(s.topKAccuracy, 1);
  assert.equal(s.meanReciprocalRank, (1 + 0.5) / 2);
  assert.equal(s.logLoss, (-Math.log(0.9) - Math.log(0.4)) / 2);
  m.reset();
  assert.equal(m.summary().count, 0);
});

test('class metrics - clips a zero probability so a confident miss costs −ln(minProbability), not infinity', () => {
  const m = new WindowedClassMetrics({ window: 1, minProbability: 1e-6 });
  m.observe(Float64Array.of(1, 0), 2, 1);
  assert.equal(m.summary().logLoss, -Math.log(1e-6));
});

test('class metrics - refuses bad options and observations, naming them', () => {
  assert.throws(() => new WindowedClassMetrics({ window: 0, k: 0 }), {
    name: 'MulticlassOptionsError',
    message:
      'invalid class metrics options:\n  - window must be an integer from 1 to 10000000, got 0\n  - k must be an integer ≥ 1, got 0',
  });
  const m = new WindowedClassMetrics({ window: 2 });
  assert.throws(() => m.observeRank(0, 0.5), {
    name: 'ScoringArgumentError',
    message: 'metrics.observeRank: rank must be an integer ≥ 1, got 0',
  });
  assert.throws(() => m.observeRank(1, Number.NaN), {
    message: 'metrics.observeRank: probability must be in [0, 1], got NaN',
  });
  assert.throws(() => m.observe(new Float64Array(3), 3, 3), {
    message: 'metrics.observe: trueRow must be an integer from 0 to 2, got 3',
  });
  assert.throws(() => m.observe(new Float64Array(3), 4, 0), {
    message: 'metrics.observe: rows must be an integer from 1 to proba.length (3), got 4',
  });
});
