// The joiner's steps, as pure functions over explicit state. The service reads the state a step
// needs from its store (one multi-get or range scan), calls the step, produces the examples and
// writes the returned mutations in one batch with the consumed offsets. Each decision yields at
// most one example, ever: the first outcome within its window, or the implicit `missing` label
// when the window closes, after which a done marker drops whatever comes again.
//
// `now` is the joiner's clock: an event-time watermark (the oldest position over its input
// partitions, less any allowed lateness), not the wall clock. A joiner catching up on a backlog
// with wall-clock time would close windows before reading the outcomes that fall in them.
import type { BlueprintLabel, Decision, Example, Outcome } from '../schemas/generated.js';
import { JoinerInputError } from './errors.js';
import { fnv1a32 } from '../learners/hash.js';
import { buildExamples, labelValueOf, snapshotDecision } from './example.js';
import { forgottenKey, joinerKeys, MAX_KEY_TIME, parseForgetKey } from './keys.js';
import { EMPTY_VALUE, emptyResult, type IgnoreReason, type JoinResult, type Mutations } from './mutations.js';
import { joinerDefaults, type JoinerOptions } from './options.js';
import {
  encodeRecentEvent,
  encodeDone,
  encodeEarlyOutcome,
  encodePending,
  type DoneMarker,
  type EarlyOutcome,
  type PendingDecision,
} from './records.js';

/** A blueprint's label, and whether it names a class (multi-class classification, sequence). */
export type JoinLabel = BlueprintLabel & { classes?: boolean };

/** What the store holds for one decision id: read with stateKeys(decisionId). */
export interface DecisionState {
  pending?: PendingDecision;
  done?: DoneMarker;
  earlyOutcome?: EarlyOutcome;
}

/** An event on a product topic that carries the decisionId it is the outcome of (label match: decisionId). */
export interface EventOutcome {
  topic: string;
  decisionId: string;
  /** The event's time, epoch ms. */
  ts: number;
  /** The decoded event; the label's valueField is read from it. */
  value: Readonly<Record<string, unknown>>;
}

/** An event on a product topic whose label matches by entity. */
export interface EntityEvent {
  topic: string;
  /** The record key, or the label's entityField of the event. */
  entity: string;
  /** The event's time, epoch ms. */
  ts: number;
  /** The decoded event; the label's valueField is read from it. */
  value: Readonly<Record<string, unknown>>;
}

/** An outcome from either source, as the steps see it. */
interface AnyOutcome {
  decisionId: string;
  ts: number;
  topic: string | null;
  fields: Record<string, unknown>;
}

function checkTime(record: JoinerInputError['record'], decisionId: string | null, what: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_KEY_TIME) {
    throw new JoinerInputError(
      record,
      decisionId,
      `${what} ${ms} is not whole epoch milliseconds between 0 and ${MAX_KEY_TIME}`,
    );
  }
}

/** The pending record of a decision under its blueprint's label. */
export function pendingOf(decision: Decision, label: JoinLabel): PendingDecision {
  checkTime('decision', decision.decisionId, 'ts', decision.ts);
  if (!Number.isSafeInteger(label.windowMs) || label.windowMs < 0) {
    throw new JoinerInputError(
      'decision',
      decision.decisionId,
      `label window ${label.windowMs} is not whole milliseconds ≥ 0`,
    );
  }
  const closesAt = decision.ts + label.windowMs;
  checkTime('decision', decision.decisionId, 'window close', closesAt);
  const { topic, match, windowMs, valueConstant, valueField, missing } = label;
  return {
    decision: snapshotDecision(decision),
    label: { topic, match, windowMs, valueConstant, valueField, missing, classes: label.classes === true },
    closesAt,
  };
}

/** Tells apart events of one entity at the same millisecond; the same event (a replay) keeps its key. */
function eventHash(value: Readonly<Record<string, unknown>>): string {
  return fnv1a32(JSON.stringify(value)).toString(16).padStart(8, '0');
}

function markDone(decisionId: string, forgetAt: number): Mutations['put'] {
  return [
    [joinerKeys.done(decisionId), encodeDone({ forgetAt })],
    [joinerKeys.forget(forgetAt, 'done', decisionId), EMPTY_VALUE],
  ];
}

function entityKey(p: PendingDecision): string | undefined {
  return p.label.match === 'entity' && p.label.topic !== null
    ? joinerKeys.entity(p.label.topic, p.decision.entity, p.decision.decisionId)
    : undefined;
}

