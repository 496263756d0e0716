// The bucketed states: count/sum/mean/min/max (BucketState), distinct, and ewma over a window.
// Callers (aggregator.ts) have already checked the value and the lateness; these functions only
// place an event in its bucket, drop buckets that left the window, and read the window as of now.
// Updates are in place and allocate only when a bucket is created or dropped, not per event.
import {
  DISTINCT_CAP,
  bucketStart,
  type BucketState,
  type DistinctState,
  type EwmaBucketState,
  type KeptValue,
} from './state.js';

/**
 * The index of the bucket starting at `start` in the ascending `starts`, or, when there is none,
 * -(i + 1) where i is the index it must be inserted at. Most events land in the newest bucket, so
 * the search runs from the end.
 */
function findBucket(starts: number[], start: number): number {
  let i = starts.length - 1;
  while (i >= 0 && (starts[i] as number) > start) i--;
  return i >= 0 && starts[i] === start ? i : -(i + 2);
}

/** Inserts a bucket at index `at` of `starts` and of every column, each column starting at 0. */
function insertBucket(starts: number[], columns: number[][], at: number, start: number): void {
  if (at === starts.length) {
    starts.push(start);
    for (const column of columns) column.push(0);
  } else {
    starts.splice(at, 0, start);
    for (const column of columns) column.splice(at, 0, 0);
  }
}

/** Whether the oldest bucket ended at or before `cutoff` (newest event time - W). */
function hasExpired(starts: number[], widthMs: number, cutoff: number): boolean {
  return starts.length > 0 && (starts[0] as number) + widthMs <= cutoff;
}

/** Drops the leading buckets that ended at or before `cutoff`, in place. */
function dropExpired(starts: number[], columns: number[][], widthMs: number, cutoff: number): void {
  let k = 0;
  while (k < starts.length && (starts[k] as number) + widthMs <= cutoff) k++;
  for (const column of [starts, ...columns]) {
    column.copyWithin(0, k);
    column.length -= k;
  }
}

/** The columns of a BucketState besides `starts`. */
function bucketColumns(state: BucketState): number[][] {
  return state.aggregate === 'count' ? [state.counts] : [state.counts, state.values];
}

/** Adds one event (value already checked to be finite; unused by count) to a BucketState. */
export function applyToBuckets(state: BucketState, windowMs: number, value: number, ts: number): void {
  const start = bucketStart(ts, state.widthMs);
  let i = findBucket(state.starts, start);
  if (i < 0) {
    i = -i - 1;
    insertBucket(state.starts, bucketColumns(state), i, start);
    if (state.aggregate !== 'count') state.values[i] = value;
  } else if (state.aggregate === 'min') {
    state.values[i] = Math.min(state.values[i] as number, value);
  } else if (state.aggregate === 'max') {
    state.values[i] = Math.max(state.values[i] as number, value);
  } else if (state.aggregate !== 'count') {
    state.values[i] = (state.values[i] as number) + value;
  }
  state.counts[i] = (state.counts[i] as number) + 1;
  if (ts > state.newestTs) {
    state.newestTs = ts;
    const cutoff = ts - windowMs;
    if (hasExpired(state.starts, state.widthMs, cutoff))
      dropExpired(state.starts, bucketColumns(state), state.widthMs, cutoff);
  }
}

/** count and sum of an empty window are 0; mean, min and max are null. */
export function bucketsValue(state: BucketState, windowMs: number, nowTs: number): number | null {
  const cutoff = nowTs - windowMs;
  let count = 0;
  let acc = 0;
  for (let i = state.starts.length - 1; i >= 0 && (state.starts[i] as number) + state.widthMs > cutoff; i--) {
    const value = state.values[i] as number;
    if (state.aggregate === 'min') acc = count === 0 ? value : Math.min(acc, value);
    else if (state.aggregate === 'max') acc = count === 0 ? value : Math.max(acc, value);
    else if (state.aggregate !== 'count') acc += value;
    count += state.counts[i] as number;
  }
  switch (state.aggregate) {
    case 'count':
      return count;
    case 'sum':
      return acc;
    case 'mean':
      return count === 0 ? null : acc / count;
    case 'min':
    case 'max':
      return count === 0 ? null : acc;
  }
}

/** Removes `value` from the bucket starting at `start`, dropping the bucket when it empties. */
function removeFromBucket(state: DistinctState, value: KeptValue, start: number): void {
  let i = state.starts.length - 1;
  while (i > 0 && (state.starts[i] as number) > start) i--;
  const set = state.sets[i] as Set<KeptValue>;
  set.delete(value);
  if (set.size === 0) {
    state.starts.splice(i, 1);
    state.sets.splice(i, 1);
  }
}

