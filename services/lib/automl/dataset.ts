// The data of a search: a blueprint's examples in decision-time order, split so that validation
// holds the entities seen latest and no entity is on both sides. A random split would leak the
// future into training and flatter every trial alike; a plain time split still leaks an entity
// that straddles the cut — its earlier rows (or the same row sent again) explain its later labels,
// so a model that memorised the entity scores as if it generalised (an rmse of 0 on a blueprint
// whose callers repeat their rows). Whole entities, assigned by when each was first seen, keep the
// leaderboard a forecast for entities the model has not met.

import type { FeatureValues } from '../feature-values.js';
import { LooperError } from '../errors.js';

export interface TimedExample {
  readonly decisionTs: number;
  /** What the decision was about (Example.entity): all of an entity's examples go to one side. */
  readonly entity: string;
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

export interface SideFigures {
  readonly entities: number;
  readonly examples: number;
}

export interface CrossingFigures extends SideFigures {
  /** Of those entities' examples, the ones a plain time split would have put on the other side. */
  readonly moved: number;
}

export interface SplitFigures {
  readonly examples: number;
  readonly entities: number;
  readonly validationShare: number;
  /** Where a plain time split would cut: the examples decided from then on would validate. */
  readonly timeCutTs: number;
  /**
   * Entities first seen from then on validate. Equal to timeCutTs unless entities straddling the
   * time cut went to training and left validation short of its share: then earlier.
   */
  readonly entityCutTs: number;
  readonly train: SideFigures;
  readonly validation: SideFigures;
  /** Entities with examples on both sides of timeCutTs (a plain time split would have leaked them), by where they went. */
  readonly crossed: { readonly toTrain: CrossingFigures; readonly toValidation: CrossingFigures };
  /** The entity with the most examples: a few entities holding most examples make a split lopsided. */
  readonly largestEntity: { readonly entity: string; readonly examples: number };
}

export interface TimeSplit {
  readonly train: Rows;
  readonly validation: Rows;
  readonly figures: SplitFigures;
}

/** The examples cannot be split into training and validation; the message says why and what to do. */
export class SplitError extends LooperError {
  constructor(message: string) {
    super('automl_split', message);
    this.name = 'SplitError';
  }
}

/** Held out by default: the newest fifth. */
export const DEFAULT_VALIDATION_SHARE = 0.2;

interface EntityTally {
  firstTs: number;
  examples: number;
  /** Examples decided before the plain time cut. */
  beforeCut: number;
}

/**
 * Splits `examples` (any order) by entity, in time: the entities first seen latest validate, taken
 * newest first until they hold the newest `validationShare` of the examples (about), and every
 * other entity trains — with all of its examples, including those decided after the cut. Entities
 * first seen at the same time go to the same side. When no entity has examples on both sides of
 * the plain time cut, the result is the plain time split: the examples decided from the cut on
 * validate. The earliest-seen entities always train, so validation may hold less than its share
 * when they hold most examples (figures.validation says how much).
 *
 * Throws SplitError when there is one entity, one decision time, or all entities were first seen
 * at one time: then no split keeps every entity on one side.
 */
export function splitByTime(examples: readonly TimedExample[], validationShare = DEFAULT_VALIDATION_SHARE): TimeSplit {
  if (!(validationShare > 0 && validationShare < 1))
    throw new RangeError(`validationShare must be in (0, 1), got ${validationShare}`);
  const sorted = [...examples].sort((a, b) => a.decisionTs - b.decisionTs);
  const n = sorted.length;
  const tallies = new Map<string, EntityTally>();
  for (const e of sorted) {
    const tally = tallies.get(e.entity);
    if (tally === undefined) tallies.set(e.entity, { firstTs: e.decisionTs, examples: 1, beforeCut: 0 });
    else tally.examples++;
  }
  const largestEntity = largest(tallies);
  if (tallies.size === 1) {
    throw new SplitError(
      `all ${n} examples are about one entity (${largestEntity.entity}), and an entity's examples stay on one side of the split, so none is left to validate on: ` +
        'check that callers send the entity each decision is about (not a constant), and let decisions about more entities arrive',
    );
  }

  // The plain time split: the reference the entity split departs from only where entities straddle it.
  let timeCut = Math.floor(n * (1 - validationShare));
  const timeCutTs = sorted[timeCut]?.decisionTs;
  while (timeCut > 0 && sorted[timeCut - 1]!.decisionTs === timeCutTs) timeCut--;
  if (timeCutTs === undefined || timeCut === 0) {
    throw new SplitError(
      `${n} examples cannot be split by time into training and validation: need examples decided at two different times at least`,
    );
  }
  for (let i = 0; i < timeCut; i++) tallies.get(sorted[i]!.entity)!.beforeCut++;

  // Whole entities, newest arrival first, until validation holds what the time split would hold
  // before its ties: with no entity straddling the cut this stops exactly at the cut.
  const target = n - Math.floor(n * (1 - validationShare));
  const arrivals = [...tallies.entries()].sort((a, b) => b[1].firstTs - a[1].firstTs);
  let taken = 0;
  let held = 0;
  let entityCutTs = Number.NaN;
  while (taken < arrivals.length && held < target) {
    const ts = arrivals[taken]![1].firstTs;
    let next = taken;
    let adds = 0;
    while (next < arrivals.length && arrivals[next]![1].firstTs === ts) adds += arrivals[next++]![1].examples;
    // The earliest-seen entities always train: without them there is no training side.
    if (next === arrivals.length) break;
    taken = next;
    held += adds;
    entityCutTs = ts;
  }
  if (taken === 0) {
    throw new SplitError(
      `all ${tallies.size} entities of the ${n} examples were first seen at ${new Date(arrivals[0]![1].firstTs).toISOString()}, and an entity's examples stay on one side of the split, so they would all land on one side: ` +
        'let decisions about entities not seen before arrive',
    );
  }

  const validating = new Set(arrivals.slice(0, taken).map(([entity]) => entity));
  const trainExamples = sorted.filter((e) => !validating.has(e.entity));
  const validationExamples = sorted.filter((e) => validating.has(e.entity));
  const toTrain = { entities: 0, examples: 0, moved: 0 };
  const toValidation = { entities: 0, examples: 0, moved: 0 };
  for (const [entity, tally] of tallies) {
    const afterCut = tally.examples - tally.beforeCut;
    if (tally.beforeCut === 0 || afterCut === 0) continue;
    const side = validating.has(entity) ? toValidation : toTrain;
    side.entities++;
    side.examples += tally.examples;
    side.moved += validating.has(entity) ? tally.beforeCut : afterCut;
  }
  return {
    train: rowsOf(trainExamples),
    validation: rowsOf(validationExamples),
    figures: {
      examples: n,
      entities: tallies.size,
      validationShare,
      timeCutTs,
      entityCutTs,
      train: { entities: tallies.size - validating.size, examples: trainExamples.length },
      validation: { entities: validating.size, examples: validationExamples.length },
      crossed: { toTrain, toValidation },
      largestEntity,
    },
  };
}

function largest(tallies: ReadonlyMap<string, EntityTally>): { entity: string; examples: number } {
  let best = { entity: '', examples: 0 };
  for (const [entity, tally] of tallies)
    if (tally.examples > best.examples) best = { entity, examples: tally.examples };
  return best;
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
