// Test helper: feeds events to one feature state the way the features service does, tracking the
// partition watermark (the newest event time pushed so far); lookups take the fake clock's time.
import type { FeatureScalar, FeatureValue } from '../feature-values.js';
import { applyEvent, createFeatureState, featureValue, type ApplyResult } from './aggregator.js';
import type { AggregatorSpec, FeatureState } from './state.js';

/** A whole-second epoch time, so that 60 s windows (1 s buckets) line up with round numbers. */
export const T0 = 1_700_000_000_000;

/** A spec with no window, half-life or n, and no lateness, then `overrides`. */
export function specOf(
  aggregate: AggregatorSpec['aggregate'],
  overrides: Partial<AggregatorSpec> = {},
): AggregatorSpec {
  return { aggregate, windowMs: null, halfLifeMs: null, n: null, latenessMs: 0, ...overrides };
}

export class Feed {
  readonly state: FeatureState;
  /** The partition watermark: the newest event time pushed so far. */
  watermark = -Infinity;

  constructor(readonly spec: AggregatorSpec) {
    this.state = createFeatureState(spec);
  }

  /** Applies one event at T0 + dt and moves the watermark to it. */
  push(value: FeatureScalar, dt: number): ApplyResult {
    const ts = T0 + dt;
    const result = applyEvent(this.state, this.spec, value, ts, this.watermark);
    this.watermark = Math.max(this.watermark, ts);
    return result;
  }

  /** Pushes each [value, dt] and returns the results. */
  pushAll(events: ReadonlyArray<readonly [FeatureScalar, number]>): ApplyResult[] {
    return events.map(([value, dt]) => this.push(value, dt));
  }

  /** The value as of T0 + dt: the fake clock is this argument. */
  at(dt: number): FeatureValue {
    return featureValue(this.state, this.spec, T0 + dt);
  }
}
