// Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel Hyperparameter
// Tuning", MLSys 2020) over a resource — here the share of the training rows a trial sees. Rung k
// trains on minResource·eta^k; a trial reported at a rung is promoted to the next one as soon as it
// ranks in the top 1/eta of the trials reported there so far, without waiting for a rung to fill.
//
// The end rule. Once every new trial is spent, the asynchronous rule can leave the best trials
// stranded below the top rung (a rung with fewer than eta reports promotes nobody). So, when every
// handed-out job has been reported, no trial succeeded at the top rung yet and no promotion is
// possible under the rule, the best not-yet-promoted trial of the highest rung below the top that
// has one is promoted; repeated, this carries one trial to maxResource (and, should it fail there,
// the next best). A search therefore always ends — each (trial, rung) runs at most once — and ends
// with a trial evaluated on all the rows, unless every trial failed on the way.
//
// A failed evaluation (NaN or -Infinity) counts as worst and is never promoted: the same
// configuration would fail again on more rows.

import { ConfigError, LooperError } from '../errors.js';

export interface AshaOptions {
  /** Resource of the first rung, > 0. */
  minResource: number;
  /** Resource of the top rung, ≥ minResource. */
  maxResource: number;
  /** Reduction factor: each rung keeps the top 1/eta and gives it eta times the resource. Default 3. */
  eta?: number;
  /** New configurations, at most. */
  maxTrials: number;
}

/** One evaluation to run: `trial` (numbered from 0 in the order started) on `resource`. */
export interface AshaJob {
  trial: number;
  rung: number;
  resource: number;
  kind: 'new' | 'promotion';
}

export const ASHA_DEFAULTS = { eta: 3 } as const;

/** A rung this close (relatively) to maxResource is maxResource: min·eta^k may miss it by rounding. */
const RESOURCE_TOLERANCE = 1e-9;

interface Report {
  readonly trial: number;
  /** Larger is better; a failure is -Infinity. */
  readonly value: number;
}

export class Asha {
  /** minResource·eta^k up to and including maxResource; the last rung is exactly maxResource. */
  readonly rungResources: readonly number[];
  private readonly eta: number;
  private readonly maxTrials: number;
  private started = 0;
  /** Per rung, the reports in the order they came. */
  private readonly reports: Report[][];
  /** Per rung, the trials promoted out of it. */
  private readonly promoted: Set<number>[];
  /** Jobs handed out and not yet reported, as `trial@rung`. */
  private readonly waiting = new Set<string>();

  constructor(options: AshaOptions) {
    const { minResource, maxResource, maxTrials } = options;
    const eta = options.eta ?? ASHA_DEFAULTS.eta;
    const problems: string[] = [];
    if (!(Number.isFinite(minResource) && minResource > 0))
      problems.push(`asha minResource must be a number > 0, got ${minResource}`);
    if (!(Number.isFinite(maxResource) && maxResource >= minResource))
      problems.push(`asha maxResource must be a number ≥ minResource (${minResource}), got ${maxResource}`);
    if (!(Number.isFinite(eta) && eta > 1)) problems.push(`asha eta must be a number > 1, got ${eta}: try 3`);
    if (!(Number.isInteger(maxTrials) && maxTrials >= 1))
      problems.push(`asha maxTrials must be an integer ≥ 1, got ${maxTrials}`);
    if (problems.length > 0) throw new ConfigError(problems);
    const resources: number[] = [];
    for (let k = 0; minResource * eta ** k < maxResource * (1 - RESOURCE_TOLERANCE); k++)
      resources.push(minResource * eta ** k);
    resources.push(maxResource);
    this.rungResources = resources;
    this.eta = eta;
    this.maxTrials = maxTrials;
    this.reports = resources.map(() => []);
    this.promoted = resources.map(() => new Set<number>());
  }

  /**
   * The next job: a promotion when some rung has a trial in its top 1/eta not yet promoted (highest
   * rung first); else a new trial at rung 0 while maxTrials allows; else the end rule's promotion;
   * else null — search over when `done`, otherwise waiting on reports not yet in.
   */
  next(): AshaJob | null {
    const promotion = this.rulePromotion();
    if (promotion !== null) return this.promote(promotion.trial, promotion.rung);
    if (this.started < this.maxTrials) {
      const trial = this.started++;
      this.waiting.add(`${trial}@0`);
      return { trial, rung: 0, resource: this.rungResources[0]!, kind: 'new' };
    }
    const last = this.endPromotion();
    return last === null ? null : this.promote(last.trial, last.rung);
  }

  /** Records the value of a job handed out by next(); larger is better, NaN (or -Infinity) a failure. */
  report(trial: number, rung: number, value: number): void {
    if (!this.waiting.delete(`${trial}@${rung}`)) {
      throw new LooperError(
        'asha_unexpected_report',
        `asha: no job of trial ${trial} at rung ${rung} is waiting for a report (report each job of next() once)`,
      );
    }
    this.reports[rung]!.push({ trial, value: Number.isNaN(value) ? -Infinity : value });
  }

  /** Trials reported at the top rung, with their values, best first (failures last as -Infinity). */
  finished(): Array<{ trial: number; value: number }> {
    return this.ranked(this.rungResources.length - 1).map(({ trial, value }) => ({ trial, value }));
  }

  /** True when no job will ever be given again: maxTrials used, nothing waiting, no promotion possible. */
  get done(): boolean {
    return (
      this.started >= this.maxTrials &&
      this.waiting.size === 0 &&
      this.rulePromotion() === null &&
      this.endPromotion() === null
    );
  }

  private promote(trial: number, from: number): AshaJob {
    this.promoted[from]!.add(trial);
    this.waiting.add(`${trial}@${from + 1}`);
    return { trial, rung: from + 1, resource: this.rungResources[from + 1]!, kind: 'promotion' };
  }

  /** A rung's reports best first; ties keep the report order. */
  private ranked(rung: number): Report[] {
    return [...this.reports[rung]!].sort((a, b) => b.value - a.value || 0);
  }

  /** The first promotable trial under the asynchronous rule: rank < floor(reported / eta), highest rung first. */
  private rulePromotion(): { trial: number; rung: number } | null {
    for (let rung = this.rungResources.length - 2; rung >= 0; rung--) {
      const ranked = this.ranked(rung);
      const quota = Math.floor(ranked.length / this.eta);
      const pick = ranked.slice(0, quota).find((r) => r.value > -Infinity && !this.promoted[rung]!.has(r.trial));
      if (pick !== undefined) return { trial: pick.trial, rung };
    }
    return null;
  }

  /** The end rule (see the header): only once new trials are spent, nothing is waiting and no trial succeeded at the top. */
  private endPromotion(): { trial: number; rung: number } | null {
    const top = this.rungResources.length - 1;
    if (this.started < this.maxTrials || this.waiting.size > 0 || this.reports[top]!.some((r) => r.value > -Infinity))
      return null;
    for (let rung = top - 1; rung >= 0; rung--) {
      const pick = this.ranked(rung).find((r) => r.value > -Infinity && !this.promoted[rung]!.has(r.trial));
      if (pick !== undefined) return { trial: pick.trial, rung };
    }
    return null;
  }
}
