// Where the joiner keeps its state in the store (RocksDB, one per partition). Keys are strings
// (the service writes them as UTF-8); names in them are URI-encoded so they never contain "/",
// and times are zero-padded to 15 digits so byte order is time order and a range scan finds
// everything due:
//
//   p/<decisionId>                        pending decision          (encodePending)
//   d/<decisionId>                        done marker               (encodeDone)
//   o/<decisionId>                        early outcome             (encodeEarlyOutcome)
//   c/<closesAt>/<decisionId>             window-close timer        (empty value)
//   e/<topic>/<entity>/<decisionId>       entity index, for labels matched by entity (empty value)
//   v/<topic>/<entity>/<ts>/<hash>        recent event of a topic labels match by entity (encodeRecentEvent)
//   f/<forgetAt>/<d|o>/<decisionId>       forget timer of a done marker or early outcome (empty value)
//   f/<forgetAt>/v/<v-key>                forget timer of a recent event (empty value)
//
// Every key the core writes starts with one of p/ d/ o/ c/ e/ v/ f/; the service may keep its own
// records (committed offsets, ...) under any other prefix.
import { JoinerInputError, JoinerStateError } from './errors.js';

/** Keys k with gte ≤ k < lt, for a store's range scan. */
export interface KeyRange {
  gte: string;
  lt: string;
}

export type ForgetKind = 'done' | 'early' | 'event';

/** The largest time a key can hold: 15 digits of epoch ms, the year 33658. */
export const MAX_KEY_TIME = 999_999_999_999_999;
const TIME_DIGITS = 15;
const FORGET_KIND_CODE: Record<ForgetKind, string> = { done: 'd', early: 'o', event: 'v' };

const name = (s: string): string => encodeURIComponent(s);

/** A time as a fixed-width key part; throws JoinerInputError for anything but whole epoch ms. */
export function timeKey(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_KEY_TIME) {
    throw new JoinerInputError('now', null, `time ${ms} is not whole epoch milliseconds between 0 and ${MAX_KEY_TIME}`);
  }
  return String(ms).padStart(TIME_DIGITS, '0');
}

export const joinerKeys = {
  pending: (decisionId: string): string => `p/${name(decisionId)}`,
  done: (decisionId: string): string => `d/${name(decisionId)}`,
  earlyOutcome: (decisionId: string): string => `o/${name(decisionId)}`,
  close: (closesAt: number, decisionId: string): string => `c/${timeKey(closesAt)}/${name(decisionId)}`,
  entity: (topic: string, entity: string, decisionId: string): string =>
    `e/${name(topic)}/${name(entity)}/${name(decisionId)}`,
  recentEvent: (topic: string, entity: string, ts: number, hash: string): string =>
    `v/${name(topic)}/${name(entity)}/${timeKey(ts)}/${hash}`,
  /** `decisionId`: for kind event, the recent event's whole key. */
  forget: (forgetAt: number, kind: ForgetKind, decisionId: string): string =>
    `f/${timeKey(forgetAt)}/${FORGET_KIND_CODE[kind]}/${name(decisionId)}`,
} as const;

/** The keys to multi-get before calling onDecision or onOutcome for this decision id. */
export function stateKeys(decisionId: string): { pending: string; done: string; earlyOutcome: string } {
  return {
    pending: joinerKeys.pending(decisionId),
    done: joinerKeys.done(decisionId),
    earlyOutcome: joinerKeys.earlyOutcome(decisionId),
  };
}

/** Every key starting with `prefix`. */
export function prefixRange(prefix: string): KeyRange {
  const last = prefix.charCodeAt(prefix.length - 1);
  return { gte: prefix, lt: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}

/** Entity-index keys of the pending decisions of `entity` whose label reads `topic`. */
export function entityRange(topic: string, entity: string): KeyRange {
  return prefixRange(`e/${name(topic)}/${name(entity)}/`);
}

/** Recent events of `entity` on `topic` with fromTs ≤ ts ≤ toTs, oldest first. */
export function recentEventRange(topic: string, entity: string, fromTs: number, toTs: number): KeyRange {
  const prefix = `v/${name(topic)}/${name(entity)}/`;
  return { gte: `${prefix}${timeKey(fromTs)}`, lt: `${prefix}${timeKey(Math.min(MAX_KEY_TIME, toTs + 1))}` };
}

/** Close timers with from ≤ closesAt ≤ now. */
export function closeRange(now: number, from = 0): KeyRange {
  return { gte: `c/${timeKey(Math.floor(from))}`, lt: `c/${timeKey(Math.floor(now) + 1)}` };
}

/** Forget timers with from ≤ forgetAt ≤ now. */
export function forgetRange(now: number, from = 0): KeyRange {
  return { gte: `f/${timeKey(Math.floor(from))}`, lt: `f/${timeKey(Math.floor(now) + 1)}` };
}

/** Which timer a key is, close or forget, and its time; null for any other key. */
export function timerOf(key: string): { kind: 'close' | 'forget'; at: number } | null {
  const kind = key.startsWith('c/') ? 'close' : key.startsWith('f/') ? 'forget' : null;
  return kind === null ? null : { kind, at: Number(key.slice(2, 2 + TIME_DIGITS)) };
}

function parts(key: string, prefix: string, count: number): string[] {
  const split = key.split('/');
  if (split[0] !== prefix || split.length !== count + 1)
    throw new JoinerStateError('key', `"${key}" is not a ${prefix}/ key`);
  return split.slice(1);
}

export function parseCloseKey(key: string): { closesAt: number; decisionId: string } {
  const [time, id] = parts(key, 'c', 2);
  return { closesAt: Number(time), decisionId: decodeURIComponent(id!) };
}

export function parseEntityKey(key: string): { topic: string; entity: string; decisionId: string } {
  const [topic, entity, id] = parts(key, 'e', 3);
  return {
    topic: decodeURIComponent(topic!),
    entity: decodeURIComponent(entity!),
    decisionId: decodeURIComponent(id!),
  };
}

export function parseForgetKey(key: string): { forgetAt: number; kind: ForgetKind; decisionId: string } {
  const [time, code, id] = parts(key, 'f', 3);
  const kind = code === 'd' ? 'done' : code === 'o' ? 'early' : code === 'v' ? 'event' : undefined;
  if (kind === undefined) throw new JoinerStateError('key', `"${key}" is not a forget timer key`);
  return { forgetAt: Number(time), kind, decisionId: decodeURIComponent(id!) };
}

/** The key a forget timer points at. */
export function forgottenKey(kind: ForgetKind, decisionId: string): string {
  if (kind === 'event') return decisionId;
  return kind === 'done' ? joinerKeys.done(decisionId) : joinerKeys.earlyOutcome(decisionId);
}
