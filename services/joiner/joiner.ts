// The joiner service's wiring: decisions, outcomes and label events in; examples out, once each.
import type { KafkaMessage } from 'kafkajs';
import type { Blueprint, Decision, Example, Outcome } from '../lib/schemas/generated.js';
import type { ServiceContext } from '../lib/runtime.js';
import type { BlueprintWatch } from '../lib/blueprint-watch.js';
import { keyAfter, scanPages, type KeyValueStore, type WriteSet } from '../lib/store/rocks.js';
import { BatchOverlay } from '../lib/store/overlay.js';
import { multiclassTaskOf } from '../lib/multiclass/blueprint.js';
import {
  addResult,
  closeRange,
  decodeDone,
  decodeEarlyOutcome,
  decodePending,
  emptyResult,
  entityRange,
  forgetExpired,
  forgetRange,
  joinerKeys,
  MAX_KEY_TIME,
  onDecision,
  onEntityEvent,
  onOutcome,
  onTick,
  recentEventRange,
  decodeRecentEvent,
  joinerDefaults,
  type EntityEvent,
  parseCloseKey,
  parseEntityKey,
  stateKeys,
  timerOf,
  TimerFloor,
  JoinerClock,
  type DecisionState,
  type JoinResult,
  type Mutations,
  type PendingDecision,
} from '../lib/joiner/index.js';
import { decodeProductEvent } from '../lib/events.js';
import type { DeadLetterSink } from '../lib/dead-letters.js';
import { errorMessage } from '../lib/errors.js';
import { outboxEntries, type Outbox } from './outbox.js';
import { topics } from '../../topology/topics.js';
import type { BatchInput, BatchOutput } from '../lib/stateful-consumer.js';
import { looperCounter, looperGauge } from '../lib/observability/service-metrics.js';

const PENDING_PREFIX = joinerKeys.pending('');
const COUNT_PAGE = 10_000;

/** Pending decisions a step adds (their records put) less those it finishes (deleted): a pending record is only ever put new. */
function pendingDelta(mutations: Mutations): number {
  let delta = 0;
  for (const [key] of mutations.put) if (key.startsWith(PENDING_PREFIX)) delta++;
  for (const key of mutations.del) if (key.startsWith(PENDING_PREFIX)) delta--;
  return delta;
}

/** Pending decisions in the store, by their close timers (one each, with empty values), a page at a time. */
async function countPending(store: KeyValueStore, holds: Holds): Promise<number> {
  let count = 0;
  for await (const page of scanPages(store, closeRange(MAX_KEY_TIME - 1), COUNT_PAGE))
    count += page.filter(([k]) => holds(k)).length;
  return count;
}

export interface JoinerCore {
  process(input: BatchInput): Promise<BatchOutput>;
  /**
   * Closes due windows and forgets expired markers, TICK_CHUNK timers of each at a time, each chunk
   * one atomic write under the lock; resolves with the examples emitted. Once `stop` is aborted it
   * takes no further chunk: what is left stays due for the next tick.
   */
  tick(stop?: AbortSignal): Promise<number>;
  /** The joiner's clock (joiner-clock.ts): wall clock less a grace once caught up, else the oldest lagging input. */
  clock(): number;
  /** Decisions waiting in the store for their label window to close (counted on start, then kept up to date). */
  pending(): number;
  /**
   * Runs `work` with no batch or tick in progress (a rebalance restoring state), then recounts
   * pending decisions. `work` returns the input partitions ("topic/partition") it found behind
   * their end: the clock does not advance until each has delivered a batch.
   */
  exclusively(work: () => Promise<readonly string[] | void>): Promise<void>;
}

/** A record of a batch as decoded before its step: a decision, an outcome, neither (a label event, an empty record), or what could not be decoded. */
type Ahead =
  | { kind: 'decision'; decision: Decision }
  | { kind: 'outcome'; outcome: Outcome }
  | { kind: 'undecodable'; reason: string }
  | { kind: 'none' };

