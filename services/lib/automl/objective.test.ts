import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnlineMetrics } from '../stats/online-metrics.js';
import { taskMetrics } from './objective.js';

const observed = (pairs: Array<[label: number, prediction: number]>) => {
  const metrics = new OnlineMetrics();
  for (const [label, prediction] of pairs) metrics.update(label, prediction);
  return metrics;
};

test('objective - an estimate is described by its RMSE and MAE only, never a log-loss or AUC', () => {
  // Errors 2 and −1: RMSE √((4 + 1) / 2), MAE (2 + 1) / 2.
  assert.deepEqual(
    taskMetrics(
      observed([
        [300, 302],
        [120, 119],
      ]),
      false,
    ),
    { rmse: Math.sqrt(2.5), mae: 1.5 },
  );
});

test('objective - a probability is described by its AUC and log-loss only; a figure that is not finite is left out', () => {
  assert.deepEqual(
    taskMetrics(
      observed([
        [1, 0.8],
        [0, 0.4],
      ]),
      true,
    ),
    { auc: 1, logloss: -(Math.log(0.8) + Math.log(0.6)) / 2 },
  );
  assert.deepEqual(taskMetrics(observed([[1, 0.8]]), true), { auc: undefined, logloss: -Math.log(0.8) });
});
