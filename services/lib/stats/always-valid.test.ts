import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alwaysValidBounds,
  boundaryMultiplier,
  coverageLabel,
  describeDesign,
  mixtureRho2,
  sequentialDesign,
} from './always-valid.js';

const design = (sides: 'two-sided' | 'one-sided', alpha = 0.05) =>
  sequentialDesign({ alpha, tuningN: 1000, minEffect: 0, sides });

test('always valid - ρ² solves u − log u = 1 − 2 log α and scales as 1/tuningN', () => {
  const rho2 = mixtureRho2(0.05, 1000);
  const u = rho2 * 1000 + 1;
  assert.ok(Math.abs(u - Math.log(u) - (1 - 2 * Math.log(0.05))) < 1e-12);
  assert.ok(Math.abs(mixtureRho2(0.05, 2000) - rho2 / 2) < 1e-15);
});

test('always valid - the two-sided boundary is the normal mixture in standard errors', () => {
  const v = 1000 * mixtureRho2(0.05, 1000);
  const expected = Math.sqrt(((2 * (v + 1)) / v) * Math.log(Math.sqrt(v + 1) / 0.05));
  assert.ok(Math.abs(boundaryMultiplier(1000, design('two-sided')) - expected) < 1e-12);
  // Wider than one look at 95 % (1.96), narrowest near the tuning size.
  const at = (n: number) => boundaryMultiplier(n, design('two-sided'));
  assert.ok(at(1000) > 1.96 && at(1000) < at(100) && at(1000) < at(100_000));
});

test('always valid - the one-sided boundary is where the half-normal mixture reaches 1/α, below the two-sided one', () => {
  const n = 1000;
  const v = n * mixtureRho2(0.05, 1000);
  const m = boundaryMultiplier(n, design('one-sided'));
  const x = m / Math.sqrt((v + 1) / v);
  // 2/√(1+v) · exp(x²/2) · Φ(x) = 1/α; Φ(x) ≈ 1 − tiny here, checked through the log.
  const phi = 0.5 * (1 + erf(x / Math.SQRT2));
  assert.ok(Math.abs(Math.log(2 / Math.sqrt(1 + v)) + (x * x) / 2 + Math.log(phi) - Math.log(1 / 0.05)) < 1e-9);
  assert.ok(m < boundaryMultiplier(n, design('two-sided')));
});

test('always valid - bounds are the estimate ± multiplier × standard error', () => {
  const b = alwaysValidBounds(0.1, 0.02, 1000, design('two-sided'));
  const m = boundaryMultiplier(1000, design('two-sided'));
  assert.deepEqual(b, { estimate: 0.1, low: 0.1 - 0.02 * m, high: 0.1 + 0.02 * m, multiplier: m });
});

test('always valid - a design with a wrong value is refused, saying which', () => {
  assert.throws(() => sequentialDesign({ alpha: 0.6, tuningN: 10, minEffect: 0, sides: 'two-sided' }), {
    name: 'RangeError',
    message: 'alpha must be in (0, 0.5), got 0.6',
  });
  assert.throws(() => sequentialDesign({ alpha: 0.05, tuningN: 0, minEffect: 0, sides: 'two-sided' }), {
    message: 'tuningN must be a number ≥ 1, got 0',
  });
  assert.throws(() => alwaysValidBounds(0, -1, 10, design('two-sided')), {
    message: 'the standard error must be finite and ≥ 0, got -1',
  });
});

test('always valid - the printed coverage never rounds up, and the design reads as words', () => {
  assert.equal(coverageLabel(design('two-sided', 0.02)), '98 % always-valid');
  assert.equal(coverageLabel(design('one-sided', 0.0025)), '99.75 % always-valid one-sided');
  assert.equal(describeDesign(design('one-sided', 0.005)), 'α 0.005 one-sided, tuned for 1000 examples, min effect 0');
});

/** erf by Abramowitz–Stegun 7.1.26 is too coarse for 1e-9: use the series, fine for |x| < 6. */
function erf(x: number): number {
  let sum = x;
  let term = x;
  for (let k = 1; k < 200; k++) {
    term *= (-x * x) / k;
    sum += term / (2 * k + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
