// The analysis of a blueprint A/B experiment, pure: per-entity outcomes in, per-arm means, the
// difference of each arm from the control with an interval that stays valid however often it is
// looked at (a confidence sequence), the fixed-horizon interval beside it, CUPED when outcomes of
// the same entities before the experiment exist, a sample-ratio check, and a recommendation.
//
// The entity is the unit of randomisation, so each entity contributes one number — the mean
// outcome of its decisions — and decisions of one entity are never treated as independent.
import {
  RunningMoments,
  confidenceSequence,
  fixedHorizonInterval,
  relativeLift,
  type Interval,
} from '../stats/sequential.js';
import { cupedAdjust } from '../stats/cuped.js';
import { normalCdf } from '../stats/normal.js';

export interface ArmShare {
  readonly name: string;
  readonly share: number;
}

export interface Observation {
  readonly arm: string;
  readonly entity: string;
  /** The outcome of one decision (its label: a click, an amount). */
  readonly value: number;
}

export interface ArmReport {
  readonly arm: string;
  readonly share: number;
  readonly entities: number;
  readonly decisions: number;
  /** Mean over entities of each entity's mean outcome per decision. */
  readonly mean: number;
}

export interface Comparison {
  readonly arm: string;
  readonly control: string;
  /** mean(arm) − mean(control), anytime-valid. */
  readonly difference: Interval;
  /** The same, valid for one look only (shown for reference). */
  readonly fixed: Interval;
  /** The difference relative to the control's mean. */
  readonly relative: Interval;
  /** With CUPED on the pre-period outcome: the anytime-valid interval and the variance removed. */
  readonly cuped: {
    readonly difference: Interval;
    readonly varianceReduction: number;
    readonly entitiesWithHistory: number;
  } | null;
}

export interface ExperimentReport {
  readonly name: string;
  readonly control: string;
  readonly arms: readonly ArmReport[];
  readonly comparisons: readonly Comparison[];
  /** Sample ratio check: the p-value of the entity counts against the declared shares. */
  readonly sampleRatioP: number;
  readonly recommendation: string;
}

/** Below this p-value the split is not what was declared, and no comparison is to be trusted. */
export const SAMPLE_RATIO_ALPHA = 0.001;
/** CUPED needs a pre-period outcome for this share of the entities at least. */
export const CUPED_MIN_COVERAGE = 0.5;

function perEntity(observations: readonly Observation[]): Map<string, Map<string, { sum: number; n: number }>> {
  const byArm = new Map<string, Map<string, { sum: number; n: number }>>();
  for (const o of observations) {
    let entities = byArm.get(o.arm);
    if (!entities) byArm.set(o.arm, (entities = new Map()));
    const e = entities.get(o.entity) ?? { sum: 0, n: 0 };
    e.sum += o.value;
    e.n += 1;
    entities.set(o.entity, e);
  }
  return byArm;
}

/**
 * P(χ²_k ≥ x), exact: for even k, e^(−x/2)·Σ_{i<k/2} (x/2)^i/i!; for odd k,
 * 2(1 − Φ(√x)) + 2φ(√x)·Σ_{r=1}^{(k−1)/2} x^(r−½)/(1·3·…·(2r−1)).
 */
export function chiSquareSurvival(x: number, k: number): number {
  if (!(x > 0)) return 1;
  if (k % 2 === 0) {
    let term = 1;
    let sum = 1;
    for (let i = 1; i < k / 2; i++) sum += term *= x / 2 / i;
    return Math.min(1, Math.exp(-x / 2) * sum);
  }
  const root = Math.sqrt(x);
  let sum = 0;
  let term = root; // x^(1/2) / 1
  for (let r = 1; r <= (k - 1) / 2; r++) {
    sum += term;
    term *= x / (2 * r + 1);
  }
  const density = Math.exp(-x / 2) / Math.sqrt(2 * Math.PI);
  return Math.min(1, 2 * (1 - normalCdf(root)) + 2 * density * sum);
}

