// Side effects of decisions: a guardrail event (an unsubscribe, a complaint) counts against every
// decision about the same entity made within the guardrail's window before it. A decision's
// side effect is known once its window has closed; only then is it counted ("matured"), so a
// recent decision is never read as "no side effect" merely because its window is still open.
//
// A group (an experiment arm, a model lineage) is compared with its baseline at every monitor
// tick, as its decisions mature. The degradation claim — "its side effect per decision exceeds
// the baseline's" — is one-sided and always-valid (always-valid.ts): over all ticks together, a
// group no worse than its baseline is called degraded with probability at most
// VERDICT_ALPHA.guardrail (asymptotically).
import { RunningMoments, type ArmStats } from '../stats/moments.js';
import { normalQuantile } from '../stats/normal.js';
import {
  VERDICT_ALPHA,
  alwaysValidBounds,
  sequentialDesign,
  type Bounds,
  type SequentialDesign,
} from '../stats/always-valid.js';

/** Open decisions kept per entity; past this the oldest matures early (bounds memory for hot entities). */
export const MAX_OPEN_PER_ENTITY = 64;

interface Exposure {
  readonly ts: number;
  readonly groups: readonly string[];
  value: number;
  matured: boolean;
}

export class GuardrailWatch {
  private readonly open = new Map<string, Exposure[]>();
  /** Exposures in arrival order, for maturing; decisions arrive nearly in time order. */
  private readonly queue: Exposure[] = [];
  private head = 0;
  private readonly totals = new Map<string, RunningMoments>();

  constructor(readonly windowMs: number) {}

  /** A decision about `entity` at `ts`, counted in each of `groups` (e.g. its arm and its model version). */
  expose(entity: string, ts: number, groups: readonly string[]): void {
    const exposure: Exposure = { ts, groups, value: 0, matured: false };
    let list = this.open.get(entity);
    if (!list) this.open.set(entity, (list = []));
    list.push(exposure);
    if (list.length > MAX_OPEN_PER_ENTITY) this.settle(list.shift()!);
    this.queue.push(exposure);
  }

  /** A guardrail event about `entity` at `ts`; `value` is 1 for a count, or the summed field. */
  event(entity: string, ts: number, value: number): void {
    if (!Number.isFinite(value)) return;
    for (const e of this.open.get(entity) ?? []) {
      if (!e.matured && e.ts <= ts && ts <= e.ts + this.windowMs) e.value += value;
    }
  }

