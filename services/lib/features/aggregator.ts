// The state machine of one stream feature for one entity: create a state, apply events to it IN
// PLACE (applyEvent mutates; featureValue does not), read its value as of a time. Pure: time always
// comes in as arguments.
//
// Semantics (state.ts explains the buckets):
// - count, sum, mean, min, max, distinct and a windowed ewma keep time buckets; as of `now` they
//   read the buckets with start + w > now - W. Values are exact when now - W is a bucket boundary;
//   otherwise the oldest bucket counts whole, so an event counts for at least W and less than
//   W + w. Events stamped after `now` count as if at now.
// - distinct keeps the exact set of values per bucket, at most DISTINCT_CAP (1000) values in all
//   (the most recently seen): it reads min(true distinct count, DISTINCT_CAP).
// - last and last_n keep exact event times: with a window they read the events with ts > now - W.
// - ewma is the mean of the values weighted by 2^(-age/h) (h = half-life, age relative to the
//   newest event): it does not drift without new events, since all weights decay alike; a
//   windowed ewma covers only the window's buckets and is null once the window is empty.
// - Empty: count and sum 0; mean, min, max, last and ewma null; last_n [].
//
// Lateness: with horizon = max(watermarkTs, the newest event time in this state), an event is
// 'late' (not applied) when eventTs < horizon - latenessMs, or when it would already be out of
// the window as of the horizon (its bucket ended at or before horizon - W; for last and last_n,
// eventTs <= horizon - W). Taking the state's own newest time into the horizon keeps a caller
// that restarts with a lower watermark from reopening closed buckets.
import type { FeatureScalar, FeatureValue } from '../feature-values.js';
import { FeatureStateMismatchError } from './errors.js';
import {
  bucketStart,
  bucketWidthMs,
  checkSpec,
  isBucketAggregate,
  stateKindOf,
  type AggregatorSpec,
  type EwmaState,
  type FeatureState,
  type KeptValue,
  type LastNState,
  type LastState,
} from './state.js';
import {
  applyToBuckets,
  applyToDistinct,
  applyToEwmaBuckets,
  bucketsValue,
  decay,
  distinctValue,
  ewmaBucketsValue,
} from './windowed.js';

/** What applyEvent did with an event: applied; 'late' (dropped, beyond the lateness); 'ignored' (its value cannot be aggregated: dead-letter it). */
export type ApplyResult = 'applied' | 'late' | 'ignored';

/** An empty state for `spec`. Throws FeatureSpecError when the spec's numbers do not fit its aggregate. */
export function createFeatureState(spec: AggregatorSpec): FeatureState {
  checkSpec(spec);
  const kind = stateKindOf(spec);
  const widthMs = spec.windowMs === null ? 0 : bucketWidthMs(spec.windowMs);
  switch (kind) {
    case 'buckets':
      if (!isBucketAggregate(spec.aggregate)) throw new FeatureStateMismatchError(kind, spec.aggregate);
      return { kind, aggregate: spec.aggregate, widthMs, newestTs: -Infinity, starts: [], counts: [], values: [] };
    case 'distinct':
      return { kind, widthMs, newestTs: -Infinity, starts: [], sets: [], lastSeen: new Map() };
    case 'last':
      return { kind, ts: -Infinity, value: null };
    case 'last_n':
      return { kind, ts: [], values: [] };
    case 'ewma':
      return { kind, refTs: -Infinity, weightedSum: 0, weight: 0 };
    case 'ewma_buckets':
      return { kind, widthMs, newestTs: -Infinity, starts: [], refTs: [], weightedSums: [], weights: [] };
  }
}

/** The newest event time a state has seen; -Infinity when none. */
export function newestEventTs(state: FeatureState): number {
  switch (state.kind) {
    case 'last':
      return state.ts;
    case 'last_n':
      return state.ts[state.ts.length - 1] ?? -Infinity;
    case 'ewma':
      return state.refTs;
    default:
      return state.newestTs;
  }
}

function checkState(state: FeatureState, spec: AggregatorSpec): void {
  const kind = stateKindOf(spec);
  if (state.kind !== kind || (state.kind === 'buckets' && state.aggregate !== spec.aggregate)) {
    throw new FeatureStateMismatchError(
      state.kind === 'buckets' ? `${state.aggregate} (buckets)` : state.kind,
      spec.aggregate,
    );
  }
}

const isFiniteNumber = (value: FeatureScalar): value is number => typeof value === 'number' && Number.isFinite(value);
const isKeptValue = (value: FeatureScalar): value is KeptValue => typeof value === 'string' || isFiniteNumber(value);

function isLate(state: FeatureState, spec: AggregatorSpec, eventTs: number, watermarkTs: number): boolean {
  const horizon = Math.max(watermarkTs, newestEventTs(state));
  if (eventTs < horizon - spec.latenessMs) return true;
  if (spec.windowMs === null) return false;
  const cutoff = horizon - spec.windowMs;
  switch (state.kind) {
    case 'last':
    case 'last_n':
      return eventTs <= cutoff;
    case 'ewma':
      return false;
    default:
      return bucketStart(eventTs, state.widthMs) + state.widthMs <= cutoff;
  }
}

/**
 * Applies one event to `state` IN PLACE (no copy: the service applies thousands of events per
 * second) and says what happened. `value` is the extracted field (ignored by count); `eventTs` is
 * whole epoch ms; `watermarkTs` is the newest event time seen on the input partition so far
 * (-Infinity before any). Numeric aggregates (sum, mean, min, max, ewma) answer 'ignored' for a
 * value that is not a finite number, last/last_n/distinct for one that is neither a string nor a
 * finite number; an ignored or late event leaves the state unchanged. Throws RangeError when
 * eventTs is not a whole number, FeatureStateMismatchError when the state was made for another spec.
 */
