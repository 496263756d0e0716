// How much history the simulated product must publish before it runs: the stream features need a
// full window of each user's past, and a stack that ran the demo days ago holds none of it.
import type { Admin } from 'kafkajs';

const RESOLUTION_MS = 1000;

/**
 * The newest record time in `topic` within [fromMs, toMs], to a second, or null when the topic has
 * no record that new. The demo's records carry their event time as Kafka timestamp, so a binary
 * search over the broker's time index finds it in a few calls instead of reading a day of events.
 */
export async function newestRecordTime(
  admin: Admin,
  topic: string,
  fromMs: number,
  toMs: number,
): Promise<number | null> {
  const highs = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  // kafkajs answers "no record that new" with the partition's end offset.
  const anyAtOrAfter = async (ms: number) =>
    (await admin.fetchTopicOffsetsByTimestamp(topic, ms)).some(
      (p) => Number(p.offset) >= 0 && Number(p.offset) < highs.get(p.partition)!,
    );
  if (!(await anyAtOrAfter(fromMs))) return null;
  let low = fromMs; // some record at or after low
  let high = toMs + RESOLUTION_MS; // no record at or after high (assumed: no event from the future)
  if (await anyAtOrAfter(high)) return high;
  while (high - low > RESOLUTION_MS) {
    const mid = Math.floor((low + high) / 2);
    if (await anyAtOrAfter(mid)) low = mid;
    else high = mid;
  }
  return low;
}

/** The span of history to publish: from the newest event already there (or `hours` back) to now. */
export function historyGap(
  newestMs: number | null,
  nowMs: number,
  hours: number,
): { fromMs: number; toMs: number } | null {
  const fromMs = Math.max(newestMs === null ? 0 : newestMs + 1, nowMs - hours * 3_600_000);
  return nowMs - fromMs < 60_000 ? null : { fromMs, toMs: nowMs };
}
