import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMetric } from './window-metric.js';

test("window metric - AUC with DeLong's standard error, by hand on 2 positives and 2 negatives", () => {
  // Positives 0.8, 0.4; negatives 0.6, 0.2. Pairs won: 0.8 beats both, 0.4 beats 0.2 only → AUC 3/4.
  // V10 (per positive) = [1, 0.5], V01 (per negative) = [0.5, 1] (share of positives above it):
  // var(V10) = var(V01) = 0.125, so the variance is 0.125/2 + 0.125/2 = 0.125.
  const e = estimateMetric('auc', [1, 0, 1, 0], [0.8, 0.6, 0.4, 0.2])!;
  assert.equal(e.value, 0.75);
  assert.equal(e.se, Math.sqrt(0.125));
  assert.equal(estimateMetric('auc', [1, 1, 0], [0.1, 0.2, 0.3]), null, 'one negative: no variance');
});

test('window metric - losses: the mean and the standard error of the mean; RMSE by the delta method', () => {
  const mae = estimateMetric('mae', [1, 0, 1, 0], [0.5, 0.5, 1, 0])!;
  assert.deepEqual(mae, { value: 0.25, se: Math.sqrt(1 / 12 / 4), count: 4 });
  const rmse = estimateMetric('rmse', [1, 0, 1, 0], [0.5, 0.5, 1, 0])!;
  // Squared errors 0.25, 0.25, 0, 0: MSE 0.125, se(MSE) = √(1/48/4); RMSE √0.125.
  assert.equal(rmse.value, Math.sqrt(0.125));
  assert.ok(Math.abs(rmse.se - Math.sqrt(1 / 48 / 4) / (2 * Math.sqrt(0.125))) < 1e-15);
});
