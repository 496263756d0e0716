// Intervals for the difference in mean outcome between two independent arms of an A/B test,
// mean(b) − mean(a), from each arm's running moments.
//
// - `confidenceSequence` stays valid however often it is looked at: with probability ≥ 1 − α
//   (asymptotically) it covers the true difference at every sample size simultaneously, so an
//   experiment may be stopped whenever its interval excludes 0. Its boundary is always-valid.ts's
//   (the one implementation every automatic verdict shares), under a design fixed when the
//   experiment starts.
// - `fixedHorizonInterval` is the textbook interval: valid when it is looked at once, at a sample
//   size fixed in advance. Looking after every batch and stopping at the first "significant" look
//   inflates the error rate (20 looks at 95 % miss the truth about a quarter of the time). It is
//   kept for the simulations that show this and for CUPED's one-look coverage check; no verdict
//   and no report reads it.
//
// For the difference, "time" is t = n_a + n_b entities and the standard error is the unpooled
// se = √(s_a²/n_a + s_b²/n_b): with a fixed allocation ratio π, t·se² estimates the variance of
// one entity's influence term, σ_b²/π + σ_a²/(1 − π), which is what Waudby-Smith et al.'s
// asymptotic confidence sequence (Ann. Statist. 2024, Theorem 2.2) scales its boundary by. The
// design's `tuningN` therefore counts entities in both arms.

import type { ArmStats } from './moments.js';
import { twoSidedCritical } from './normal.js';
import { alwaysValidBounds, type Bounds, type SequentialDesign } from './always-valid.js';

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

/** The always-valid interval for mean(b) − mean(a) under `design` (fixed when the experiment
 * started), at t = n_a + n_b entities: it may be checked after every batch and the experiment
 * stopped at any look. */
export function confidenceSequence(a: ArmStats, b: ArmStats, design: SequentialDesign): Bounds {
  checkArm('a', a);
  checkArm('b', b);
  return alwaysValidBounds(b.mean - a.mean, Math.sqrt(differenceVariance(a, b)), a.n + b.n, design);
}

/**
 * The relative lift mean(b)/mean(a) − 1 with an interval of the same kind as `interval` (fixed or
 * always-valid), by the delta method for a ratio of independent means:
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