/** Removes a pending decision with its timer and index keys, and marks it done. */
function finish(p: PendingDecision, options: JoinerOptions): Mutations {
  const id = p.decision.decisionId;
  const index = entityKey(p);
  return {
    put: markDone(id, p.closesAt + options.doneRetentionMs),
    del: [joinerKeys.pending(id), joinerKeys.close(p.closesAt, id), ...(index === undefined ? [] : [index])],
  };
}

/** The examples an outcome makes for a pending decision, or why it makes none. */
function joinOutcome(p: PendingDecision, o: AnyOutcome): Example[] | IgnoreReason {
  if (p.label.match !== 'decisionId' || p.label.topic !== o.topic) return 'wrong_source';
  // Matched by id, the outcome is known to follow its decision: only its lateness is judged.
  if (o.ts > p.closesAt) return 'late_outcome';
  const value = labelValueOf(p.label, o.fields);
  if (value === undefined) return 'no_label_value';
  if (typeof value === 'string')
    return buildExamples(p, Number.NaN, o.ts, o.topic === null ? 'outcome' : 'event', null, value);
  let clicked: string | null = null;
  if (p.decision.shown !== null) {
    // A ranking outcome is about one of the candidates shown: the first one reported labels them all.
    const candidateId = o.fields['candidateId'];
    if (typeof candidateId !== 'string' || !p.decision.shown.some((c) => c.id === candidateId))
      return 'unknown_candidate';
    clicked = candidateId;
  }
  return buildExamples(p, value, o.ts, o.topic === null ? 'outcome' : 'event', clicked);
}

function normalise(outcome: Outcome | EventOutcome): AnyOutcome {
  checkTime('outcome', outcome.decisionId, 'ts', outcome.ts);
  if ('topic' in outcome)
    return { decisionId: outcome.decisionId, ts: outcome.ts, topic: outcome.topic, fields: { ...outcome.value } };
  return {
    decisionId: outcome.decisionId,
    ts: outcome.ts,
    topic: null,
    fields: { value: outcome.value, candidateId: outcome.candidateId },
  };
}

/**
 * A decision read from looper.decisions, with the label of the blueprint version that made it.
 * A duplicate (already pending or done) changes nothing. An outcome kept from before it joins at
 * once; otherwise it waits: pending record, close timer and, for labels matched by entity, the
 * entity index.
 */
export function onDecision(
  decision: Decision,
  label: JoinLabel,
  existing: DecisionState,
  options: JoinerOptions = joinerDefaults,
  recentEvents: readonly EntityEvent[] = [],
): JoinResult {
  const result = emptyResult();
  const id = decision.decisionId;
  if (existing.pending !== undefined || existing.done !== undefined) {
    result.ignored.push({ decisionId: id, reason: 'duplicate_decision' });
    return result;
  }
  const pending = pendingOf(decision, label);
  // An event matched by entity that was read before its decision: the earliest in the window labels it.
  const first = [...recentEvents]
    .filter(
      (e) =>
        e.topic === pending.label.topic &&
        e.entity === decision.entity &&
        e.ts >= decision.ts &&
        e.ts <= pending.closesAt,
    )
    .sort((a, b) => a.ts - b.ts);
  for (const event of pending.label.match === 'entity' ? first : []) {
    const value = labelValueOf(pending.label, event.value);
    if (value === undefined) continue;
    result.examples.push(
      ...(typeof value === 'string'
        ? buildExamples(pending, Number.NaN, event.ts, 'event', null, value)
        : buildExamples(pending, value, event.ts, 'event')),
    );
    result.mutations.put.push(...markDone(id, pending.closesAt + options.doneRetentionMs));
    return result;
  }
  const early = existing.earlyOutcome;
  if (early !== undefined) {
    result.mutations.del.push(joinerKeys.earlyOutcome(id), joinerKeys.forget(early.forgetAt, 'early', id));
    const joined = joinOutcome(pending, early);
    if (typeof joined !== 'string') {
      result.examples.push(...joined);
      result.mutations.put.push(...markDone(id, pending.closesAt + options.doneRetentionMs));
      return result;
    }
    result.ignored.push({ decisionId: id, reason: joined });
  }
  const index = entityKey(pending);
  result.mutations.put.push(
    [joinerKeys.pending(id), encodePending(pending)],
    [joinerKeys.close(pending.closesAt, id), EMPTY_VALUE],
    ...(index === undefined ? [] : [[index, EMPTY_VALUE] as [string, Uint8Array]]),
  );
  return result;
}

/**
 * An outcome matched by decision id: a looper.outcomes record, or a product event carrying a
 * decisionId. It labels its pending decision when it is within the window; an outcome whose
 * decision has not been read yet is kept until ts + earlyOutcomeRetentionMs; an outcome of a done
 * decision, or a second early one, is a duplicate.
 */
