import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparedMetricOf, inverseWeight, weightedGain, weightedMetric } from './weighted-metrics.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

// Two positives, two negatives. A ranks one positive below a negative (AUC 3/4), B ranks all right.
const labels = [1, 1, 0, 0];
const a = [0.9, 0.4, 0.5, 0.1];
const b = [0.8, 0.7, 0.3, 0.2];

test('weighted metrics - the AUC gain and its standard error, worked by hand', () => {
  // A's shares beaten: positives 1 and ½, negatives ½ and 1 (θ = ¾); influence 2·(c − ¾) each:
  // [½, −½, −½, ½]; B's are all 0. The difference's sample variance is 1/3, over n = 4: 1/12.
  const g = weightedGain('auc', labels, a, b);
  close(g.live, 0.75, 'live AUC');
  close(g.candidate, 1, 'candidate AUC');
  close(g.gain, 0.25, 'gain');
  close(g.standardError, Math.sqrt(1 / 12), 'standard error');
  assert.deepEqual([g.n, g.effectiveN], [4, 4]);
});

test('weighted metrics - a weight counts an example that many times in the AUC, and shrinks the effective size', () => {
  // The first positive weighs 2: pairs (2·1·1 + 2·1·1 + 1·1·0 + 1·1·1) / (3 · 2) = 5/6.
  const m = weightedMetric('auc', labels, a, [2, 1, 1, 1]);
  close(m.value, 5 / 6, 'weighted AUC');
  close(m.effectiveN, 25 / 7, '(Σw)²/Σw²');
});

test('weighted metrics - losses are self-normalised weighted means: a constant weight changes nothing', () => {
  const p = [0.9, 0.6, 0.3, 0.2];
  const plain = weightedMetric('mae', labels, p);
  const scaled = weightedMetric('mae', labels, p, [3, 3, 3, 3]);
  close(plain.value, (0.1 + 0.4 + 0.3 + 0.2) / 4, 'MAE');
  close(scaled.value, plain.value, 'scaled MAE');
  close(scaled.standardError, plain.standardError, 'scaled standard error');
  const g = weightedGain('logloss', labels, p, p);
  close(g.gain, 0, 'gain of a model against itself');
  close(g.standardError, 0, 'its standard error');
});

test('weighted metrics - the gain is oriented so that a positive value favours the candidate', () => {
  const worse = weightedGain('rmse', labels, [1, 1, 0, 0], [0.5, 0.5, 0.5, 0.5]);
  close(worse.gain, -0.5, 'rmse gain of a worse candidate');
});

test('weighted metrics - 1/propensity is capped at 1/floor, and a missing or invalid propensity weighs 1', () => {
  assert.deepEqual(
    [inverseWeight(0.5), inverseWeight(0.025), inverseWeight(0.001), inverseWeight(0.001, 0.1)],
    [2, 40, 100, 10],
  );
  assert.deepEqual(
    [inverseWeight(null), inverseWeight(0), inverseWeight(1.5), inverseWeight(Number.NaN)],
    [1, 1, 1, 1],
  );
});

test('weighted metrics - inputs that cannot be compared are refused with what is wrong', () => {
  assert.throws(() => weightedGain('auc', [1, 0], [0.1], [0.2, 0.3]), {
    name: 'RangeError',
    message: 'labels and scores must have the same length: 2 and 1',
  });
  assert.throws(() => weightedMetric('auc', [1, 1, 1], [0.1, 0.2, 0.3]), {
    message: 'AUC needs weight on both outcomes: positives weigh 3, negatives 0',
  });
  assert.throws(() => weightedMetric('auc', [1, 2], [0.1, 0.2]), {
    message: 'auc needs labels in [0, 1] (0 or 1): labels[1] is 2',
  });
  assert.throws(() => weightedMetric('mae', [1, 0], [0.1, 0.2], [1, -1]), {
    message: 'weights[1] must be finite and ≥ 0, got -1',
  });
});

test('weighted metrics - a blueprint is compared on its objective only where a verdict can compare it', () => {
  const of = (metric: string) => comparedMetricOf({ objective: { metric } });
  assert.deepEqual([of('auc'), of('rmse'), of('ndcg'), of('reward')], ['auc', 'rmse', null, null]);
});
