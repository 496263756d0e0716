// When the automl service searches for a blueprint: a first search once the blueprint has enough
// examples, again when the blueprint changes (a new version may change features or constraints),
// when the monitor raises a drift alert (the data moved away from what the model learned), and on
// its automl.schedule. Pure: the service supplies the clock and what it knows.
import type { Blueprint } from '../lib/schemas/generated.js';
import { searchableTaskOf } from '../lib/automl/searchable.js';

export interface SearchHistory {
  /** When the last search published, epoch ms; null when none has. */
  readonly lastSearchAt: number | null;
  /** The blueprint version the last search ran on. */
  readonly lastBlueprintVersion: number | null;
  /** No search before this time (after one that found too few examples, or failed). */
  readonly notBefore: number | null;
  /** The newest drift alert the monitor raised for the blueprint (feature_drift, prediction_drift, metric_drop). */
  readonly drift?: { readonly at: number; readonly message: string } | null;
}

/** The alert rules that say the data or the quality moved: each raise may start a search. */
export const DRIFT_RULES: readonly string[] = ['feature_drift', 'prediction_drift', 'metric_drop'];
/** At most one drift-triggered search in this long: a drift that persists is not news every tick. */
export const DRIFT_MIN_GAP_MS = 30 * 60 * 1000;

/** How long to wait after a search that could not run (too few examples, a failure). */
export const RETRY_AFTER_MS = 5 * 60 * 1000;

/** Why a search is due now, or null when it is not. */
export function dueReason(
  bp: Pick<Blueprint, 'version' | 'task' | 'decision' | 'automl'>,
  history: SearchHistory,
  now: number,
): string | null {
  if (!searchableTaskOf(bp).ok) return null;
  if (history.notBefore !== null && now < history.notBefore) return null;
  if (history.lastSearchAt === null) return 'first search for this blueprint';
  if (history.lastBlueprintVersion !== null && bp.version > history.lastBlueprintVersion)
    return `blueprint changed: version ${bp.version} after the search on version ${history.lastBlueprintVersion}`;
  const drift = history.drift ?? null;
  if (drift !== null && drift.at > history.lastSearchAt && now - history.lastSearchAt >= DRIFT_MIN_GAP_MS)
    return `drift alert ${formatAge(now - drift.at)} ago: ${drift.message}`;
  if (now - history.lastSearchAt >= bp.automl.scheduleMs)
    return `schedule: last search ${formatAge(now - history.lastSearchAt)} ago, automl.schedule is ${formatAge(bp.automl.scheduleMs)}`;
  return null;
}

function formatAge(ms: number): string {
  if (ms >= 3_600_000) return `${+(ms / 3_600_000).toFixed(1)}h`;
  if (ms >= 60_000) return `${+(ms / 60_000).toFixed(1)}m`;
  return `${+(ms / 1000).toFixed(1)}s`;
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
  return `training.retrain is ${formatAge(bp.training.retrainMs)}: ${lastRetrainAt === null ? 'no retrain since the blueprint was registered' : 'last retrain'} ${formatAge(now - since)} ago`;
}
