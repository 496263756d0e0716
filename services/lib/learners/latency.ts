// The measured single-row scoring time of an artifact (ModelVersion.p99InferenceUs): what the
// blueprint's p99_inference constraint is checked against, by AutoML and the trainer alike.
import type { FeatureValues } from '../feature-values.js';
import { loadScorer } from './serving.js';

/** Timed single-row calls: enough that the 99th percentile rests on 20 samples or more. */
const TIMED_CALLS = 2000;
const WARMUP_CALLS = 500;

/**
 * The 99th-percentile time of one `score` call on `rows`, in microseconds, after a warm-up (the
 * JIT, first-call allocations). Measured, not estimated: the constraint is about what serves.
 */
export function measureP99Us(artifact: Uint8Array, rows: readonly FeatureValues[]): number {
  if (rows.length === 0) throw new RangeError('measuring scoring time needs at least one row');
  const scorer = loadScorer(artifact);
  let sink = 0;
  for (let i = 0; i < WARMUP_CALLS; i++) sink += scorer.score(rows[i % rows.length]!);
  const times = new Float64Array(TIMED_CALLS);
  for (let i = 0; i < TIMED_CALLS; i++) {
    const t0 = process.hrtime.bigint();
    sink += scorer.score(rows[i % rows.length]!);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  // Using the sum keeps the calls from being optimised away, and a non-finite score is a broken model.
  if (!Number.isFinite(sink)) throw new RangeError('the scorer gave a non-finite score while being timed');
  times.sort();
  return times[Math.floor(TIMED_CALLS * 0.99)]!;
}
