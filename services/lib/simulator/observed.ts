// The stream features of examples/notification_send.yaml computed directly from the simulator's
// events: what a model can observe about a user. Used to check that the hidden traits are
// learnable; the features service is the real computation (its ewma may be defined differently).
import { productTopics, type Country, type ProductEvent } from './product.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ObservedStreamFeatures {
  /** app.opens events in (now − 1d, now]. */
  opens_1d: number;
  /** Mean duration_s of app.sessions in (now − 7d, now]; null with none. */
  session_mean_7d: number | null;
  /** duration_s of all sessions up to now, weighted 2^(−age / 1h); null with none. */
  session_ewma: number | null;
  /** country of the latest session up to now; null with none. */
  last_country: Country | null;
}

/** The stream features of one user at nowMs, from that user's events (any order). */
export function observedStreamFeatures(userEvents: readonly ProductEvent[], nowMs: number): ObservedStreamFeatures {
  let opens = 0;
  let sessionSum = 0;
  let sessionCount = 0;
  let weightedSum = 0;
  let weights = 0;
  let last: { ts: number; country: Country } | null = null;
  for (const e of userEvents) {
    if (e.ts > nowMs) continue;
    if (e.topic === productTopics.opens && e.ts > nowMs - DAY_MS) opens++;
    if (e.topic !== productTopics.sessions) continue;
    if (e.ts > nowMs - 7 * DAY_MS) {
      sessionSum += e.value.duration_s;
      sessionCount++;
    }
    const w = 2 ** (-(nowMs - e.ts) / HOUR_MS);
    weightedSum += w * e.value.duration_s;
    weights += w;
    if (last === null || e.ts >= last.ts) last = { ts: e.ts, country: e.value.country };
  }
  return {
    opens_1d: opens,
    session_mean_7d: sessionCount === 0 ? null : sessionSum / sessionCount,
    session_ewma: weights === 0 ? null : weightedSum / weights,
    last_country: last?.country ?? null,
  };
}

/** Events grouped by user id (the record key). */
export function eventsByUser(events: readonly ProductEvent[]): Map<string, ProductEvent[]> {
  const byUser = new Map<string, ProductEvent[]>();
  for (const e of events) {
    const list = byUser.get(e.key);
    if (list === undefined) byUser.set(e.key, [e]);
    else list.push(e);
  }
  return byUser;
}