/** Adds `value` to the bucket starting at `start`, creating the bucket when there is none. */
function addToBucket(state: DistinctState, value: KeptValue, start: number): void {
  let i = findBucket(state.starts, start);
  if (i < 0) {
    i = -i - 1;
    if (i === state.starts.length) {
      state.starts.push(start);
      state.sets.push(new Set());
    } else {
      state.starts.splice(i, 0, start);
      state.sets.splice(i, 0, new Set());
    }
  }
  (state.sets[i] as Set<KeptValue>).add(value);
  state.lastSeen.set(value, start);
}

/**
 * Records that `value` was seen at ts: it moves to its newer bucket, or joins the state. When
 * DISTINCT_CAP values are kept, a new value replaces one from the oldest bucket (or is not kept
 * when its bucket is no newer than that), so the state always holds the DISTINCT_CAP most recently
 * seen values and the window's count reads min(true count, DISTINCT_CAP).
 */
export function applyToDistinct(state: DistinctState, windowMs: number, value: KeptValue, ts: number): void {
  const start = bucketStart(ts, state.widthMs);
  const seen = state.lastSeen.get(value);
  if (seen !== undefined) {
    if (start > seen) {
      removeFromBucket(state, value, seen);
      addToBucket(state, value, start);
    }
  } else if (state.lastSeen.size < DISTINCT_CAP) {
    addToBucket(state, value, start);
  } else if (start > (state.starts[0] as number)) {
    const oldest = state.sets[0] as Set<KeptValue>;
    for (const victim of oldest) {
      state.lastSeen.delete(victim);
      removeFromBucket(state, victim, state.starts[0] as number);
      break;
    }
    addToBucket(state, value, start);
  }
  if (ts > state.newestTs) {
    state.newestTs = ts;
    const cutoff = ts - windowMs;
    let k = 0;
    while (k < state.starts.length && (state.starts[k] as number) + state.widthMs <= cutoff) {
      for (const v of state.sets[k] as Set<KeptValue>) state.lastSeen.delete(v);
      k++;
    }
    if (k > 0) {
      state.starts.splice(0, k);
      state.sets.splice(0, k);
    }
  }
}

export function distinctValue(state: DistinctState, windowMs: number, nowTs: number): number {
  const cutoff = nowTs - windowMs;
  let count = 0;
  for (let i = state.starts.length - 1; i >= 0 && (state.starts[i] as number) + state.widthMs > cutoff; i--) {
    count += (state.sets[i] as Set<KeptValue>).size;
  }
  return count;
}

/** 2^(-dt/h): the weight of a value dt ms older than the reference time. */
export function decay(dtMs: number, halfLifeMs: number): number {
  return Math.pow(2, -dtMs / halfLifeMs);
}

function ewmaColumns(state: EwmaBucketState): number[][] {
  return [state.refTs, state.weightedSums, state.weights];
}

/** Adds one value to the accumulator of its bucket (see EwmaState for the arithmetic). */
export function applyToEwmaBuckets(
  state: EwmaBucketState,
  windowMs: number,
  halfLifeMs: number,
  value: number,
  ts: number,
): void {
  const start = bucketStart(ts, state.widthMs);
  let i = findBucket(state.starts, start);
  if (i < 0) {
    i = -i - 1;
    insertBucket(state.starts, ewmaColumns(state), i, start);
    state.refTs[i] = ts;
    state.weightedSums[i] = value;
    state.weights[i] = 1;
  } else {
    const ref = state.refTs[i] as number;
    if (ts >= ref) {
      const d = decay(ts - ref, halfLifeMs);
      state.refTs[i] = ts;
      state.weightedSums[i] = (state.weightedSums[i] as number) * d + value;
      state.weights[i] = (state.weights[i] as number) * d + 1;
    } else {
      const d = decay(ref - ts, halfLifeMs);
      state.weightedSums[i] = (state.weightedSums[i] as number) + value * d;
      state.weights[i] = (state.weights[i] as number) + d;
    }
  }
  if (ts > state.newestTs) {
    state.newestTs = ts;
    const cutoff = ts - windowMs;
    if (hasExpired(state.starts, state.widthMs, cutoff))
      dropExpired(state.starts, ewmaColumns(state), state.widthMs, cutoff);
  }
}

/** The weighted mean of the buckets in the window, all brought to the newest reference time among them; null when empty. */
export function ewmaBucketsValue(
  state: EwmaBucketState,
  windowMs: number,
  halfLifeMs: number,
  nowTs: number,
): number | null {
  const cutoff = nowTs - windowMs;
  let ref = -Infinity;
  let first = state.starts.length;
  for (let i = state.starts.length - 1; i >= 0 && (state.starts[i] as number) + state.widthMs > cutoff; i--) {
    ref = Math.max(ref, state.refTs[i] as number);
    first = i;
  }
  let sum = 0;
  let weight = 0;
  for (let i = state.starts.length - 1; i >= first; i--) {
    const d = decay(ref - (state.refTs[i] as number), halfLifeMs);
    sum += (state.weightedSums[i] as number) * d;
    weight += (state.weights[i] as number) * d;
  }
  return weight === 0 ? null : sum / weight;
}
