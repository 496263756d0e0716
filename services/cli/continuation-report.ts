// The trainer's part of `looper status`, pure: a blueprint's last refused continuation, from the
// records the trainer writes to looper.metrics (continuation-gate.ts), with the reason and figures
// the trainer gave — why the version that serves was not replaced.
import type { Metric } from '../lib/schemas/generated.js';
import { CONTINUATION_REFUSED } from '../trainer/continuation-gate.js';
import { age } from './status-report.js';

/** The newest refusal record of `blueprint`, or undefined. */
export function lastRefusal(metrics: readonly Metric[], blueprint: string): Metric | undefined {
  let newest: Metric | undefined;
  for (const m of metrics)
    if (m.blueprint === blueprint && m.name === CONTINUATION_REFUSED && (!newest || m.ts >= newest.ts)) newest = m;
  return newest;
}

/** One line for the blueprint's last refused continuation; none when the trainer reported none lately. */
export function describeContinuationRefusal(metrics: readonly Metric[], blueprint: string, now: number): string[] {
  const refusal = lastRefusal(metrics, blueprint);
  if (refusal === undefined) return [];
  const continuation = refusal.labels['continuation'];
  const what = `a continuation${refusal.modelVersion === null ? '' : ` of ${refusal.modelVersion}`}${continuation === undefined ? '' : ` (${continuation})`}`;
  const kept = refusal.modelVersion === null ? '' : `, ${refusal.modelVersion} kept serving`;
  return [
    `  refused   ${what} ${age(now - refusal.ts)} ago${kept}: ${refusal.labels['reason'] ?? 'no reason recorded'}`,
  ];
}
