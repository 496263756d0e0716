// The joiner's steps wired to an in-memory ordered store: the reference for how the service uses
// them (read the state a step needs, call it, apply its mutations as one batch), and a test
// driver that pipes decisions, outcomes and events through with an explicit clock, no broker.
import type { BlueprintLabel, Decision, Example, Outcome } from '../schemas/generated.js';
import {
  forgetExpired,
  onDecision,
  onEntityEvent,
  onOutcome,
  onTick,
  type DecisionState,
  type EntityEvent,
  type EventOutcome,
} from './join.js';
import {
  closeRange,
  entityRange,
  forgetRange,
  joinerKeys,
  parseCloseKey,
  parseEntityKey,
  recentEventRange,
  stateKeys,
  type KeyRange,
} from './keys.js';
import type { Ignored, JoinResult, Mutations } from './mutations.js';
import { compileJoinerOptions, type JoinerOptions } from './options.js';
import { decodeDone, decodeEarlyOutcome, decodePending, decodeRecentEvent, type PendingDecision } from './records.js';

export class MemoryJoiner {
  private readonly store = new Map<string, Uint8Array>();
  private readonly options: JoinerOptions;
  /** Every record that made no example, in order. */
  readonly ignored: Ignored[] = [];

  constructor(options: Partial<JoinerOptions> = {}) {
    this.options = compileJoinerOptions(options);
  }

  decision(decision: Decision, label: BlueprintLabel): Example[] {
    const recent =
      label.match === 'entity' && label.topic !== null
        ? this.range(recentEventRange(label.topic, decision.entity, decision.ts, decision.ts + label.windowMs)).map(
            (key) => {
              const e = decodeRecentEvent(this.store.get(key)!);
              return { topic: label.topic!, entity: decision.entity, ts: e.ts, value: e.fields };
            },
          )
        : [];
    return this.apply(onDecision(decision, label, this.state(decision.decisionId), this.options, recent));
  }

  outcome(outcome: Outcome | EventOutcome): Example[] {
    return this.apply(onOutcome(outcome, this.state(outcome.decisionId), this.options));
  }

  entityEvent(event: EntityEvent): Example[] {
    const ids = this.range(entityRange(event.topic, event.entity)).map((key) => parseEntityKey(key).decisionId);
    return this.apply(onEntityEvent(event, this.pendings(ids), this.options));
  }

  /** Closes due windows, then forgets expired done markers and early outcomes. */
  tick(now: number): Example[] {
    const ids = this.range(closeRange(now)).map((key) => parseCloseKey(key).decisionId);
    const examples = this.apply(onTick(now, this.pendings(ids), this.options));
    this.write(forgetExpired(now, this.range(forgetRange(now))));
    return examples;
  }

  /** The stored keys, in byte order. */
  keys(): string[] {
    return [...this.store.keys()].sort();
  }

  get(key: string): Uint8Array | undefined {
    return this.store.get(key);
  }

  private state(decisionId: string): DecisionState {
    const keys = stateKeys(decisionId);
    const pending = this.store.get(keys.pending);
    const done = this.store.get(keys.done);
    const early = this.store.get(keys.earlyOutcome);
    return {
      ...(pending === undefined ? {} : { pending: decodePending(pending) }),
      ...(done === undefined ? {} : { done: decodeDone(done) }),
      ...(early === undefined ? {} : { earlyOutcome: decodeEarlyOutcome(early) }),
    };
  }

  private pendings(decisionIds: readonly string[]): PendingDecision[] {
    return decisionIds.flatMap((id) => {
      const bytes = this.store.get(joinerKeys.pending(id));
      return bytes === undefined ? [] : [decodePending(bytes)];
    });
  }

  private range(range: KeyRange): string[] {
    return this.keys().filter((key) => key >= range.gte && key < range.lt);
  }

  private apply(result: JoinResult): Example[] {
    this.write(result.mutations);
    this.ignored.push(...result.ignored);
    return result.examples;
  }

  private write(mutations: Mutations): void {
    for (const key of mutations.del) this.store.delete(key);
    for (const [key, value] of mutations.put) this.store.set(key, value);
  }
}