export function analyzeExperiment(
  name: string,
  arms: readonly ArmShare[],
  control: string,
  observations: readonly Observation[],
  before: ReadonlyMap<string, number> = new Map(),
  alpha = 0.05,
): ExperimentReport {
  if (!arms.some((a) => a.name === control))
    throw new RangeError(`the control ${control} is not an arm of experiment ${name}`);
  const byArm = perEntity(observations);
  const means = new Map<string, number[]>();
  const reports: ArmReport[] = arms.map((a) => {
    const entities = byArm.get(a.name) ?? new Map();
    const values = [...entities.values()].map((e) => e.sum / e.n);
    means.set(a.name, values);
    const moments = RunningMoments.of(values);
    return {
      arm: a.name,
      share: a.share,
      entities: values.length,
      decisions: [...entities.values()].reduce((s, e) => s + e.n, 0),
      mean: moments.n > 0 ? moments.mean : Number.NaN,
    };
  });
  const totalEntities = reports.reduce((s, r) => s + r.entities, 0);
  const chi = reports.reduce(
    (s, r) => s + (r.entities - r.share * totalEntities) ** 2 / Math.max(r.share * totalEntities, 1e-12),
    0,
  );
  const sampleRatioP = totalEntities === 0 ? 1 : chiSquareSurvival(chi, arms.length - 1);

  const controlValues = means.get(control)!;
  const comparisons: Comparison[] = [];
  for (const arm of arms) {
    if (arm.name === control) continue;
    const values = means.get(arm.name)!;
    if (values.length < 2 || controlValues.length < 2) continue;
    const a = RunningMoments.of(controlValues);
    const b = RunningMoments.of(values);
    const targetN = Math.max(totalEntities, 1000);
    const difference = confidenceSequence(a, b, alpha, targetN);
    const withHistory = (entities: Map<string, { sum: number; n: number }>) =>
      [...entities.keys()].filter((e) => before.has(e)).length;
    const controlEntities = byArm.get(control)!;
    const armEntities = byArm.get(arm.name)!;
    const covered = withHistory(controlEntities) + withHistory(armEntities);
    let cuped: Comparison['cuped'] = null;
    if (covered >= CUPED_MIN_COVERAGE * (controlEntities.size + armEntities.size)) {
      const known = [...before.values()];
      const fill = known.reduce((s, v) => s + v, 0) / known.length;
      const pairs = (entities: Map<string, { sum: number; n: number }>) =>
        [...entities].map(([entity, e]) => ({ y: e.sum / e.n, x: before.get(entity) ?? fill }));
      const adjusted = cupedAdjust({ a: pairs(controlEntities), b: pairs(armEntities) });
      cuped = {
        difference: confidenceSequence(adjusted.a, adjusted.b, alpha, targetN),
        varianceReduction: adjusted.varianceReduction,
        entitiesWithHistory: covered,
      };
    }
    comparisons.push({
      arm: arm.name,
      control,
      difference,
      fixed: fixedHorizonInterval(a, b, alpha),
      relative: relativeOrNaN(a, b, difference),
      cuped,
    });
  }
  return {
    name,
    control,
    arms: reports,
    comparisons,
    sampleRatioP,
    recommendation: recommend(control, comparisons, sampleRatioP, reports),
  };
}

/** Relative lift, or NaN when the control's mean is 0 (no relative change to speak of). */
function relativeOrNaN(a: RunningMoments, b: RunningMoments, difference: Interval): Interval {
  if (a.mean === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  return relativeLift(a, b, difference);
}

const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)} %`;

function recommend(
  control: string,
  comparisons: readonly Comparison[],
  sampleRatioP: number,
  arms: readonly ArmReport[],
): string {
  if (sampleRatioP < SAMPLE_RATIO_ALPHA) {
    return `do not trust these numbers: the arms hold ${arms.map((a) => `${a.entities} entities`).join(' / ')} against declared shares ${arms.map((a) => `${Math.round(a.share * 100)} %`).join(' / ')} (sample ratio p = ${sampleRatioP.toExponential(1)}) — find what drops or duplicates decisions first`;
  }
  if (comparisons.length === 0) return 'keep running: every arm needs outcomes of 2 entities at least';
  const best = comparisons
    .map((c) => ({ c, interval: c.cuped?.difference ?? c.difference }))
    .sort((x, y) => y.interval.estimate - x.interval.estimate);
  const lift = (b: (typeof best)[number]) => {
    const d = b.interval;
    const r = b.c.relative;
    return `${b.c.arm} ${d.estimate >= 0 ? '+' : '−'}${Math.abs(d.estimate).toFixed(4)} per decision (interval ${d.low.toFixed(4)} to ${d.high.toFixed(4)}${Number.isNaN(r.estimate) ? '' : `; ${pct(r.estimate)} relative`})`;
  };
  const winner = best.find((b) => b.interval.low > 0);
  if (winner) return `ship ${winner.c.arm}: ${lift(winner)} over ${control}, significant at any look`;
  if (best.every((b) => b.interval.high < 0))
    return `keep ${control}: every other arm is worse — ${best.map(lift).join('; ')}; significant at any look`;
  return `keep running: no arm differs from ${control} yet — ${best.map(lift).join('; ')}; the intervals stay valid however often you look`;
}
