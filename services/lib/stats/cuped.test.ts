import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cupedAdjust } from './cuped.js';

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

test('cuped - θ, adjusted moments and variance reduction match a hand computation', () => {
  // Pooled x = 1, 2, 2, 4 (mean 2.25), y = 3, 5, 6, 10 (mean 6).
  // Σ(x − x̄)(y − ȳ) = 3.75 + 0.25 + 0 + 7 = 11, Σ(x − x̄)² = 4.75, so θ = 11/4.75 = 44/19.
  // y' = y − θ(x − 2.25): arm a 3 + 1.25θ, 5 + 0.25θ; arm b 6 + 0.25θ, 10 − 1.75θ.
  // Arm means 4 + 0.75θ and 8 − 0.75θ; variances (2 − θ)²/2 = 18/361 and (4 − 2θ)²/2 = 72/361
  // (raw: 2 and 8). Reduction 1 − (18/361/2 + 72/361/2)/(2/2 + 8/2) = 1 − 9/361 = 352/361.
  const theta = 44 / 19;
  const r = cupedAdjust({
    a: [
      { y: 3, x: 1 },
      { y: 5, x: 2 },
    ],
    b: [
      { y: 6, x: 2 },
      { y: 10, x: 4 },
    ],
  });
  close(r.theta, theta);
  assert.equal(r.a.n, 2);
  close(r.a.mean, 4 + 0.75 * theta);
  close(r.b.mean, 8 - 0.75 * theta);
  close(r.a.variance, 18 / 361);
  close(r.b.variance, 72 / 361);
  close(r.varianceReduction, 352 / 361);
});

test('cuped - a constant covariate leaves the outcomes unchanged', () => {
  const r = cupedAdjust({
    a: [
      { y: 1, x: 7 },
      { y: 3, x: 7 },
    ],
    b: [
      { y: 2, x: 7 },
      { y: 6, x: 7 },
    ],
  });
  assert.equal(r.theta, 0);
  assert.deepEqual(r.a, { n: 2, mean: 2, variance: 2 });
  assert.deepEqual(r.b, { n: 2, mean: 4, variance: 8 });
  assert.equal(r.varianceReduction, 0);
});

test('cuped - refuses an arm with fewer than 2 entities and non-finite values naming arm and index', () => {
  const two = [
    { y: 1, x: 1 },
    { y: 2, x: 2 },
  ];
  assert.throws(() => cupedAdjust({ a: [{ y: 1, x: 1 }], b: two }), {
    name: 'RangeError',
    message: 'CUPED needs at least 2 entities in arm a, got 1',
  });
  assert.throws(() => cupedAdjust({ a: two, b: [...two, { y: NaN, x: 1 }] }), {
    name: 'RangeError',
    message: 'arm b[2].y must be a finite number, got NaN',
  });
  assert.throws(() => cupedAdjust({ a: [{ y: 1, x: Infinity }, ...two], b: two }), {
    name: 'RangeError',
    message: 'arm a[0].x must be a finite number, got Infinity',
  });
});
