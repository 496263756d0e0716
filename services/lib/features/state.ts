// The state of one stream feature for one entity, as plain data (arrays, numbers, one Map), so it
// is cheap to update in place and to encode (codec.ts). Which shape a state has follows from its
// spec's aggregate and whether it has a window; see stateKindOf.
//
// Time is epoch milliseconds as whole numbers. A windowed state splits its window W into
// BUCKETS_PER_WINDOW buckets of width w = max(1, ceil(W / BUCKETS_PER_WINDOW)) ms. The bucket keyed
// by start s holds the events with s < ts <= s + w, and s is always a multiple of w. As of `now`, a
// bucket counts while s + w > now - W: an event therefore counts for at least W and less than
// W + w after its time, and the value is exact whenever now - W is a multiple of w.
import type { BlueprintAggregate, BlueprintStreamFeature } from '../schemas/generated.js';
import { FeatureSpecError } from './errors.js';

/** How many buckets a window is split into (the last one partly out of the window as time passes). */
export const BUCKETS_PER_WINDOW = 60;

/** The most distinct values a `distinct` state remembers: the count is exact up to it and reads DISTINCT_CAP above it. */
export const DISTINCT_CAP = 1000;

/** The spec fields that decide how events become a value (the rest say where events come from). */
export type AggregatorSpec = Pick<BlueprintStreamFeature, 'aggregate' | 'windowMs' | 'halfLifeMs' | 'n' | 'latenessMs'>;

/** A value kept by last, last_n and distinct: never null (an event without a value is ignored). */
export type KeptValue = number | string;

/** The aggregates kept as per-bucket numbers. */
export type BucketAggregate = 'count' | 'sum' | 'mean' | 'min' | 'max';

/** count, sum, mean, min or max over a window: per bucket the event count and one number. */
export interface BucketState {
  kind: 'buckets';
  aggregate: BucketAggregate;
  /** Bucket width in ms, fixed when the state is created. */
  widthMs: number;
  /** Newest event time applied; -Infinity before the first event. */
  newestTs: number;
  /** Bucket starts, ascending; the columns below are parallel to it. */
  starts: number[];
  /** Events per bucket. */
  counts: number[];
  /** Per bucket: the sum (sum, mean), the minimum (min) or the maximum (max); empty for count. */
  values: number[];
}

/**
 * distinct over a window: the exact set of values per bucket, each value kept only in the newest
 * bucket it was seen in, so a value takes one slot however often it recurs. At most DISTINCT_CAP
 * values in all.
 */
export interface DistinctState {
  kind: 'distinct';
  widthMs: number;
  newestTs: number;
  /** Bucket starts, ascending; no bucket is empty. */
  starts: number[];
  /** The values last seen in each bucket; parallel to starts. */
  sets: Set<KeptValue>[];
  /** Value → the start of the bucket holding it (an index over `sets`). */
  lastSeen: Map<KeptValue, number>;
}

/** last, with or without a window: the value of the newest event by event time. */
export interface LastState {
  kind: 'last';
  /** Event time of `value`; -Infinity before the first event. */
  ts: number;
  value: KeptValue | null;
}

/** last_n, with or without a window: the newest n values by event time, oldest first. */
export interface LastNState {
  kind: 'last_n';
  /** Event times, ascending (ties in arrival order); parallel to values. */
  ts: number[];
  values: KeptValue[];
}

/**
 * ewma without a window: the values' mean weighted by 2^(-age/h), kept as a weighted sum and the
 * sum of weights, both as of the reference time `refTs` (the newest event time).
 */
export interface EwmaState {
  kind: 'ewma';
  refTs: number;
  weightedSum: number;
  /** 0 before the first event. */
  weight: number;
}

/** ewma over a window: one EwmaState-like accumulator per bucket, each as of its own newest event. */
export interface EwmaBucketState {
  kind: 'ewma_buckets';
  widthMs: number;
  newestTs: number;
  starts: number[];
  refTs: number[];
  weightedSums: number[];
  weights: number[];
}

export type FeatureState = BucketState | DistinctState | LastState | LastNState | EwmaState | EwmaBucketState;
export type FeatureStateKind = FeatureState['kind'];

const BUCKET_AGGREGATES: readonly BlueprintAggregate[] = ['count', 'sum', 'mean', 'min', 'max'];

export function isBucketAggregate(aggregate: BlueprintAggregate): aggregate is BucketAggregate {
  return BUCKET_AGGREGATES.includes(aggregate);
}

/** The state shape a spec needs. */
export function stateKindOf(spec: AggregatorSpec): FeatureStateKind {
  switch (spec.aggregate) {
    case 'count':
    case 'sum':
    case 'mean':
    case 'min':
    case 'max':
      return 'buckets';
    case 'distinct':
      return 'distinct';
    case 'last':
      return 'last';
    case 'last_n':
      return 'last_n';
    case 'ewma':
      return spec.windowMs === null ? 'ewma' : 'ewma_buckets';
  }
}

/** The bucket width of a window: W / BUCKETS_PER_WINDOW rounded up to a whole ms, at least 1 ms. */
export function bucketWidthMs(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / BUCKETS_PER_WINDOW));
}

/** The start of the bucket (start, start + width] holding event time ts. */
export function bucketStart(ts: number, widthMs: number): number {
  return Math.ceil(ts / widthMs) * widthMs - widthMs;
}

const isPositiveWhole = (v: number | null): v is number => v !== null && Number.isSafeInteger(v) && v > 0;

/** Throws FeatureSpecError unless the spec's numbers fit its aggregate (the blueprint compiler guarantees they do). */
export function checkSpec(spec: AggregatorSpec): void {
  const fail = (problem: string): never => {
    throw new FeatureSpecError(spec.aggregate, problem);
  };
  if (!Number.isSafeInteger(spec.latenessMs) || spec.latenessMs < 0)
    fail(`latenessMs ${spec.latenessMs} is not a whole number of ms >= 0`);
  if (spec.windowMs !== null && !isPositiveWhole(spec.windowMs))
    fail(`windowMs ${spec.windowMs} is not a whole number of ms > 0`);
  if (isBucketAggregate(spec.aggregate) || spec.aggregate === 'distinct') {
    if (spec.windowMs === null) fail('windowMs is required');
  }
  if (spec.aggregate === 'ewma' && !isPositiveWhole(spec.halfLifeMs))
    fail(`halfLifeMs ${spec.halfLifeMs} is not a whole number of ms > 0`);
  if (spec.aggregate === 'last_n' && !isPositiveWhole(spec.n)) fail(`n ${spec.n} is not a whole number > 0`);
}
