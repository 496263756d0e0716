// The one sequential-inference module behind every automatic verdict: promotion of a shadow, the
// canary's ramp, rollback of a live version, a continuation's swap, guardrail alerts and A/B
// winners. Each verdict watches an estimate that grows with its data and is looked at as often as
// the service likes; a fixed-z test looked at that way is wrong far more often than it says. Here
// every look uses a boundary that holds at all sample sizes at once ("always valid"), fixed by a
// design chosen when the test starts and never tuned on the data it judges.
//
// The boundary is Robbins' normal mixture, in the asymptotic form of Waudby-Smith, Arbour, Sinha,
// Kennedy & Ramdas ("Time-uniform central limit theory and asymptotic confidence sequences", Ann.
// Statist. 2024): for an estimate that is asymptotically a mean of n independent influence terms
// with standard error se, the sequence
//
//   two-sided:  estimate ± se · √( 2(nρ² + 1)/(nρ²) · log( √(nρ² + 1) / α ) )
//
// covers the truth at every n simultaneously with probability ≥ 1 − α (asymptotically). The
// one-sided boundary mixes over effects of one sign only (a half-normal mixture, Howard et al.
// 2021, "Time-uniform, nonparametric, nonasymptotic confidence sequences", §3.5): the running
// mixture martingale is 2/√(1 + nρ²) · exp(x²/2) · Φ(x) at x = S/√(n + 1/ρ²), and the boundary is
// where it reaches 1/α (Ville's inequality). It is ~10–15 % narrower than the two-sided one at the
// same α, which is what keeps a rollback fast.
//
// ρ (the mixture's spread) sets the sample size where the boundary is tightest: the design's
// `tuningN`, chosen from the blueprint when the test starts (for example twice a shadow's
// min_examples). It stays fixed; a ρ recomputed from the data at every look (as an earlier A/B
// analysis did) is a repeated fixed-z test in disguise.
//
// α is spent explicitly (VERDICT_ALPHA): the verdicts that can act on one candidate version
// (promotion, canary, rollback, guardrails) share 4.5 %, so a candidate that passes shadow, canary
// and live watch is wrongly acted on with probability at most 4.5 % in all. A continuation is a
// new version judged once, against the version it continues: it spends its own 4 % (see
// services/trainer/continuation-gate.ts).

import { normalCdf } from './normal.js';

/** Which way a verdict's claim goes: two-sided intervals, or one bound at the full α. */
export type Sides = 'two-sided' | 'one-sided';

/** How a verdict's test is judged, fixed when the test starts and stored with it. */
export interface SequentialDesign {
  /** The chance, over the whole test however often it is looked at, of a false claim. */
  readonly alpha: number;
  /** The sample size at which the boundary is tightest (it is valid before and after). */
  readonly tuningN: number;
  /** The smallest effect the verdict acts on, in the estimate's own units (≥ 0). */
  readonly minEffect: number;
  readonly sides: Sides;
}

/** A point estimate with its always-valid bounds. For a one-sided design each end is a bound at α on its own. */
export interface Bounds {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** How many standard errors each end lies from the estimate. */
  readonly multiplier: number;
}

/**
 * α per verdict. Promotion, canary, rollback and guardrails can each act on one candidate version;
 * their budgets add to 4.5 %. A continuation's swap is the one verdict on a continuation version:
 * 1 % for its always-valid test, and 3 % for the single look at its horizon (CONTINUATION_HORIZON_ALPHA).
 * Experiments judge arms, not versions, and take the experiment's own α (5 % unless the blueprint
 * says otherwise).
 */
export const VERDICT_ALPHA = {
  promotion: 0.02,
  canary: 0.01,
  rollback: 0.01,
  continuation: 0.01,
  guardrail: 0.005,
  experiment: 0.05,
} as const;

export type VerdictKind = keyof typeof VERDICT_ALPHA;

