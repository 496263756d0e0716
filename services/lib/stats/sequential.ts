// Intervals for the difference in mean outcome between two independent arms of an A/B test,
// mean(b) − mean(a), from each arm's running moments.
//
// - `fixedHorizonInterval` is the textbook interval: valid when it is looked at once, at a sample
//   size fixed in advance. Looking after every batch and stopping at the first "significant" look
//   inflates the error rate (20 looks at 95 % miss the truth about a quarter of the time).
// - `confidenceSequence` stays valid however often it is looked at: with probability ≥ 1 − alpha
//   (asymptotically) it covers the true difference at every sample size simultaneously, so an
//   experiment may be stopped whenever its interval excludes 0. The price is a wider interval
//   (≈ 1.5–2× the fixed one around `targetN`).
//
// The confidence sequence is the asymptotic CS of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas,
// "Time-uniform central limit theory and asymptotic confidence sequences" (Ann. Statist. 2024,
// arXiv 2103.06476, Theorem 2.2): Robbins' two-sided normal mixture boundary, with the sample
// standard deviation σ̂_t in place of a known one,
//
//     μ̂_t ± σ̂_t · √( 2(tρ² + 1) / (t²ρ²) · log( √(tρ² + 1) / α ) ).
//
// Here μ̂_t = mean(b) − mean(a), time t = n_a + n_b entities, and σ̂_t² = t · se² with
// se² = s_a²/n_a + s_b²/n_b, so that σ̂_t²/t is the usual variance of the difference (with a
// fixed allocation ratio π this is the paper's σ_b²/π + σ_a²/(1 − π)). The boundary then reads
//
//     estimate ± se · √( 2(tρ² + 1)/(tρ²) · log( √(tρ² + 1) / α ) ).
//
// ρ sets where the sequence is tightest; the width at t = t* is smallest for ρ² = (u − 1)/t*,
// where u > 1 solves u − log u = 1 − 2 log α (i.e. u = −W₋₁(−α²/e); Howard et al. 2021 give the
// approximation u − 1 ≈ −2 log α + log(1 − 2 log α)). `targetN` is that t*: the total number of
// entities (both arms) the experiment expects — the sequence stays valid before and after it.

import type { ArmStats } from './moments.js';
import { twoSidedCritical } from './normal.js';

export { RunningMoments, type ArmStats } from './moments.js';

/** A point estimate with its two-sided interval. */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

function checkArm(name: string, arm: ArmStats): void {
  if (!Number.isInteger(arm.n) || arm.n < 2)
    throw new RangeError(`arm ${name} needs at least 2 outcomes for a variance, got n = ${arm.n}`);
  if (!Number.isFinite(arm.mean)) throw new RangeError(`arm ${name} has a non-finite mean: ${arm.mean}`);
  if (!(Number.isFinite(arm.variance) && arm.variance >= 0))
    throw new RangeError(`arm ${name} needs a finite variance ≥ 0, got ${arm.variance}`);
}

/** The variance of mean(b) − mean(a) for independent arms (unpooled, as in Welch's test). */
function differenceVariance(a: ArmStats, b: ArmStats): number {
  return a.variance / a.n + b.variance / b.n;
}

function around(estimate: number, halfWidth: number): Interval {
  return { estimate, low: estimate - halfWidth, high: estimate + halfWidth };
}

/** mean(b) − mean(a) ± z·se with the unpooled (Welch) standard error and the normal quantile —
 * valid for one look at a sample size fixed in advance, with enough outcomes per arm for the CLT. */
export function fixedHorizonInterval(a: ArmStats, b: ArmStats, alpha = 0.05): Interval {
  checkArm('a', a);
  checkArm('b', b);
  return around(b.mean - a.mean, twoSidedCritical(alpha) * Math.sqrt(differenceVariance(a, b)));
}

/** ρ² of the normal mixture that makes the sequence tightest at `targetN` (see the header). */
export function mixtureRho2(alpha: number, targetN: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(Number.isFinite(targetN) && targetN > 0))
    throw new RangeError(`targetN must be a positive number of entities, got ${targetN}`);
  // Newton on h(u) = u − log u − k, started at Howard et al.'s approximation: h is convex and
  // increasing for u > 1, so after the first step the iterates fall monotonically to the root.
  const k = 1 - 2 * Math.log(alpha);
  let u = k + Math.log(k);
  for (let step = 0; step < 50; step++) {
    const next = u - (u - Math.log(u) - k) / (1 - 1 / u);
    if (Math.abs(next - u) <= 1e-15 * u) break;
    u = next;
  }
  return (u - 1) / targetN;
}

/** How many standard errors the anytime-valid boundary spans at `t` entities in all. */
export function confidenceSequenceMultiplier(t: number, alpha: number, targetN: number): number {
  const rho2 = mixtureRho2(alpha, targetN);
  const v = t * rho2;
  return Math.sqrt(((2 * (v + 1)) / v) * Math.log(Math.sqrt(v + 1) / alpha));
}

/** An anytime-valid (1 − alpha) interval for mean(b) − mean(a): it may be checked after every
 * batch and the experiment stopped at any look. Tightest when n_a + n_b = `targetN`. */
export function confidenceSequence(a: ArmStats, b: ArmStats, alpha = 0.05, targetN = 10_000): Interval {
  checkArm('a', a);
  checkArm('b', b);
  const multiplier = confidenceSequenceMultiplier(a.n + b.n, alpha, targetN);
  return around(b.mean - a.mean, multiplier * Math.sqrt(differenceVariance(a, b)));
}

/**
 * The relative lift mean(b)/mean(a) − 1 with an interval of the same kind as `interval` (fixed or
 * anytime-valid), by the delta method for a ratio of independent means:
 *   se(mean(b)/mean(a)) ≈ √( s_b²/n_b + R²·s_a²/n_a ) / |mean(a)|,  R = mean(b)/mean(a),
 * times the multiplier `interval` used (its half-width over the standard error of the difference).
 * Unlike dividing the interval by mean(a), this counts the noise in mean(a) too. Meant for outcomes
 * whose control mean is clearly away from 0 (rates, revenue); throws when it is 0.
 */
export function relativeLift(a: ArmStats, b: ArmStats, interval: Interval): Interval {
  checkArm('a', a);
  checkArm('b', b);
  if (a.mean === 0) throw new RangeError('a relative lift needs a control mean (arm a) other than 0');
  const difference = b.mean - a.mean;
  const halfWidth = (interval.high - interval.low) / 2;
  const centre = (interval.high + interval.low) / 2;
  const scale = Math.max(1, Math.abs(difference));
  if (
    Math.abs(interval.estimate - difference) > 1e-9 * scale ||
    Math.abs(centre - difference) > 1e-9 * scale + 1e-9 * halfWidth
  ) {
    throw new RangeError(
      `the interval must be one of mean(b) − mean(a) = ${difference} for these arms, centred on it; got ${interval.estimate} [${interval.low}, ${interval.high}]`,
    );
  }
  const ratio = b.mean / a.mean;
  const standardError = Math.sqrt(differenceVariance(a, b));
  if (standardError === 0) return around(ratio - 1, 0);
  const multiplier = halfWidth / standardError;
  const ratioError = Math.sqrt(b.variance / b.n + ratio * ratio * (a.variance / a.n)) / Math.abs(a.mean);
  return around(ratio - 1, multiplier * ratioError);
}
