import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erfc, normalCdf, normalQuantile, twoSidedCritical } from './normal.js';

const relativelyClose = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.abs(expected), `expected ${expected}, got ${actual}`);

// Reference values from mpmath at 40 digits, rounded to the nearest double (ncdf, and the root of
// ncdf(z) = p for the binary p).
const CDF: readonly (readonly [number, number])[] = [
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160525e-24],
  [-5, 2.866515718791939e-7],
  [-3, 0.0013498980316300946],
  [-1, 0.15865525393145705],
  [-0.5, 0.3085375387259869],
  [-0.1, 0.460172162722971],
  [0, 0.5],
  [0.3, 0.6179114221889527],
  [1, 0.8413447460685429],
  [1.96, 0.9750021048517795],
  [2.5, 0.9937903346742238],
  [4, 0.9999683287581669],
  [6, 0.9999999990134123],
];

const QUANTILE: readonly (readonly [number, number])[] = [
  [1e-300, -37.0470962993612],
  [1e-20, -9.262340089798407],
  [1e-10, -6.361340902404057],
  [1e-5, -4.264890793922825],
  [0.001, -3.0902323061678136],
  [0.01, -2.326347874040841],
  [0.025, -1.9599639845400543],
  [0.05, -1.6448536269514726],
  [0.1, -1.2815515655446004],
  [0.3, -0.5244005127080408],
  [0.6, 0.2533471031357997],
  [0.9, 1.2815515655446006],
  [0.975, 1.9599639845400538],
  [0.99, 2.3263478740408408],
  [0.999999, 4.753424308817087],
];

test('normal - the CDF matches 40-digit references to 1e-13 relative, deep into the lower tail', () => {
  for (const [z, expected] of CDF) relativelyClose(normalCdf(z), expected, 1e-13);
});

test('normal - the CDF is 0 and 1 at the infinities and NaN for NaN', () => {
  assert.equal(normalCdf(-Infinity), 0);
  assert.equal(normalCdf(Infinity), 1);
  assert.ok(Number.isNaN(normalCdf(NaN)));
});

test('normal - erfc is 1 at 0, 2 − erfc(x) at −x, and 0 where it underflows', () => {
  assert.equal(erfc(0), 1);
  relativelyClose(erfc(-0.7), 2 - erfc(0.7), 1e-15);
  relativelyClose(erfc(3), 0.00002209049699858544, 1e-14);
  assert.equal(erfc(30), 0);
});

test('normal - the quantile matches 40-digit references to 1e-15 relative', () => {
  for (const [p, expected] of QUANTILE) relativelyClose(normalQuantile(p), expected, 1e-15);
  assert.equal(normalQuantile(0.5), 0);
  relativelyClose(normalQuantile(0.975), 1.959963984540054, 1e-15);
});

test('normal - the quantile inverts the CDF across the range', () => {
  // Up to z = 4 only: beyond it Φ(z) rounds to within a few ulps of 1 and no inverse can recover z.
  for (let z = -8; z <= 4; z += 0.25) {
    assert.ok(Math.abs(normalQuantile(normalCdf(z)) - z) <= 1e-9 * Math.max(1, Math.abs(z)), `z = ${z}`);
  }
});

test('normal - the quantile is infinite at 0 and 1 and refuses anything outside [0, 1]', () => {
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.throws(() => normalQuantile(1.5), {
    name: 'RangeError',
    message: 'a normal quantile needs a probability in [0, 1], got 1.5',
  });
  assert.throws(() => normalQuantile(NaN), {
    name: 'RangeError',
    message: 'a normal quantile needs a probability in [0, 1], got NaN',
  });
});

test('normal - the two-sided critical value is Φ⁻¹(1 − alpha/2) and keeps precision for a tiny alpha', () => {
  relativelyClose(twoSidedCritical(0.05), 1.959963984540054, 1e-15);
  relativelyClose(twoSidedCritical(0.1), 1.6448536269514726, 1e-15);
  relativelyClose(twoSidedCritical(2e-20), 9.262340089798407, 1e-15);
  assert.throws(() => twoSidedCritical(0), { name: 'RangeError', message: 'alpha must be in (0, 1), got 0' });
  assert.throws(() => twoSidedCritical(1), { name: 'RangeError', message: 'alpha must be in (0, 1), got 1' });
});