/** A design with its values checked; throws a RangeError that says which value is wrong. */
export function sequentialDesign(design: SequentialDesign): SequentialDesign {
  const { alpha, tuningN, minEffect, sides } = design;
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`alpha must be in (0, 0.5), got ${alpha}`);
  if (!(Number.isFinite(tuningN) && tuningN >= 1)) throw new RangeError(`tuningN must be a number ≥ 1, got ${tuningN}`);
  if (!(Number.isFinite(minEffect) && minEffect >= 0)) throw new RangeError(`minEffect must be ≥ 0, got ${minEffect}`);
  if (sides !== 'two-sided' && sides !== 'one-sided')
    throw new RangeError(`sides must be 'two-sided' or 'one-sided', got ${String(sides)}`);
  return { alpha, tuningN, minEffect, sides };
}

/** u > 1 solving u − log u = 1 − 2 log α (u = −W₋₁(−α²/e)), by Newton from Howard et al.'s approximation. */
function mixtureU(alpha: number): number {
  const k = 1 - 2 * Math.log(alpha);
  let u = k + Math.log(k);
  for (let step = 0; step < 50; step++) {
    const next = u - (u - Math.log(u) - k) / (1 - 1 / u);
    if (Math.abs(next - u) <= 1e-15 * u) return next;
    u = next;
  }
  return u;
}

/** ρ² of the normal mixture whose two-sided boundary is narrowest at `tuningN` (also used one-sided). */
export function mixtureRho2(alpha: number, tuningN: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(Number.isFinite(tuningN) && tuningN > 0)) throw new RangeError(`tuningN must be positive, got ${tuningN}`);
  return (mixtureU(alpha) - 1) / tuningN;
}

/** x ≥ 0 where x²/2 + log Φ(x) = target (the left side increases with x), by bisection. */
function solveHalfNormal(target: number): number {
  let low = 0;
  let high = Math.sqrt(2 * Math.max(target, 0) + 2 * Math.LN2) + 1;
  while (high * high * 0.5 + Math.log(normalCdf(high)) < target) high *= 2;
  for (let i = 0; i < 100 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (mid * mid * 0.5 + Math.log(normalCdf(mid)) < target) low = mid;
    else high = mid;
  }
  return high;
}

/** How many standard errors the design's boundary lies from the estimate after `n` observations. */
export function boundaryMultiplier(n: number, design: SequentialDesign): number {
  if (!(Number.isFinite(n) && n >= 1)) throw new RangeError(`n must be a sample size ≥ 1, got ${n}`);
  const rho2 = mixtureRho2(design.alpha, design.tuningN);
  const v = n * rho2;
  if (design.sides === 'two-sided') return Math.sqrt(((2 * (v + 1)) / v) * Math.log(Math.sqrt(v + 1) / design.alpha));
  // 2/√(1+v) · exp(x²/2) · Φ(x) = 1/α, and S = x·√(n + 1/ρ²), so S/√n = x·√((v + 1)/v).
  const x = solveHalfNormal(Math.log(1 / design.alpha) + 0.5 * Math.log(1 + v) - Math.LN2);
  return x * Math.sqrt((v + 1) / v);
}

/** The estimate with its always-valid bounds after `n` observations. */
export function alwaysValidBounds(
  estimate: number,
  standardError: number,
  n: number,
  design: SequentialDesign,
): Bounds {
  if (!Number.isFinite(estimate)) throw new RangeError(`the estimate must be finite, got ${estimate}`);
  if (!(Number.isFinite(standardError) && standardError >= 0))
    throw new RangeError(`the standard error must be finite and ≥ 0, got ${standardError}`);
  const multiplier = boundaryMultiplier(n, design);
  const half = multiplier * standardError;
  return { estimate, low: estimate - half, high: estimate + half, multiplier };
}

/** The coverage a design's printed interval carries, as people read it: "98 %" for α 2 % two-sided. */
export function coverageLabel(design: SequentialDesign): string {
  // Up to three decimals and no rounding up: α 0.25 % reads 99.75 %, never 99.8 %.
  const text = String(Number((100 * (1 - design.alpha)).toFixed(3)));
  return design.sides === 'two-sided' ? `${text} % always-valid` : `${text} % always-valid one-sided`;
}

/** The design in words, for the reason a verdict gives. */
export function describeDesign(design: SequentialDesign): string {
  return `α ${design.alpha} ${design.sides}, tuned for ${Math.round(design.tuningN)} examples, min effect ${design.minEffect}`;
}
