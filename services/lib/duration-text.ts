// Durations as text, in the two ways Looper writes them:
// - durationText: exact, in a blueprint's own syntax (5s, 2m, 250ms), for a value a reader may copy
//   into a blueprint (a feature's lateness, automl.schedule, training.retrain);
// - spanText: approximate, for people (250 ms, 4.2 s, 1.5 min, 2.3 h, 3.1 d), for ages, waits and
//   elapsed times in log lines, reasons, alerts and reports.
// Use these rather than a local formatter, so every message writes a duration the same way.

/** A duration, in ms, as a blueprint writes it, exactly: 5s, 2m, 1h, 7d, 250ms (the largest unit it is a whole number of). */
export function durationText(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** spanText's units, smallest first, each with its size in ms. */
const SPAN_UNITS = [
  ['ms', 1],
  ['s', 1000],
  ['min', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
] as const;

const oneDecimal = (x: number): number => Math.round(x * 10) / 10;

/**
 * A duration, in ms, as people read it: the largest unit it reaches (ms, s, min, h or d), at most
 * one decimal, no trailing ".0": 250 ms, 4.2 s, 1.5 min, 2.3 h, 3.1 d, 1 h. A value that rounds up
 * to the next unit is written in it (59,960 ms is 1 min, not 60 s). Approximate: for a value a
 * blueprint takes, use durationText. A negative duration keeps its sign (−4.2 s: a clock ahead of
 * ours, say); callers for which a negative span means nothing clamp before. NaN is written NaN,
 * ±Infinity ∞ and −∞.
 */
export function spanText(ms: number): string {
  if (Number.isNaN(ms)) return 'NaN';
  if (ms < 0) return `−${spanText(-ms)}`;
  if (ms === Number.POSITIVE_INFINITY) return '∞';
  let i = SPAN_UNITS.length - 1;
  while (i > 0 && ms < SPAN_UNITS[i]![1]) i--;
  const next = SPAN_UNITS[i + 1];
  if (next && oneDecimal(ms / SPAN_UNITS[i]![1]) * SPAN_UNITS[i]![1] >= next[1]) i++;
  const [unit, size] = SPAN_UNITS[i]!;
  return `${oneDecimal(ms / size)} ${unit}`;
}
