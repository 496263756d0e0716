// Side effects of decisions: a guardrail event (an unsubscribe, a complaint) counts against every
// decision about the same entity made within the guardrail's window before it. A decision's
// side effect is known once its window has closed; only then is it counted ("matured"), so a
// recent decision is never read as "no side effect" merely because its window is still open.
import { RunningMoments, type ArmStats } from '../stats/moments.js';
import { normalQuantile } from '../stats/normal.js';

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

export interface GuardrailComparison {
  /** Mean side effect per decision and its 95 % interval (floored at 0). */
  readonly rate: number;
  readonly low: number;
  readonly high: number;
  /** Relative change against the baseline (0.2 = 20 % more); null without a baseline or when its rate is 0. */
  readonly relative: number | null;
  /** Welch z of the difference against the baseline; null without one. */
  readonly z: number | null;
}

const Z95 = normalQuantile(0.975);

export function compareToBaseline(group: ArmStats, baseline: ArmStats | null): GuardrailComparison {
  const se = group.n > 0 ? Math.sqrt(group.variance / group.n) : NaN;
  const base = { rate: group.mean, low: Math.max(0, group.mean - Z95 * se), high: group.mean + Z95 * se };
  if (baseline === null || baseline.n < 2 || group.n < 2) return { ...base, relative: null, z: null };
  const seDiff = Math.sqrt(group.variance / group.n + baseline.variance / baseline.n);
  const diff = group.mean - baseline.mean;
  const z = seDiff > 0 ? diff / seDiff : diff === 0 ? 0 : Math.sign(diff) * Infinity;
  return { ...base, relative: baseline.mean > 0 ? group.mean / baseline.mean - 1 : null, z };
}

/** One-sided 1 %: how far a group's side effect must stand above its baseline's to be called a degradation. */
export const DEGRADATION_Z = normalQuantile(0.99);
