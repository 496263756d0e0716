import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchScoring, benchTraining } from './bench.js';

test('bench - training figures are examples per second for each family', async () => {
  for (const family of ['logistic', 'linear', 'mlp']) {
    const rate = await benchTraining(family, 2000, { batchSize: 256 });
    assert.ok(Number.isFinite(rate) && rate > 0, `${family}: ${rate}`);
  }
});

test('bench - scoring figures compare the scorer with a one-row tfjs predict', async () => {
  const figures = await benchScoring('logistic', 2000);
  for (const value of Object.values(figures)) assert.ok(Number.isFinite(value) && value > 0);
});

test('bench - an unknown family is refused by name', async () => {
  await assert.rejects(benchTraining('forest', 10), { name: 'HyperParameterError', message: /unknown model family "forest": known are logistic, linear, mlp, gbdt/ });
});