export function onOutcome(
  outcome: Outcome | EventOutcome,
  state: DecisionState,
  options: JoinerOptions = joinerDefaults,
): JoinResult {
  const result = emptyResult();
  const o = normalise(outcome);
  const id = o.decisionId;
  if (state.done !== undefined) {
    result.ignored.push({ decisionId: id, reason: 'duplicate_outcome' });
  } else if (state.pending !== undefined) {
    const joined = joinOutcome(state.pending, o);
    if (typeof joined === 'string') {
      result.ignored.push({ decisionId: id, reason: joined });
    } else {
      result.examples.push(...joined);
      result.mutations = finish(state.pending, options);
    }
  } else if (state.earlyOutcome !== undefined) {
    result.ignored.push({ decisionId: id, reason: 'duplicate_outcome' });
  } else {
    const forgetAt = o.ts + options.earlyOutcomeRetentionMs;
    checkTime('outcome', id, 'forget time', forgetAt);
    result.mutations.put.push(
      [joinerKeys.earlyOutcome(id), encodeEarlyOutcome({ ...o, forgetAt })],
      [joinerKeys.forget(forgetAt, 'early', id), EMPTY_VALUE],
    );
  }
  return result;
}

/**
 * A product event for a label matched by entity, with the pending decisions the entity index
 * lists for (event.topic, event.entity). It labels every one whose window holds the event
 * (decision.ts ≤ event.ts ≤ closesAt); the others keep waiting.
 */
export function onEntityEvent(
  event: EntityEvent,
  pendings: readonly PendingDecision[],
  options: JoinerOptions = joinerDefaults,
): JoinResult {
  checkTime('event', null, 'ts', event.ts);
  const result = emptyResult();
  // Kept for a decision read after it (its own topic's consumer may be behind this one's).
  const forgetAt = event.ts + options.recentEventRetentionMs;
  checkTime('event', null, 'forget time', forgetAt);
  const kept = joinerKeys.recentEvent(event.topic, event.entity, event.ts, eventHash(event.value));
  result.mutations.put.push(
    [kept, encodeRecentEvent({ ts: event.ts, fields: { ...event.value } })],
    [joinerKeys.forget(forgetAt, 'event', kept), EMPTY_VALUE],
  );
  const seen = new Set<string>();
  for (const p of pendings) {
    const id = p.decision.decisionId;
    if (seen.has(id)) continue;
    seen.add(id);
    if (p.label.match !== 'entity' || p.label.topic !== event.topic || p.decision.entity !== event.entity) continue;
    if (event.ts < p.decision.ts || event.ts > p.closesAt) continue;
    const value = labelValueOf(p.label, event.value);
    if (value === undefined) {
      result.ignored.push({ decisionId: id, reason: 'no_label_value' });
      continue;
    }
    result.examples.push(
      ...(typeof value === 'string'
        ? buildExamples(p, Number.NaN, event.ts, 'event', null, value)
        : buildExamples(p, value, event.ts, 'event')),
    );
    const done = finish(p, options);
    result.mutations.put.push(...done.put);
    result.mutations.del.push(...done.del);
  }
  return result;
}

/**
 * Closes the windows of the pending decisions the close timers list as due (closesAt ≤ now):
 * each becomes an example with the blueprint's `missing` label at labelTs = closesAt, or, when
 * the blueprint declares none, is dropped without one. Decisions not yet due are left alone.
 */
export function onTick(
  now: number,
  due: readonly PendingDecision[],
  options: JoinerOptions = joinerDefaults,
): JoinResult {
  checkTime('now', null, 'now', now);
  const result = emptyResult();
  const seen = new Set<string>();
  for (const p of due) {
    const id = p.decision.decisionId;
    if (seen.has(id) || p.closesAt > now) continue;
    seen.add(id);
    if (p.label.missing === null) result.ignored.push({ decisionId: id, reason: 'closed_without_label' });
    else result.examples.push(...buildExamples(p, p.label.missing, p.closesAt, 'missing'));
    const done = finish(p, options);
    result.mutations.put.push(...done.put);
    result.mutations.del.push(...done.del);
  }
  return result;
}

/** Deletes the done markers and early outcomes whose forget timers (from forgetRange(now)) are due, with the timers. */
export function forgetExpired(now: number, forgetKeys: readonly string[]): Mutations {
  checkTime('now', null, 'now', now);
  const del = new Set<string>();
  for (const key of forgetKeys) {
    const timer = parseForgetKey(key);
    if (timer.forgetAt > now) continue;
    del.add(key);
    del.add(forgottenKey(timer.kind, timer.decisionId));
  }
  return { put: [], del: [...del] };
}
