// The data of a search: a blueprint's examples in decision-time order, split by time so that every
// validation example was decided after every training example. A random split would leak the
// future into training (an entity's later behaviour explaining its earlier label) and flatter
// every trial alike, so the time split is what makes the leaderboard a forecast.

import type { FeatureValues } from '../feature-values.js';

export interface TimedExample {
  readonly decisionTs: number;
  readonly features: FeatureValues;
  readonly label: number;
  readonly weight: number;
}

export interface Rows {
  readonly xs: readonly FeatureValues[];
  readonly ys: readonly number[];
  readonly ws: readonly number[];
  /** Decision time of each row, oldest first. */
  readonly ts: readonly number[];
}

export interface TimeSplit {
  readonly train: Rows;
  readonly validation: Rows;
}

/** Held out by default: the newest fifth. */
export const DEFAULT_VALIDATION_SHARE = 0.2;

/**
 * Splits `examples` (any order) at a decision time: the newest `validationShare` (about) goes to
 * validation. Examples sharing the boundary's timestamp all go to validation, so no training row
 * is as new as a validation row. Throws when either side would be empty.
 */
export function splitByTime(examples: readonly TimedExample[], validationShare = DEFAULT_VALIDATION_SHARE): TimeSplit {
  if (!(validationShare > 0 && validationShare < 1))
    throw new RangeError(`validationShare must be in (0, 1), got ${validationShare}`);
  const sorted = [...examples].sort((a, b) => a.decisionTs - b.decisionTs);
  let cut = Math.floor(sorted.length * (1 - validationShare));
  const boundary = sorted[cut]?.decisionTs;
  while (cut > 0 && sorted[cut - 1]!.decisionTs === boundary) cut--;
  if (cut === 0 || cut >= sorted.length) {
    throw new RangeError(
      `${sorted.length} examples cannot be split by time into training and validation: need examples decided at two different times at least`,
    );
  }
  return { train: rowsOf(sorted.slice(0, cut)), validation: rowsOf(sorted.slice(cut)) };
}

/** Rows of time-ordered examples. */
export function rowsOf(examples: readonly TimedExample[]): Rows {
  return {
    xs: examples.map((e) => e.features),
    ys: examples.map((e) => e.label),
    ws: examples.map((e) => e.weight),
    ts: examples.map((e) => e.decisionTs),
  };
}

/** The newest `share` of time-ordered rows (at least one): what a trial at a smaller rung trains on. */
export function newestShare(rows: Rows, share: number): Rows {
  const n = rows.xs.length;
  const take = Math.max(1, Math.min(n, Math.round(n * share)));
  if (take === n) return rows;
  return {
    xs: rows.xs.slice(n - take),
    ys: rows.ys.slice(n - take),
    ws: rows.ws.slice(n - take),
    ts: rows.ts.slice(n - take),
  };
}

/** The one label every row has, or null when the rows hold two labels at least (or none). */
export function singleLabel(rows: Rows): number | null {
  const first = rows.ys[0];
  if (first === undefined) return null;
  return rows.ys.every((y) => y === first) ? first : null;
}
