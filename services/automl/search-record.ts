// The search record a candidate carries (ModelVersion.search, JSON): enough to read the search
// back — leaderboard, front, choice and why, features dropped, the data it saw and how it was
// split — and to warm-start the next search from its best configurations.
import type { Rows, SplitFigures, TimeSplit } from '../lib/automl/dataset.js';
import type { SearchResult, TrialRecord } from '../lib/automl/search.js';
import type { TrialConfig } from '../lib/automl/space.js';

/** How many of a search's best configurations the next search tries first. */
export const WARM_START_CONFIGS = 3;

export interface TrialSummary {
  readonly trial: number;
  readonly family: string;
  readonly params: TrialConfig['params'];
  readonly rung: number;
  readonly trainRows: number;
  readonly metric: number | null;
  readonly sizeBytes: number;
  readonly p99Us: number;
  readonly seconds: number;
  readonly violations: readonly string[];
  readonly error: string | null;
}

export interface SearchRecordJson {
  readonly kind: 'search';
  readonly searchId: string;
  readonly at: number;
  readonly metric: string;
  readonly seconds: number;
  readonly evaluations: number;
  readonly train: { rows: number; fromTs: number | null; toTs: number | null };
  readonly validation: { rows: number; fromTs: number | null; toTs: number | null };
  /**
   * How the examples were split: by entity, so the two spans may overlap in time. Absent from
   * records written before the split kept entities whole.
   */
  readonly split?: SplitFigures;
  readonly chosenTrial: number | null;
  readonly why: string;
  readonly leaderboard: readonly TrialSummary[];
  readonly front: readonly number[];
  readonly droppedFeatures: readonly string[];
  readonly featureSteps: SearchResult['featureSteps'];
}

export function summarize(r: TrialRecord): TrialSummary {
  return {
    trial: r.trial,
    family: r.config.family,
    params: r.config.params,
    rung: r.rung,
    trainRows: r.trainRows,
    metric: Number.isFinite(r.metricValue) ? r.metricValue : null,
    sizeBytes: r.sizeBytes,
    p99Us: r.p99Us,
    seconds: r.seconds,
    violations: r.violations,
    error: r.error,
  };
}

const span = (rows: Rows) => ({
  rows: rows.xs.length,
  fromTs: rows.ts[0] ?? null,
  toTs: rows.ts[rows.ts.length - 1] ?? null,
});

export function searchRecord(searchId: string, at: number, result: SearchResult, split: TimeSplit): SearchRecordJson {
  return {
    kind: 'search',
    searchId,
    at,
    metric: result.metric,
    seconds: result.seconds,
    evaluations: result.evaluations.length,
    train: span(split.train),
    validation: span(split.validation),
    split: split.figures,
    chosenTrial: result.chosen?.trial ?? null,
    why: result.why,
    leaderboard: result.leaderboard.map(summarize),
    front: result.front.map((r) => r.trial),
    droppedFeatures: result.droppedFeatures,
    featureSteps: result.featureSteps,
  };
}

/** The best full-data configurations of an earlier search, best first; none when the record is unreadable. */
export function warmStartConfigs(json: string): TrialConfig[] {
  try {
    const record = JSON.parse(json) as Partial<SearchRecordJson>;
    const leaderboard = Array.isArray(record.leaderboard) ? record.leaderboard : [];
    const top = Math.max(0, ...leaderboard.map((t) => t.rung));
    return leaderboard
      .filter((t) => t.rung === top && t.metric !== null && t.violations.length === 0)
      .slice(0, WARM_START_CONFIGS)
      .map((t) => ({ family: t.family, params: t.params }));
  } catch {
    return [];
  }
}

/** What made a candidate: an AutoML search, or a scheduled retrain of the serving configuration. */
export function recordKind(json: string): 'search' | 'retrain' | 'unknown' {
  try {
    const kind = (JSON.parse(json) as { kind?: unknown }).kind;
    return kind === 'retrain' ? 'retrain' : kind === 'search' || kind === undefined ? 'search' : 'unknown';
  } catch {
    return 'unknown';
  }
}