/** The keys of a decision's join state, in the order readState reads them. */
function stateKeyList(decisionId: string): string[] {
  const keys = stateKeys(decisionId);
  return [keys.pending, keys.done, keys.earlyOutcome];
}

/** The state keys a decision's or an outcome's step reads. */
function keysReadAhead(ahead: Ahead): string[] {
  if (ahead.kind === 'decision') return stateKeyList(ahead.decision.decisionId);
  if (ahead.kind === 'outcome') return stateKeyList(ahead.outcome.decisionId);
  return [];
}

/**
 * Timers of each kind one chunk of a tick handles under the lock: windows that come due together
 * (a backlog caught up) must not hold the batches back, and with them the group's heartbeats, past
 * a session; a tick takes chunks until no timer is due.
 */
const TICK_CHUNK = 2000;

/** Which records this instance holds: with several joiners, windows of the others' partitions are theirs to close. */
export type Holds = (key: string) => boolean;

export function createJoinerCore(
  ctx: ServiceContext,
  store: KeyValueStore,
  blueprints: BlueprintWatch,
  outbox: Outbox,
  deadLetters: DeadLetterSink,
  holds: Holds = () => true,
): JoinerCore {
  const clock = new JoinerClock();
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lock.then(work, work);
    lock = run.catch(() => undefined);
    return run;
  };
  const encodeExample = (e: Example) => ctx.codec.encode(topics.examples, e);
  const examplesEmitted = looperCounter(ctx.metrics, 'examplesEmitted');
  const countEmitted = (examples: readonly Example[]) => {
    for (const e of examples) examplesEmitted.inc({ blueprint: e.blueprint, label_source: e.labelSource });
  };
  // Where each tick's scans start: past the timers the ticks before it got through (timer-floor.ts).
  const closeFloor = new TimerFloor();
  const forgetFloor = new TimerFloor();
  /** Tells the floors of the timers a write put in the store: called once it is written. */
  const noteTimers = (put: WriteSet['put']) => {
    for (const [key] of put) {
      const timer = timerOf(key);
      if (timer !== null) (timer.kind === 'close' ? closeFloor : forgetFloor).written(timer.at);
    }
  };
  // Counted under the lock before any batch runs, so no step's change is missed or counted twice.
  let pending = 0;
  exclusive(async () => void (pending = await countPending(store, holds))).catch((error) =>
    ctx.log(`counting pending decisions failed: ${errorMessage(error)}`),
  );
  looperGauge(ctx.metrics, 'joinerDecisionsPending', () => pending);

  /** A decision may name a blueprint registered a moment ago that this watch has not read yet. */
  async function awaitBlueprint(name: string): Promise<Blueprint | undefined> {
    for (let i = 0; i < 50 && !blueprints.current().has(name); i++) await new Promise((r) => setTimeout(r, 100));
    return blueprints.current().get(name);
  }

  async function readState(overlay: BatchOverlay, decisionId: string): Promise<DecisionState> {
    const [pending, done, early] = await overlay.getMany(stateKeyList(decisionId));
    return {
      ...(pending ? { pending: decodePending(pending) } : {}),
      ...(done ? { done: decodeDone(done) } : {}),
      ...(early ? { earlyOutcome: decodeEarlyOutcome(early) } : {}),
    };
  }

  /** The events of the decision's entity already read from the topic its label matches by entity, within its window. */
  async function readRecentEvents(overlay: BatchOverlay, bp: Blueprint, decision: Decision): Promise<EntityEvent[]> {
    const { topic, match, windowMs } = bp.label;
    if (topic === null || match !== 'entity') return [];
    const keys = await overlay.scanKeys(recentEventRange(topic, decision.entity, decision.ts, decision.ts + windowMs));
    const values = await overlay.getMany(keys);
    return values.flatMap((v) => {
      if (!v) return [];
      const e = decodeRecentEvent(v);
      return [{ topic, entity: decision.entity, ts: e.ts, value: e.fields }];
    });
  }

  async function readPendings(overlay: BatchOverlay, ids: string[]): Promise<PendingDecision[]> {
    const values = await overlay.getMany(ids.map((id) => joinerKeys.pending(id)));
    return values.flatMap((v) => (v ? [decodePending(v)] : []));
  }

  /** Decisions and outcomes decoded ahead of their steps, so that the states a batch needs are read at once. */
  async function decodeAhead(topic: string, message: KafkaMessage): Promise<Ahead> {
    if (!message.value) return { kind: 'none' };
    try {
      if (topic === topics.decisions.name)
        return { kind: 'decision', decision: await ctx.codec.decode<Decision>(topics.decisions, message.value) };
      if (topic === topics.outcomes.name)
        return { kind: 'outcome', outcome: await ctx.codec.decode<Outcome>(topics.outcomes, message.value) };
    } catch (error) {
      return { kind: 'undecodable', reason: errorMessage(error) };
    }
    return { kind: 'none' };
  }

  async function step(
    input: BatchInput,
    message: KafkaMessage,
    ahead: Ahead,
    overlay: BatchOverlay,
  ): Promise<JoinResult> {
    const poison = (code: string, reason: string) =>
      deadLetters
        .send(
          {
            sourceTopic: input.topic,
            partition: input.partition,
            offset: message.offset,
            key: message.key,
            payload: message.value ?? Buffer.alloc(0),
          },
          code,
          reason,
        )
        .then(emptyResult);
    if (!message.value) return poison('empty_record', 'the record has no value');
    try {
      if (ahead.kind === 'undecodable') return poison('undecodable', `${input.topic}: ${ahead.reason}`);
      if (ahead.kind === 'decision') {
        const { decision } = ahead;
        const bp = blueprints.current().get(decision.blueprint) ?? (await awaitBlueprint(decision.blueprint));
        if (!bp)
          return poison(
            'unknown_blueprint',
            `decision ${decision.decisionId} names blueprint "${decision.blueprint}", which is not registered`,
          );
        return onDecision(
          decision,
          { ...bp.label, classes: multiclassTaskOf(bp) !== null },
          await readState(overlay, decision.decisionId),
          joinerDefaults,
          await readRecentEvents(overlay, bp, decision),
        );
      }
      if (ahead.kind === 'outcome') return onOutcome(ahead.outcome, await readState(overlay, ahead.outcome.decisionId));
      return await labelEvent(input, message, overlay, poison);
    } catch (error) {
      return poison('undecodable', `${input.topic}: ${errorMessage(error)}`);
    }
  }

  async function labelEvent(
    input: BatchInput,
    message: KafkaMessage,
    overlay: BatchOverlay,
    poison: (code: string, reason: string) => Promise<JoinResult>,
  ): Promise<JoinResult> {
    const labelled = [...blueprints.current().values()].filter((bp: Blueprint) => bp.label.topic === input.topic);
    if (labelled.length === 0) return emptyResult();
    const decoded = await decodeProductEvent(message.value, labelled[0]!.label.format, ctx.registry);
    if (!decoded.ok) return poison(decoded.code, decoded.reason);
    const ts = typeof decoded.value['ts'] === 'number' ? (decoded.value['ts'] as number) : Number(message.timestamp);
    let result = emptyResult();
    for (const bp of labelled) {
      if (bp.label.match === 'decisionId') {
        const decisionId = decoded.value['decisionId'];
        if (typeof decisionId !== 'string')
          return poison(
            'missing_field',
            `field "decisionId" is missing in the event; blueprint ${bp.name} matches ${input.topic} by decision id`,
          );
        result = addResult(
          result,
          onOutcome({ topic: input.topic, decisionId, ts, value: decoded.value }, await readState(overlay, decisionId)),
        );
        continue;
      }
      const entity = bp.label.entityField ? decoded.value[bp.label.entityField] : message.key?.toString();
      if (typeof entity !== 'string' || entity === '')
        return poison(
          'no_key',
          `the event names no entity (${bp.label.entityField ? `field "${bp.label.entityField}"` : 'record key'})`,
        );
      const ids = (await overlay.scanKeys(entityRange(input.topic, entity))).map((k) => parseEntityKey(k).decisionId);
      result = addResult(
        result,
        onEntityEvent({ topic: input.topic, entity, ts, value: decoded.value }, await readPendings(overlay, ids)),
      );
    }
    return result;
  }

  return {
    process: (input) =>
      exclusive(async () => {
        const overlay = new BatchOverlay(store);
        const examples: Example[] = [];
        let added = 0;
        const last = input.messages[input.messages.length - 1]!;
        clock.read(
          `${input.topic}/${input.partition}`,
          Number(last.timestamp),
          BigInt(last.offset) + 1n >= BigInt(input.highWatermark),
        );
        const ahead: Ahead[] = [];
        for (const message of input.messages) ahead.push(await decodeAhead(input.topic, message));
        await overlay.prefetch(ahead.flatMap(keysReadAhead));
        for (let i = 0; i < input.messages.length; i++) {
          const result = await step(input, input.messages[i]!, ahead[i]!, overlay);
          overlay.apply(result.mutations);
          added += pendingDelta(result.mutations);
          examples.push(...result.examples);
        }
        overlay.apply({ put: outboxEntries(examples, encodeExample), del: [] });
        const writes = overlay.toWriteSet();
        const afterWrite = async () => {
          noteTimers(writes.put);
          pending += added;
          countEmitted(examples);
          if (examples.length > 0) await outbox.drain();
        };
        return { ...writes, afterWrite };
      }),

    async tick(stop) {
      const now = clock.at(Date.now());
      const closes = closeRange(now, closeFloor.startTick());
      const forgets = forgetRange(now, forgetFloor.startTick());
      // Where each scan resumes, null once it has reached the range's end.
      let closeFrom: string | null = closes.gte;
      let forgetFrom: string | null = forgets.gte;
      let emitted = 0;
      while ((closeFrom !== null || forgetFrom !== null) && !stop?.aborted) {
        const closeStart = closeFrom;
        const forgetStart = forgetFrom;
        emitted += await exclusive(async () => {
          const closeRows = closeStart === null ? [] : await store.scan({ gte: closeStart, lt: closes.lt }, TICK_CHUNK);
          const forgetRows =
            forgetStart === null ? [] : await store.scan({ gte: forgetStart, lt: forgets.lt }, TICK_CHUNK);
          // Past the last key read, not from the start: timers of partitions held elsewhere stay.
          closeFrom = closeRows.length === TICK_CHUNK ? keyAfter(closeRows[closeRows.length - 1]![0]) : null;
          forgetFrom = forgetRows.length === TICK_CHUNK ? keyAfter(forgetRows[forgetRows.length - 1]![0]) : null;
          const dueIds = closeRows.filter(([k]) => holds(k)).map(([k]) => parseCloseKey(k).decisionId);
          const overlay = new BatchOverlay(store);
          const result = onTick(now, await readPendings(overlay, dueIds));
          overlay.apply(result.mutations);
          overlay.apply(
            forgetExpired(
              now,
              forgetRows.filter(([k]) => holds(k)).map(([k]) => k),
            ),
          );
          overlay.apply({ put: outboxEntries(result.examples, encodeExample), del: [] });
          const writes = overlay.toWriteSet();
          await store.write(writes);
          noteTimers(writes.put);
          pending += pendingDelta(result.mutations);
          countEmitted(result.examples);
          if (result.examples.length > 0) await outbox.drain();
          return result.examples.length;
        });
      }
      if (closeFrom === null && forgetFrom === null) {
        closeFloor.finishTick(now);
        forgetFloor.finishTick(now);
      }
      return emitted;
    },

    clock: () => clock.at(Date.now()),

    pending: () => pending,

    exclusively: (work) =>
      exclusive(async () => {
        clock.assigned((await work()) ?? [], Date.now());
        closeFloor.reset();
        forgetFloor.reset();
        pending = await countPending(store, holds);
      }),
  };
}
