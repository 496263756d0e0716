import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from './backend.js';
import { benchGbdtScaling, benchScoring, benchTraining, planeSlopes } from './bench.js';

await initBackend();

const positive = (value: number | null) => value !== null && Number.isFinite(value) && value > 0;

test('bench - training figures are examples per second for each family', async () => {
  for (const family of ['logistic', 'linear', 'mlp']) {
    const rate = await benchTraining(family, 2000, { batchSize: 256 });
    assert.ok(Number.isFinite(rate) && rate > 0, `${family}: ${rate}`);
  }
});

test('bench - scoring figures compare the scorer with a one-row tfjs predict for every tfjs family', async () => {
  for (const family of ['logistic', 'linear', 'mlp']) {
    const figures = await benchScoring(family, 2000);
    for (const [name, value] of Object.entries(figures)) assert.ok(positive(value), `${family} ${name}: ${value}`);
    assert.ok(
      figures.scorerP50Us <= figures.scorerP99Us,
      `${family}: p50 ${figures.scorerP50Us} above p99 ${figures.scorerP99Us}`,
    );
  }
});

test('bench - gbdt scoring figures have no tfjs figure', async () => {
  const { tfjsOneRowUs, ...figures } = await benchScoring('gbdt', 2000);
  assert.equal(tfjsOneRowUs, null);
  for (const [name, value] of Object.entries(figures)) assert.ok(positive(value), `gbdt ${name}: ${value}`);
});

test('bench - gbdt scaling gives a fit time per rows × features pair and the fitted exponents', () => {
  const scaling = benchGbdtScaling([100, 300], [2, 5]);
  assert.deepEqual(
    scaling.points.map((p) => [p.rows, p.features]),
    [
      [100, 2],
      [100, 5],
      [300, 2],
      [300, 5],
    ],
  );
  for (const p of scaling.points) assert.ok(positive(p.fitMs), `${p.rows} × ${p.features}: ${p.fitMs} ms`);
  assert.ok(Number.isFinite(scaling.rowsExponent) && Number.isFinite(scaling.featuresExponent));
  assert.equal(
    scaling.statement,
    `time ∝ rows^${scaling.rowsExponent.toFixed(2)} · features^${scaling.featuresExponent.toFixed(2)}`,
  );
});

test('bench - the scaling exponents are the slopes of the least-squares plane on log-log', () => {
  // y = 3 + 1.5·u − 0.5·w exactly, then with residuals that cancel in both slopes.
  const u = [0, 0, 1, 1, 2, 2];
  const w = [0, 1, 0, 1, 0, 1];
  assert.deepEqual(
    planeSlopes(
      u,
      w,
      u.map((ui, i) => 3 + 1.5 * ui - 0.5 * (w[i] as number)),
    ),
    [1.5, -0.5],
  );
  const [b, c] = planeSlopes(
    u,
    w,
    u.map((ui, i) => 3 + 1.5 * ui - 0.5 * (w[i] as number) + ([0.1, -0.1, -0.2, 0.2, 0.1, -0.1][i] as number)),
  );
  assert.ok(Math.abs(b - 1.5) < 1e-12 && Math.abs(c + 0.5) < 1e-12, `${b}, ${c}`);
});

test('bench - gbdt scaling refuses a single size of rows or features, or a size below 1, saying what to give', () => {
  const message = (rows: string, features: string) =>
    `benchGbdtScaling fits exponents of rows and features: give each at least two distinct sizes, positive integers; got rows ${rows} and features ${features}`;
  assert.throws(() => benchGbdtScaling([100], [2, 4]), { name: 'RangeError', message: message('[100]', '[2,4]') });
  assert.throws(() => benchGbdtScaling([100, 200], [4, 4]), {
    name: 'RangeError',
    message: message('[100,200]', '[4,4]'),
  });
  assert.throws(() => benchGbdtScaling([0, 200], [2, 4]), { name: 'RangeError', message: message('[0,200]', '[2,4]') });
});

test('bench - an unknown family is refused by name', async () => {
  await assert.rejects(benchTraining('forest', 10), {
    name: 'HyperParameterError',
    message: /unknown model family "forest": known are logistic, linear, mlp, gbdt/,
  });
});