export function applyEvent(
  state: FeatureState,
  spec: AggregatorSpec,
  value: FeatureScalar,
  eventTs: number,
  watermarkTs: number,
): ApplyResult {
  if (!Number.isSafeInteger(eventTs)) throw new RangeError(`eventTs must be whole epoch milliseconds, got ${eventTs}`);
  checkState(state, spec);
  switch (state.kind) {
    case 'buckets': {
      const numeric = isFiniteNumber(value);
      if (state.aggregate !== 'count' && !numeric) return 'ignored';
      if (isLate(state, spec, eventTs, watermarkTs)) return 'late';
      applyToBuckets(state, spec.windowMs as number, numeric ? value : 0, eventTs);
      return 'applied';
    }
    case 'distinct':
      if (!isKeptValue(value)) return 'ignored';
      if (isLate(state, spec, eventTs, watermarkTs)) return 'late';
      applyToDistinct(state, spec.windowMs as number, value, eventTs);
      return 'applied';
    case 'ewma_buckets':
      if (!isFiniteNumber(value)) return 'ignored';
      if (isLate(state, spec, eventTs, watermarkTs)) return 'late';
      applyToEwmaBuckets(state, spec.windowMs as number, spec.halfLifeMs as number, value, eventTs);
      return 'applied';
    case 'ewma':
      if (!isFiniteNumber(value)) return 'ignored';
      if (isLate(state, spec, eventTs, watermarkTs)) return 'late';
      applyToEwma(state, spec.halfLifeMs as number, value, eventTs);
      return 'applied';
    case 'last':
      if (!isKeptValue(value)) return 'ignored';
      if (isLate(state, spec, eventTs, watermarkTs)) return 'late';
      applyToLast(state, value, eventTs);
      return 'applied';
    case 'last_n':
      if (!isKeptValue(value)) return 'ignored';
      if (isLate(state, spec, eventTs, watermarkTs)) return 'late';
      applyToLastN(state, spec.n as number, spec.windowMs, value, eventTs);
      return 'applied';
  }
}

/**
 * The feature's value as of `nowTs` (epoch ms), without changing the state. A last_n value is a
 * new array, oldest first. `nowTs` is expected to be at least the newest event time minus W: a
 * state has already dropped the buckets that were out of the window as of its newest event.
 */
export function featureValue(state: FeatureState, spec: AggregatorSpec, nowTs: number): FeatureValue {
  checkState(state, spec);
  const windowMs = spec.windowMs;
  switch (state.kind) {
    case 'buckets':
      return bucketsValue(state, windowMs as number, nowTs);
    case 'distinct':
      return distinctValue(state, windowMs as number, nowTs);
    case 'ewma_buckets':
      return ewmaBucketsValue(state, windowMs as number, spec.halfLifeMs as number, nowTs);
    case 'ewma':
      return state.weight === 0 ? null : state.weightedSum / state.weight;
    case 'last':
      if (windowMs !== null && state.ts <= nowTs - windowMs) return null;
      return state.value;
    case 'last_n': {
      let first = Math.max(0, state.ts.length - (spec.n as number));
      if (windowMs !== null) while (first < state.ts.length && (state.ts[first] as number) <= nowTs - windowMs) first++;
      return state.values.slice(first);
    }
  }
}

/**
 * Weighted sum and weight as of refTs = the newest event time: a newer value decays what is kept by
 * 2^(-(ts - refTs)/h) and enters with weight 1; an older (out-of-order) value enters with weight
 * 2^(-(refTs - ts)/h). The result is the same in any arrival order.
 */
function applyToEwma(state: EwmaState, halfLifeMs: number, value: number, ts: number): void {
  if (state.weight === 0) {
    state.refTs = ts;
    state.weightedSum = value;
    state.weight = 1;
  } else if (ts >= state.refTs) {
    const d = decay(ts - state.refTs, halfLifeMs);
    state.refTs = ts;
    state.weightedSum = state.weightedSum * d + value;
    state.weight = state.weight * d + 1;
  } else {
    const d = decay(state.refTs - ts, halfLifeMs);
    state.weightedSum += value * d;
    state.weight += d;
  }
}

/** The newest value by event time wins; of two with the same time, the one applied later. */
function applyToLast(state: LastState, value: KeptValue, ts: number): void {
  if (ts >= state.ts) {
    state.ts = ts;
    state.value = value;
  }
}

/**
 * Inserts the value in event-time order (after values with the same time), then keeps only the
 * newest n and, with a window, those newer than newest - W.
 */
function applyToLastN(state: LastNState, n: number, windowMs: number | null, value: KeptValue, ts: number): void {
  let at = state.ts.length;
  while (at > 0 && (state.ts[at - 1] as number) > ts) at--;
  if (at === state.ts.length) {
    state.ts.push(ts);
    state.values.push(value);
  } else {
    state.ts.splice(at, 0, ts);
    state.values.splice(at, 0, value);
  }
  const newest = state.ts[state.ts.length - 1] as number;
  while (
    state.ts.length > n ||
    (windowMs !== null && state.ts.length > 0 && (state.ts[0] as number) <= newest - windowMs)
  ) {
    state.ts.shift();
    state.values.shift();
  }
}
