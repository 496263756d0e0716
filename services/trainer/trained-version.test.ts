import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describePublished } from './trained-version.js';

test("trained version - the published line shows the version's family and its task's metrics, the count whole and every figure to 4 decimals", () => {
  assert.equal(
    describePublished({
      modelVersion: 'order_value/3',
      family: 'linear',
      metrics: { examples: 812, rmse: 2.10344, mae: 1.51196 },
    }),
    'published order_value/3 (linear, examples 812, rmse 2.1034, mae 1.5120)',
  );
  assert.equal(
    describePublished({
      modelVersion: 'order_value/1',
      family: 'linear',
      metrics: { examples: 100, rmse: 403.15511, mae: 399 },
    }),
    'published order_value/1 (linear, examples 100, rmse 403.1551, mae 399.0000)',
    'a whole figure is no count',
  );
  assert.equal(
    describePublished({
      modelVersion: 'notification_send/7',
      family: 'mlp',
      metrics: { examples: 5000, auc: 0.73126, logloss: 0.5 },
    }),
    'published notification_send/7 (mlp, examples 5000, auc 0.7313, logloss 0.5000)',
  );
  assert.equal(
    describePublished({ modelVersion: 'channel/2', family: 'thompson', metrics: {} }),
    'published channel/2 (thompson)',
    'nothing measured yet',
  );
});