  /** Counts the decisions whose window closed before `now`. */
  mature(now: number): void {
    while (this.head < this.queue.length && this.queue[this.head]!.ts + this.windowMs < now) {
      this.settle(this.queue[this.head]!);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    for (const [entity, list] of this.open) {
      const left = list.filter((e) => !e.matured);
      if (left.length === 0) this.open.delete(entity);
      else if (left.length !== list.length) this.open.set(entity, left);
    }
  }

  private settle(e: Exposure): void {
    if (e.matured) return;
    e.matured = true;
    for (const g of e.groups) {
      let m = this.totals.get(g);
      if (!m) this.totals.set(g, (m = new RunningMoments()));
      m.add(e.value);
    }
  }

  /** Matured decisions per group: how many, and the mean side effect per decision. */
  groups(): ReadonlyMap<string, ArmStats> {
    return this.totals;
  }

  /** Decisions whose window is still open. */
  get pending(): number {
    return this.queue.length - this.head;
  }
}

/**
 * Decisions (in a group and its baseline together) at which the degradation boundary is narrowest.
 * A default, not the data's size: a boundary retuned at every tick is a repeated fixed-z test. At
 * 10,000 it lies 3.57 standard errors above the difference there, 4.20 at 1,000 and 4.05 at
 * 1,000,000 (2.58 for a single one-sided look at 0.5 %), so it suits groups from a few hundred
 * decisions to a few million.
 */
export const GUARDRAIL_TUNING_N = 10_000;

/**
 * How every guardrail comparison is judged: one-sided (only a rise is a degradation), at the α
 * the verdict budget gives guardrails, fixed before the first tick. A guardrail alert's `above`
 * (a relative rise) is its practical minimum on top of this claim, applied to the estimate.
 */
export const GUARDRAIL_DESIGN: SequentialDesign = sequentialDesign({
  alpha: VERDICT_ALPHA.guardrail,
  tuningN: GUARDRAIL_TUNING_N,
  minEffect: 0,
  sides: 'one-sided',
});

export interface GuardrailComparison {
  /** Mean side effect per decision and its 95 % one-look interval (floored at 0): a description of
   * the rate, which no verdict reads. */
  readonly rate: number;
  readonly low: number;
  readonly high: number;
  /** Relative change against the baseline (0.2 = 20 % more); null without a baseline or when its rate is 0. */
  readonly relative: number | null;
  /** Welch z of this look's difference against the baseline; null without one. Descriptive only:
   * compared with a fixed threshold at every tick it would raise false alerts far more often than
   * that threshold says. */
  readonly z: number | null;
  /** rate(group) − rate(baseline) per decision with its always-valid bounds under `GUARDRAIL_DESIGN`,
   * at n = decisions of both; `low` is the bound the degradation claim reads. Null without a baseline. */
  readonly difference: Bounds | null;
  /** The degradation claim: the group's rate exceeds its baseline's, `difference.low` > 0. */
  readonly degraded: boolean;
}

const Z95 = normalQuantile(0.975);

/** The bounds of `difference` with `standardError` after `n` decisions (group and baseline together). */
export function degradationBounds(
  difference: number,
  standardError: number,
  n: number,
  design: SequentialDesign = GUARDRAIL_DESIGN,
): Bounds {
  return alwaysValidBounds(difference, standardError, n, design);
}

/** Whether `bounds` claim a degradation under `design`: above 0 and above its minimum effect. */
export function isDegraded(bounds: Bounds | null, design: SequentialDesign = GUARDRAIL_DESIGN): boolean {
  return bounds !== null && bounds.low > Math.max(0, design.minEffect);
}

export function compareToBaseline(
  group: ArmStats,
  baseline: ArmStats | null,
  design: SequentialDesign = GUARDRAIL_DESIGN,
): GuardrailComparison {
  const se = group.n > 0 ? Math.sqrt(group.variance / group.n) : NaN;
  const base = { rate: group.mean, low: Math.max(0, group.mean - Z95 * se), high: group.mean + Z95 * se };
  if (baseline === null || baseline.n < 2 || group.n < 2)
    return { ...base, relative: null, z: null, difference: null, degraded: false };
  const seDiff = Math.sqrt(group.variance / group.n + baseline.variance / baseline.n);
  const diff = group.mean - baseline.mean;
  const z = seDiff > 0 ? diff / seDiff : diff === 0 ? 0 : Math.sign(diff) * Infinity;
  const difference = degradationBounds(diff, seDiff, group.n + baseline.n, design);
  return {
    ...base,
    relative: baseline.mean > 0 ? group.mean / baseline.mean - 1 : null,
    z,
    difference,
    degraded: isDegraded(difference, design),
  };
}

/** What the monitor publishes of one group on looper.metrics: its rate and its decisions. */
export interface PublishedRate {
  readonly rate: number;
  readonly decisions: number;
}

/**
 * The bounds `compareToBaseline` gave, rebuilt from what the monitor publishes (each group's rate
 * and decisions, and the look's z, from which the standard error is |difference| / |z|) — exact
 * up to the 3 decimals z is published with. Null when z is 0 or the two disagree in sign (no
 * standard error to recover; no degradation either).
 */
export function boundsFromPublished(
  group: PublishedRate,
  baseline: PublishedRate,
  z: number,
  design: SequentialDesign = GUARDRAIL_DESIGN,
): Bounds | null {
  const diff = group.rate - baseline.rate;
  const se = Number.isFinite(z) ? diff / z : 0;
  if (z === 0 || Number.isNaN(z) || !(se >= 0) || !Number.isFinite(se)) return null;
  return degradationBounds(diff, se, group.decisions + baseline.decisions, design);
}
