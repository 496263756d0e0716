// When the automl service searches for a blueprint: a first search once the blueprint has
// MIN_EXAMPLES examples that teach its score, again when the blueprint changes (a new version may
// change features or constraints), when the monitor raises a drift or quality-shift alert (the
// data moved away from what the model learned), and on its automl.schedule; and when it retrains
// the serving configuration: every training.retrain, and on a quality-shift alert from the
// examples since the shift. Pure: the service supplies the clock, the examples it has counted and
// what earlier attempts left (retry.ts).
import type { Alert, Blueprint } from '../lib/schemas/generated.js';
import { searchableTaskOf } from '../lib/automl/searchable.js';
import { durationText, spanText } from '../lib/duration-text.js';
import { MIN_EXAMPLES } from './enough-examples.js';

/** An alert that may start a search or a retrain, as the service remembers it. */
export interface AlertSeen {
  readonly rule: string;
  /** When the monitor raised it, epoch ms. */
  readonly at: number;
  readonly message: string;
  /** Where the monitor places the change, epoch ms (the alert's `changeAt` label); null when it does not say. */
  readonly changeAt: number | null;
}

/**
 * A search refused because the examples it replayed were too few: none on the same examples
 * (`sinceTs`) until the service has counted `until` examples, the count when it was refused plus
 * the shortfall. Every example that arrives after the refusal is in its window, so the window
 * holds enough exactly then.
 */
export interface ShortOfExamples {
  /** The refused search's window: replayed from this time, epoch ms; null: all retained. */
  readonly sinceTs: number | null;
  readonly until: number;
}

/** What the service keeps between checks about a blueprint's searches (retry.ts updates it after each attempt). */
export interface SearchState {
  /** When the last search published, epoch ms; null when none has. */
  readonly lastSearchAt: number | null;
  /** The blueprint version the last search ran on. */
  readonly lastBlueprintVersion: number | null;
  /** No search before this time (after one that failed, or was refused for anything but too few examples). */
  readonly notBefore: number | null;
  /**
   * When the last search an alert started finished, epoch ms; null when none has since the service
   * started. Only these count toward ALERT_MIN_GAP_MS: a scheduled search says nothing about how
   * often alerts may act.
   */
  readonly lastAlertSearchAt?: number | null;
  /** After a search refused for too few examples; null or absent otherwise. */
  readonly short?: ShortOfExamples | null;
}

export interface SearchHistory extends SearchState {
  /**
   * The examples a search of the blueprint would learn from (countsForSearch) that the service has
   * counted on looper.examples: every retained one once it has caught up.
   */
  readonly examples: number;
  /** The newest drift alert the monitor raised for the blueprint (DRIFT_RULES). */
  readonly drift?: AlertSeen | null;
  /** The newest quality_shift alert the monitor raised for the blueprint. */
  readonly shift?: AlertSeen | null;
}

/** The alert rules that say the features or the quality moved: each raise may start a search on all retained examples. */
export const DRIFT_RULES: readonly string[] = ['feature_drift', 'prediction_drift', 'metric_drop'];
/**
 * The alert rule that says outcomes moved while the features kept their meaning: what the model
 * learned from older examples no longer holds, so it starts a retrain and a search on recent ones.
 */
export const QUALITY_SHIFT_RULE = 'quality_shift';
/** At most one alert-started search, and one shift-started retrain, in this long: an alert that persists is not news every tick. */
export const ALERT_MIN_GAP_MS = 30 * 60 * 1000;

/** What a raised alert may start: a drift search, or a quality-shift retrain and search; null for any other record. */
export function alertTrigger(
  alert: Pick<Alert, 'rule' | 'state' | 'ts' | 'message' | 'labels'>,
): { readonly kind: 'drift' | 'shift'; readonly alert: AlertSeen } | null {
  if (alert.state !== 'raised') return null;
  const kind = DRIFT_RULES.includes(alert.rule) ? 'drift' : alert.rule === QUALITY_SHIFT_RULE ? 'shift' : null;
  if (kind === null) return null;
  const label = alert.labels['changeAt'];
  // A change point after the alert itself cannot be right: the alert's own time bounds it.
  const changeAt = label !== undefined && /^\d+$/.test(label) ? Math.min(Number(label), alert.ts) : null;
  return { kind, alert: { rule: alert.rule, at: alert.ts, message: alert.message, changeAt } };
}

/**
 * Where the examples a shift-started retrain or search replays begin: the change point when the
 * monitor gives one, else the alert. Older examples were labelled by the world before the shift,
 * and would teach the model what it has to forget.
 */
export function shiftWindowStart(shift: AlertSeen): number {
  return shift.changeAt ?? shift.at;
}

function shiftWindowText(shift: AlertSeen, now: number): string {
  return shift.changeAt === null
    ? `the examples recorded since the alert`
    : `the examples recorded since its change point ${spanText(now - shift.changeAt)} ago`;
}

export interface DueSearch {
  readonly reason: string;
  /** An alert started it: it counts toward ALERT_MIN_GAP_MS. */
  readonly byAlert: boolean;
  /** Replay only the examples recorded since this time, epoch ms; null: all retained. */
  readonly sinceTs: number | null;
}

