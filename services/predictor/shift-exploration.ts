// Exploration rises while a shift is suspected: from the moment the monitor raises a quality_shift
// alert for a blueprint (its loss or reward moved while its features did not) until it clears it
// (its detector has a reference taken after the change), the predictor explores with the
// blueprint's decision.explore_on_shift instead of decision.explore. A changed world is learned
// only from the outcomes of actions taken in it: the model, shown less of what it no longer does
// well, relearns sooner, and the verdicts on its next versions rest on more explored decisions.
// The propensity logged is that of the share applied (decide/policy.ts), so the inverse-propensity
// weights of training and of every verdict stay right across the switch.
//
// Pure: the predictor's service shell feeds `observe` from looper.alerts (main.ts), and the decide
// path asks `suspected`, one Map lookup of a number — no allocation per request.
import type { Alert, BlueprintDecision } from '../lib/schemas/generated.js';
import { QUALITY_SHIFT_RULE } from '../lib/monitoring/quality-shift.js';
import { exploreOnShiftOf } from '../lib/blueprint/compile-decision.js';

/** What the decide path asks of the alerts followed. */
export interface ShiftSuspicion {
  /** True while some quality_shift alert of the blueprint is raised and not cleared. */
  suspected(blueprint: string): boolean;
}

/** The explore share a decision applies: explore_on_shift while a shift is suspected, else explore. */
export function exploreShare(
  decision: Pick<BlueprintDecision, 'explore' | 'exploreOnShift'>,
  shiftSuspected: boolean,
): number {
  return shiftSuspected ? exploreOnShiftOf(decision) : decision.explore;
}

/**
 * The quality_shift alerts open per blueprint, from the records of looper.alerts in their order
 * (one key per blueprint and rule, so one partition holds them in order). The monitor raises one
 * per serving lineage — the live model's, a canary's, a shadow's — and each tells the same story
 * of the world the blueprint decides in, so any open one raises the blueprint's exploration. A
 * record read twice (at-least-once delivery) or a clear of an alert never seen changes nothing.
 */
export class ShiftAlerts implements ShiftSuspicion {
  private readonly open = new Map<string, Set<string>>();
  /** How many are open per blueprint: the number the decide path reads. */
  private readonly counts = new Map<string, number>();

  /** Follows one alert record; true when it changed whether a shift is suspected for its blueprint. */
  observe(alert: Pick<Alert, 'alertId' | 'blueprint' | 'rule' | 'state'>): boolean {
    if (alert.rule !== QUALITY_SHIFT_RULE) return false;
    const was = this.suspected(alert.blueprint);
    let ids = this.open.get(alert.blueprint);
    if (alert.state === 'raised') {
      if (ids === undefined) this.open.set(alert.blueprint, (ids = new Set()));
      ids.add(alert.alertId);
    } else {
      ids?.delete(alert.alertId);
      if (ids?.size === 0) this.open.delete(alert.blueprint);
    }
    const count = this.open.get(alert.blueprint)?.size ?? 0;
    if (count === 0) this.counts.delete(alert.blueprint);
    else this.counts.set(alert.blueprint, count);
    return this.suspected(alert.blueprint) !== was;
  }

  suspected(blueprint: string): boolean {
    return (this.counts.get(blueprint) ?? 0) > 0;
  }

  /** The blueprints with a shift suspected, for the service's log. */
  blueprints(): string[] {
    return [...this.counts.keys()];
  }
}
