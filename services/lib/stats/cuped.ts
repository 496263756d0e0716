// CUPED (Deng, Xu, Kohavi & Walker, WSDM 2013): subtract from each entity's outcome y the part a
// pre-period covariate x already predicts, y' = y − θ(x − mean(x)) with θ = cov(x, y)/var(x).
// x was fixed before assignment, so the adjustment has mean zero in both arms and leaves
// mean(b) − mean(a) unbiased, while each arm's variance falls by the fraction ρ(x, y)². The
// adjusted moments feed `fixedHorizonInterval` or `confidenceSequence` unchanged.
//
// θ and mean(x) come from both arms pooled, so that both arms are adjusted by the same line
// (estimating θ from the data costs O(1/n) in bias, negligible at A/B sizes). A constant
// covariate (var(x) = 0) predicts nothing: θ = 0 and the outcomes pass through unchanged.

import { RunningMoments, type ArmStats } from './moments.js';

/** One entity: its outcome in the experiment and the same metric (or a correlated one) before it. */
export interface CupedObservation {
  readonly y: number;
  readonly x: number;
}

export interface CupedArms {
  readonly a: readonly CupedObservation[];
  readonly b: readonly CupedObservation[];
}

export interface CupedResult {
  /** cov(x, y)/var(x) over both arms pooled. */
  readonly theta: number;
  /** Moments of the adjusted outcomes y' of arm a. */
  readonly a: ArmStats;
  /** Moments of the adjusted outcomes y' of arm b. */
  readonly b: ArmStats;
  /** 1 − Var'(mean(b) − mean(a)) / Var(mean(b) − mean(a)): the share of the difference's variance
   * removed (≈ ρ(x, y)²); the interval narrows by √(1 − varianceReduction). Near 0, and by
   * chance slightly negative, when x predicts nothing. */
  readonly varianceReduction: number;
}

function check(arm: string, observations: readonly CupedObservation[]): void {
  if (observations.length < 2)
    throw new RangeError(`CUPED needs at least 2 entities in arm ${arm}, got ${observations.length}`);
  observations.forEach((o, i) => {
    if (!Number.isFinite(o.y)) throw new RangeError(`arm ${arm}[${i}].y must be a finite number, got ${o.y}`);
    if (!Number.isFinite(o.x)) throw new RangeError(`arm ${arm}[${i}].x must be a finite number, got ${o.x}`);
  });
}

function differenceVariance(a: ArmStats, b: ArmStats): number {
  return a.variance / a.n + b.variance / b.n;
}

/** Adjusts both arms' outcomes by the pooled pre-period covariate. */
export function cupedAdjust(arms: CupedArms): CupedResult {
  check('a', arms.a);
  check('b', arms.b);
  const pooled = [...arms.a, ...arms.b];
  let meanX = 0;
  let meanY = 0;
  for (const o of pooled) {
    meanX += o.x;
    meanY += o.y;
  }
  meanX /= pooled.length;
  meanY /= pooled.length;
  // Two passes (means first) rather than raw sums: pre-period revenue can have a large mean.
  let covariance = 0;
  let varianceX = 0;
  for (const o of pooled) {
    covariance += (o.x - meanX) * (o.y - meanY);
    varianceX += (o.x - meanX) ** 2;
  }
  const theta = varianceX > 0 ? covariance / varianceX : 0;
  const adjust = (observations: readonly CupedObservation[]) =>
    RunningMoments.of(observations.map((o) => o.y - theta * (o.x - meanX)));
  const a = adjust(arms.a);
  const b = adjust(arms.b);
  const raw = differenceVariance(RunningMoments.of(arms.a.map((o) => o.y)), RunningMoments.of(arms.b.map((o) => o.y)));
  const varianceReduction = raw > 0 ? 1 - differenceVariance(a, b) / raw : 0;
  return { theta, a: a.snapshot(), b: b.snapshot(), varianceReduction };
}
