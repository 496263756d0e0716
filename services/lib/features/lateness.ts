// How a stream feature's events arrived against their partition's event time, counted per
// aggregation and then per blueprint feature. An event behind the partition's newest event time
// is late; within the feature's lateness it still counts (late_applied), beyond it, or already out
// of the window, it does not (late_dropped). Dropped events used to vanish with only a total in a
// log line: counting them per feature is what lets a too-small lateness, or a producer whose
// events lag, be noticed. Pure: the features service feeds it, and publishes what it returns.
import type { ApplyResult } from './aggregator.js';
import type { FeatureStreamPlan } from './registry.js';

/** How an event arrived: in_order (not behind its partition's newest event time), late_applied, late_dropped. */
export const ARRIVALS = ['in_order', 'late_applied', 'late_dropped'] as const;
export type Arrival = (typeof ARRIVALS)[number];

/**
 * How an event that applyEvent judged had arrived: `newestBeforeTs` is the newest event time of
 * its partition before it (the watermark before the event moved it). null for an ignored event:
 * its value could not be aggregated, which is a dead letter, not lateness.
 */
export function arrivalOf(result: ApplyResult, eventTs: number, newestBeforeTs: number): Arrival | null {
  switch (result) {
    case 'late':
      return 'late_dropped';
    case 'ignored':
      return null;
    case 'applied':
      return eventTs < newestBeforeTs ? 'late_applied' : 'in_order';
  }
}

export interface ArrivalCounts {
  inOrder: number;
  lateApplied: number;
  lateDropped: number;
}

export const noArrivals = (): ArrivalCounts => ({ inOrder: 0, lateApplied: 0, lateDropped: 0 });

/** Events judged: every arrival. */
export const judged = (c: ArrivalCounts): number => c.inOrder + c.lateApplied + c.lateDropped;

/** Arrival counts by spec id. */
export class ArrivalTally {
  private counts = new Map<string, ArrivalCounts>();

  add(specId: string, arrival: Arrival, n = 1): void {
    let c = this.counts.get(specId);
    if (c === undefined) this.counts.set(specId, (c = noArrivals()));
    if (arrival === 'in_order') c.inOrder += n;
    else if (arrival === 'late_applied') c.lateApplied += n;
    else c.lateDropped += n;
  }

  /** Adds every count of `other` (e.g. a committed batch's) to this tally. */
  merge(other: ArrivalTally): void {
    for (const [specId, c] of other.counts) {
      this.add(specId, 'in_order', c.inOrder);
      this.add(specId, 'late_applied', c.lateApplied);
      this.add(specId, 'late_dropped', c.lateDropped);
    }
  }

  /** The counts by spec id (live: copy before keeping). */
  get bySpec(): ReadonlyMap<string, Readonly<ArrivalCounts>> {
    return this.counts;
  }

  /** The counts so far, leaving the tally empty. */
  take(): Map<string, ArrivalCounts> {
    const taken = this.counts;
    this.counts = new Map();
    return taken;
  }
}

/** One blueprint feature's arrivals: the counts of the aggregation that computes it. */
export interface FeatureArrivals {
  readonly blueprint: string;
  readonly feature: string;
  readonly topic: string;
  readonly latenessMs: number;
  readonly counts: Readonly<ArrivalCounts>;
}

/**
 * Per blueprint feature, in plan order (blueprints by name, features as declared), the counts of
 * its spec; an aggregation shared by several features counts for each. Features whose spec has no
 * counts are left out.
 */
export function featureArrivals(
  plan: FeatureStreamPlan,
  bySpec: ReadonlyMap<string, Readonly<ArrivalCounts>>,
): FeatureArrivals[] {
  const features: FeatureArrivals[] = [];
  for (const [blueprint, refs] of plan.blueprints) {
    for (const ref of refs) {
      const counts = bySpec.get(ref.specId);
      const spec = plan.specs.get(ref.specId);
      if (counts === undefined || spec === undefined) continue;
      features.push({ blueprint, feature: ref.feature, topic: spec.topic, latenessMs: spec.latenessMs, counts });
    }
  }
  return features;
}