/**
 * Whether a search is due now, why, and on which examples; null when it is not. The triggers in
 * order of precedence; one whose examples were too few at its last attempt gives way to the next.
 */
export function dueSearch(
  bp: Pick<Blueprint, 'version' | 'task' | 'decision' | 'automl'>,
  history: SearchHistory,
  now: number,
): DueSearch | null {
  if (!searchableTaskOf(bp).ok) return null;
  if (history.notBefore !== null && now < history.notBefore) return null;
  const short = history.short ?? null;
  const enough = (due: DueSearch) => short === null || due.sinceTs !== short.sinceTs || history.examples >= short.until;
  return triggered(bp, history, now).find(enough) ?? null;
}

function triggered(
  bp: Pick<Blueprint, 'version' | 'automl'>,
  history: SearchHistory,
  now: number,
): readonly DueSearch[] {
  const plain = (reason: string): DueSearch => ({ reason, byAlert: false, sinceTs: null });
  const lastSearchAt = history.lastSearchAt;
  // Before MIN_EXAMPLES a search could only be refused: waiting for the count costs no replay.
  if (lastSearchAt === null)
    return history.examples < MIN_EXAMPLES
      ? []
      : [
          plain(
            `first search for this blueprint: ${history.examples} examples teach its score, a search needs ${MIN_EXAMPLES}`,
          ),
        ];
  const due: DueSearch[] = [];
  if (history.lastBlueprintVersion !== null && bp.version > history.lastBlueprintVersion)
    due.push(
      plain(`blueprint changed: version ${bp.version} after the search on version ${history.lastBlueprintVersion}`),
    );
  const lastAlertSearchAt = history.lastAlertSearchAt ?? null;
  const alertMayAct = lastAlertSearchAt === null || now - lastAlertSearchAt >= ALERT_MIN_GAP_MS;
  // An alert is answered by any search after it: that search saw the data the alert was about.
  const unanswered = (a: AlertSeen | null | undefined): a is AlertSeen =>
    a !== null && a !== undefined && a.at > lastSearchAt;
  if (alertMayAct && unanswered(history.shift))
    due.push({
      reason: `${QUALITY_SHIFT_RULE} alert ${spanText(now - history.shift.at)} ago: ${history.shift.message}; searching on ${shiftWindowText(history.shift, now)}`,
      byAlert: true,
      sinceTs: shiftWindowStart(history.shift),
    });
  if (alertMayAct && unanswered(history.drift))
    due.push({
      reason: `drift alert ${spanText(now - history.drift.at)} ago: ${history.drift.message}`,
      byAlert: true,
      sinceTs: null,
    });
  if (now - lastSearchAt >= bp.automl.scheduleMs)
    due.push(
      plain(
        `schedule: last search ${spanText(now - lastSearchAt)} ago, automl.schedule is ${durationText(bp.automl.scheduleMs)}`,
      ),
    );
  return due;
}

/** Why a search is due now, or null when it is not (dueSearch without the window). */
export function dueReason(
  bp: Pick<Blueprint, 'version' | 'task' | 'decision' | 'automl'>,
  history: SearchHistory,
  now: number,
): string | null {
  return dueSearch(bp, history, now)?.reason ?? null;
}

/** Why a scheduled full retrain is due now (training.retrain), or null. */
export function retrainDueReason(
  bp: Pick<Blueprint, 'task' | 'decision' | 'training' | 'registeredAt'>,
  lastRetrainAt: number | null,
  notBefore: number | null,
  now: number,
): string | null {
  if (!searchableTaskOf(bp).ok) return null;
  if (notBefore !== null && now < notBefore) return null;
  const since = lastRetrainAt ?? bp.registeredAt;
  if (now - since < bp.training.retrainMs) return null;
  return `training.retrain is ${durationText(bp.training.retrainMs)}: ${lastRetrainAt === null ? 'no retrain since the blueprint was registered' : 'last retrain'} ${spanText(now - since)} ago`;
}

export interface ShiftRetrainState {
  /** When the last shift-started retrain published, epoch ms; null when none has since the service started. */
  readonly lastShiftRetrainAt: number | null;
  /** No retrain before this time (after one that could not run). */
  readonly notBefore: number | null;
}

/**
 * Whether a quality_shift alert calls for a retrain of the serving configuration now, why, and
 * from when its examples are replayed; null when not. Whatever training.retrain says: a shift
 * does not wait for the schedule, but one retrain answers it, and ALERT_MIN_GAP_MS spaces them.
 */
export function shiftRetrainDue(
  bp: Pick<Blueprint, 'task' | 'decision'>,
  state: ShiftRetrainState,
  shift: AlertSeen | null,
  now: number,
): { readonly reason: string; readonly sinceTs: number } | null {
  if (shift === null || !searchableTaskOf(bp).ok) return null;
  if (state.notBefore !== null && now < state.notBefore) return null;
  const last = state.lastShiftRetrainAt;
  if (last !== null && (shift.at <= last || now - last < ALERT_MIN_GAP_MS)) return null;
  return {
    reason: `${QUALITY_SHIFT_RULE} alert ${spanText(now - shift.at)} ago: ${shift.message}; retraining on ${shiftWindowText(shift, now)}`,
    sinceTs: shiftWindowStart(shift),
  };
}
