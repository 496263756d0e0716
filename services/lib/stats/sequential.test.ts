import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningMoments, confidenceSequence, fixedHorizonInterval, relativeLift, type ArmStats } from './sequential.js';
import { boundaryMultiplier, mixtureRho2, sequentialDesign } from './always-valid.js';

const Z95 = 1.959963984540054;

const design = (tuningN: number, alpha = 0.05) =>
  sequentialDesign({ alpha, tuningN, minEffect: 0, sides: 'two-sided' });

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

test('running moments - Welford gives the exact mean and sample variance', () => {
  // Σ(x − 5)² = 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32, so the sample variance is 32/7.
  const m = RunningMoments.of([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(m.n, 8);
  assert.equal(m.mean, 5);
  close(m.variance, 32 / 7, 1e-15);
});

test('running moments - stay exact around a large mean where Σx² − (Σx)²/n would cancel', () => {
  const m = RunningMoments.of([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
  assert.equal(m.mean, 1e9 + 10);
  close(m.variance, 30, 1e-9);
});

test('running moments - the variance is 0 until there are 2 outcomes', () => {
  const m = new RunningMoments();
  assert.deepEqual([m.n, m.mean, m.variance], [0, 0, 0]);
  m.add(3);
  assert.deepEqual([m.n, m.mean, m.variance], [1, 3, 0]);
});

test('running moments - refuse a non-finite outcome and snapshot to a frozen plain object', () => {
  const m = RunningMoments.of([1, 3]);
  assert.throws(() => m.add(NaN), { name: 'RangeError', message: 'an outcome must be a finite number, got NaN' });
  const snapshot = m.snapshot();
  assert.deepEqual(snapshot, { n: 2, mean: 2, variance: 2 });
  assert.ok(Object.isFrozen(snapshot));
});

// Hand data: se² = 4/4 + 9/9 = 2.
const A: ArmStats = { n: 4, mean: 10, variance: 4 };
const B: ArmStats = { n: 9, mean: 12, variance: 9 };

test('sequential - the fixed-horizon interval is mean(b) − mean(a) ± z·√(s_a²/n_a + s_b²/n_b)', () => {
  const r = fixedHorizonInterval(A, B);
  assert.equal(r.estimate, 2);
  close(r.low, 2 - Z95 * Math.SQRT2);
  close(r.high, 2 + Z95 * Math.SQRT2);
  close(fixedHorizonInterval(A, B, 0.1).high, 2 + 1.6448536269514726 * Math.SQRT2);
});

test('sequential - ρ² makes the mixture boundary tightest at the tuning sample size', () => {
  // u = −W₋₁(−0.05²/e) = 9.21196806206825420700 (mpmath), ρ² = (u − 1)/t*.
  close(mixtureRho2(0.05, 10_000), 0.0008211968062068254, 1e-16);
  const rho2 = mixtureRho2(0.05, 2500);
  const width = (r2: number) =>
    Math.sqrt(((2 * (2500 * r2 + 1)) / (2500 * r2)) * Math.log(Math.sqrt(2500 * r2 + 1) / 0.05));
  assert.ok(width(rho2) < width(rho2 * 1.01) && width(rho2) < width(rho2 * 0.99));
});

test('sequential - the confidence sequence spans 3.035 standard errors at its tuning N (1.96 for a fixed look)', () => {
  close(boundaryMultiplier(10_000, design(10_000)), 3.035122413028551, 1e-12);
  close(boundaryMultiplier(100, design(10_000)), 8.943802237932147, 1e-12);
  // Hand data at t = 13 = tuningN: 2 ± 3.0351224130285510·√2, the boundary of always-valid.ts.
  const r = confidenceSequence(A, B, design(13));
  assert.equal(r.estimate, 2);
  close(r.high, 2 + 4.292311279967532);
  close(r.low, 2 - 4.292311279967532);
  close(r.multiplier, 3.035122413028551, 1e-12);
});

test('sequential - the confidence sequence depends on the design, never on a size passed per look', () => {
  // Same arms, same design: the same interval; the tuning is the design's, fixed in advance.
  const first = confidenceSequence(A, B, design(10_000));
  assert.deepEqual(confidenceSequence(A, B, design(10_000)), first);
  assert.ok(confidenceSequence(A, B, design(13)).high < first.high, 'tuned at 13, it is narrower at 13');
});

test('sequential - the confidence sequence is wider than the fixed interval at every sample size', () => {
  for (const t of [4, 10, 100, 1_000, 10_000, 100_000, 1e7]) {
    assert.ok(boundaryMultiplier(t, design(10_000)) > Z95, `t = ${t}`);
  }
});

test('sequential - the relative lift uses the delta method with the interval’s own multiplier', () => {
  // R = 0.12/0.1 = 1.2; se of the ratio = √(0.1056/100 + 1.44·0.09/100)/0.1 = √0.002352/0.1.
  const a: ArmStats = { n: 100, mean: 0.1, variance: 0.09 };
  const b: ArmStats = { n: 100, mean: 0.12, variance: 0.1056 };
  const ratioError = 0.48497422611928565;
  const fixed = relativeLift(a, b, fixedHorizonInterval(a, b));
  close(fixed.estimate, 0.2);
  close(fixed.high, 0.2 + Z95 * ratioError);
  close(fixed.low, 0.2 - Z95 * ratioError);
  const anytime = relativeLift(a, b, confidenceSequence(a, b, design(1_000)));
  close(anytime.high - anytime.estimate, boundaryMultiplier(200, design(1_000)) * ratioError);
});

test('sequential - the relative lift refuses a zero control mean and an interval of other arms', () => {
  assert.throws(
    () => relativeLift({ n: 5, mean: 0, variance: 1 }, B, fixedHorizonInterval({ n: 5, mean: 0, variance: 1 }, B)),
    {
      name: 'RangeError',
      message: 'a relative lift needs a control mean (arm a) other than 0',
    },
  );
  assert.throws(() => relativeLift(A, B, { estimate: 3, low: 1, high: 5 }), {
    name: 'RangeError',
    message: 'the interval must be one of mean(b) − mean(a) = 2 for these arms, centred on it; got 3 [1, 5]',
  });
});

test('sequential - intervals refuse an arm with fewer than 2 outcomes, a bad alpha or a bad tuning N', () => {
  assert.throws(() => fixedHorizonInterval({ n: 1, mean: 0, variance: 0 }, B), {
    name: 'RangeError',
    message: 'arm a needs at least 2 outcomes for a variance, got n = 1',
  });
  assert.throws(() => confidenceSequence(A, { n: 5, mean: 1, variance: -1 }, design(10_000)), {
    name: 'RangeError',
    message: 'arm b needs a finite variance ≥ 0, got -1',
  });
  assert.throws(() => fixedHorizonInterval(A, B, 1), { name: 'RangeError', message: 'alpha must be in (0, 1), got 1' });
  assert.throws(() => confidenceSequence(A, B, design(0)), {
    name: 'RangeError',
    message: 'tuningN must be a number ≥ 1, got 0',
  });
});
