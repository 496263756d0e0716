import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnlineMetrics } from './online-metrics.js';

function metricsOf(labels: number[], predictions: number[], weights?: number[], options = {}): OnlineMetrics {
  const m = new OnlineMetrics(options);
  labels.forEach((y, i) => m.update(y, predictions[i] as number, weights?.[i] ?? 1));
  return m;
}

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

test('online metrics - AUC counts a tie between a positive and a negative as one half', () => {
  // pairs (pos, neg): (0.9,0.1)=1 (0.9,0.4)=1 (0.4,0.1)=1 (0.4,0.4)=0.5 → 3.5 / 4
  assert.equal(metricsOf([1, 0, 1, 0], [0.9, 0.1, 0.4, 0.4]).auc(), 0.875);
});

test('online metrics - AUC is 1 for a perfect ranking, 0 for a reversed one, 0.5 for a constant score', () => {
  assert.equal(metricsOf([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]).auc(), 1);
  assert.equal(metricsOf([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]).auc(), 0);
  assert.equal(metricsOf([1, 0, 1, 0, 0], [0.5, 0.5, 0.5, 0.5, 0.5]).auc(), 0.5);
});

test('online metrics - AUC weighs each pair by the product of the weights', () => {
  // positive 0.5 (w1) beats negative 0.2 (w1): 1·1; loses to negative 0.8 (w3): 0 → 1 / (1·4)
  assert.equal(metricsOf([1, 0, 0], [0.5, 0.2, 0.8], [1, 1, 3]).auc(), 0.25);
});

test('online metrics - AUC is NaN without both positives and negatives', () => {
  assert.ok(Number.isNaN(metricsOf([1, 1], [0.2, 0.3]).auc()));
  assert.ok(Number.isNaN(new OnlineMetrics().auc()));
});

test('online metrics - AUC by rank equals the pairwise definition on data with many ties', () => {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const labels = Array.from({ length: 300 }, () => (next() < 0.4 ? 1 : 0));
  const predictions = labels.map(() => Math.round(next() * 10) / 10);
  const weights = labels.map(() => 0.5 + Math.round(next() * 4) / 2);
  let area = 0;
  let total = 0;
  labels.forEach((yi, i) =>
    labels.forEach((yj, j) => {
      if (yi !== 1 || yj !== 0) return;
      const w = (weights[i] as number) * (weights[j] as number);
      const pi = predictions[i] as number;
      const pj = predictions[j] as number;
      area += w * (pi > pj ? 1 : pi === pj ? 0.5 : 0);
      total += w;
    }),
  );
  close(metricsOf(labels, predictions, weights).auc(), area / total);
});

test('online metrics - log-loss is the mean cross-entropy', () => {
  close(metricsOf([1, 0], [0.8, 0.4]).logLoss(), -(Math.log(0.8) + Math.log(0.6)) / 2);
});

test('online metrics - log-loss clips certain wrong predictions to epsilon', () => {
  close(metricsOf([1], [0]).logLoss(), -Math.log(1e-15));
  close(metricsOf([0], [1], undefined, { epsilon: 1e-3 }).logLoss(), -Math.log(1e-3));
});

test('online metrics - RMSE and MAE are weighted means of the errors', () => {
  const plain = metricsOf([1, 2, 3], [1, 3, 5]); // errors 0, 1, 2
  close(plain.rmse(), Math.sqrt(5 / 3));
  assert.equal(plain.mae(), 1);
  const weighted = metricsOf([1, 2, 3], [1, 3, 5], [1, 1, 2]);
  assert.equal(weighted.rmse(), 1.5); // (0 + 1 + 2·4) / 4 = 2.25
  assert.equal(weighted.mae(), 1.25); // (0 + 1 + 2·2) / 4
});

test('online metrics - counters report count, weight, positive and negative mass and means', () => {
  assert.deepEqual(metricsOf([1, 0, 1], [0.5, 0.5, 0.8], [1, 1, 2]).counters(), {
    count: 3,
    weight: 4,
    positives: 3,
    negatives: 1,
    meanLabel: 0.75,
    meanPrediction: 0.65,
  });
});

test('online metrics - a window keeps only the last observations', () => {
  const m = metricsOf([10, 1, 2], [0, 1, 4], undefined, { window: 2 });
  assert.equal(m.count, 2);
  assert.equal(m.mae(), 1); // errors 0 and 2; the first (10) has left the window
  m.update(0, 1);
  m.update(1, 0);
  assert.equal(m.count, 2);
  assert.equal(m.auc(), 0);
});

test('online metrics - cumulative metrics keep every observation past the initial capacity', () => {
  const m = new OnlineMetrics();
  for (let i = 0; i < 5000; i++) m.update(i % 2, i % 2 === 0 ? 0.25 : 0.75);
  assert.equal(m.count, 5000);
  assert.equal(m.auc(), 1);
  assert.equal(m.mae(), 0.25);
});

test('online metrics - empty metrics are NaN and reset empties them', () => {
  const m = metricsOf([1, 0], [0.9, 0.1]);
  m.reset();
  assert.equal(m.count, 0);
  for (const value of [m.logLoss(), m.rmse(), m.mae(), m.counters().meanLabel]) assert.ok(Number.isNaN(value));
});

test('online metrics - refuses non-finite labels and predictions and negative weights', () => {
  const m = new OnlineMetrics();
  assert.throws(() => m.update(NaN, 0.5), { name: 'RangeError', message: 'label must be a finite number, got NaN' });
  assert.throws(() => m.update(1, Infinity), {
    name: 'RangeError',
    message: 'prediction must be a finite number, got Infinity',
  });
  assert.throws(() => m.update(1, 0.5, -1), { name: 'RangeError', message: 'weight must be finite and ≥ 0, got -1' });
  assert.throws(() => new OnlineMetrics({ window: 1.5 }), RangeError);
  assert.equal(m.count, 0);
});
