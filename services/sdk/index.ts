// Looper's client for product code: ask for decisions and report outcomes, both over NATS (or the
// outcomes straight to Kafka, for products already producing there).
//
//   const looper = await LooperClient.connect();
//   const d = await looper.decide('notification_send', 'user-42', { hour: 9, platform: 'ios' });
//   if (d.action === 'send') { ... }
//   await looper.outcome(d.decisionId, 1);   // the user clicked
import { homedir } from 'node:os';
import type { NatsConnection } from 'nats';
import { connectNats } from '../lib/nats-connect.js';
import type { Producer } from 'kafkajs';
import { compileConfig, type LooperConfig } from '../lib/config.js';
import { createKafkaClient, producerDefaults } from '../lib/kafka.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import { createTopicCodec, type TopicCodec } from '../lib/topic-codec.js';
import { subjects } from '../lib/names.js';
import type { DecideErrorReply, DecideReply } from '../lib/decide/reply.js';
import { readOutcome } from '../lib/outcome/request.js';
import type { OutcomeBatchEntry } from '../lib/outcome/reply.js';
import type { Outcome } from '../lib/schemas/generated.js';
import { topics } from '../../topology/topics.js';
import { ClientClosedError, DecideError, LooperUnavailableError, OutcomeError } from './errors.js';
import {
  requestOutcome,
  requestOutcomes,
  systemClock,
  OUTCOME_RETRY_MS,
  type OutcomeReport,
  type OutcomeRequest,
} from './outcome-requests.js';

export { ClientClosedError, DecideError, LooperUnavailableError, OutcomeError, type OutcomeReport };

/** A decision as the SDK returns it: Looper's reply, or one the SDK made itself when Looper could not be reached (then decisionId and version are null). */
export type Decision = Omit<DecideReply, 'decisionId' | 'version'> & {
  decisionId: string | null;
  version: number | null;
};

export interface DecideOptions {
  /** How long the decision may take (ms); Looper answers with the default past it. */
  deadlineMs?: number;
  /** The action to use if Looper cannot be reached at all; defaults to the blueprint's default, once seen. */
  fallbackAction?: string;
  /**
   * Your own decision, for a blueprint in apprentice mode: Looper answers with it (reply.apprentice)
   * while its model learns, and takes over once the model agrees with it often enough. Also the
   * answer when Looper cannot be reached.
   */
  currentAction?: string;
  /**
   * Ranking: the candidates to order, each with its id and the features the blueprint declares
   * under features.candidates. The reply's `ranking` lists the top k ids, best first; if Looper
   * cannot be reached the SDK answers with the candidates in the order given.
   */
  candidates?: ReadonlyArray<{ id: string; features?: Record<string, unknown> }>;
}

/**
 * How outcomes travel: `nats` (the default) asks the predictor on looper.outcome, which answers once
 * the outcome is on looper.outcomes; `kafka` produces the Avro record there directly, for products
 * already on Kafka (the SDK then connects to Kafka and the schema registry on the first outcome).
 */
export type OutcomeTransport = 'nats' | 'kafka';

export interface OutcomeOptions {
  /** When it happened (epoch ms); now when not given. */
  ts?: number;
  /** Ranking: the candidate the outcome is about (e.g. the item clicked). */
  candidateId?: string;
  /** This call's transport, instead of the client's. */
  via?: OutcomeTransport;
}

export interface LooperClientOptions extends Partial<LooperConfig> {
  /** Default deadline for decide calls (ms); the blueprint's own deadline applies when shorter. */
  deadlineMs?: number;
  /** How outcome() reports by default: over NATS (the default) or straight to Kafka. */
  outcomesVia?: OutcomeTransport;
  /**
   * How long outcome() and outcomes() keep trying while Looper is away (ms), 15 s unless given: a
   * product that must not lose an outcome across a broker restart (10–20 s) gives more.
   */
  outcomeRetryMs?: number;
}

/** A decision the SDK answers itself, with the caller's or the blueprint's default action. */
function localDecision(blueprint: string, action: string, reason: string): Decision {
  return {
    decisionId: null,
    blueprint,
    version: null,
    model: null,
    family: null,
    score: null,
    action,
    propensity: 1,
    fallback: true,
    fallbackReason: reason,
  };
}

/** A ranking answered by the SDK itself: the candidates in the order the caller gave them. */
function requestOrder(
  blueprint: string,
  candidates: NonNullable<DecideOptions['candidates']>,
  reason: string,
): Decision {
  const ranking = candidates.map((c) => c.id);
  return { ...localDecision(blueprint, ranking[0]!, reason), ranking };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Time allowed beyond the deadline for the reply to travel back. */
const REPLY_SLACK_MS = 50;

/** The Kafka side of the `kafka` transport, made on its first use. */
interface KafkaOutcomes {
  producer: Producer;
  codec: TopicCodec;
}

export class LooperClient {
  /** The default action of each blueprint, learned from its fallback replies. */
  private readonly defaults = new Map<string, string>();
  private kafkaOutcomes: Promise<KafkaOutcomes> | undefined;
  /** The calls not settled yet: close() waits for them before it drains the connection. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;
  /**
   * A NATS request as outcome-requests.ts takes it, so that its retries are tested without NATS;
   * once the client is closing it refuses, which ends an outcome's retries (ClientClosedError).
   */
  private readonly outcomeRequest: OutcomeRequest = async (subject, body, timeoutMs) => {
    if (this.closing) throw new ClientClosedError(subject);
    return (await this.nats.request(subject, body, { timeout: timeoutMs })).data;
  };

  private constructor(
    private readonly nats: NatsConnection,
    private readonly config: LooperConfig,
    private readonly deadlineMs: number,
    private readonly outcomesVia: OutcomeTransport,
    private readonly outcomeRetryMs: number,
  ) {}

  /** Connects to NATS with the LOOPER_* environment (or the options given); Kafka only when an outcome goes there. */
  static async connect(options: LooperClientOptions = {}): Promise<LooperClient> {
    const retryMs = options.outcomeRetryMs;
    if (retryMs !== undefined && !(Number.isFinite(retryMs) && retryMs >= 0))
      throw new RangeError(`outcomeRetryMs must be a number of ms ≥ 0 (15000 unless given), got ${retryMs}`);
    const config = { ...compileConfig(process.env, homedir()), ...options };
    const nats = await connectNats(config, 'looper-sdk', { maxReconnectAttempts: -1 });
    return new LooperClient(
      nats,
      config,
      options.deadlineMs ?? 100,
      options.outcomesVia ?? 'nats',
      options.outcomeRetryMs ?? OUTCOME_RETRY_MS,
    );
  }

  /** Runs a call that close() waits for; refused with ClientClosedError once close() was called. */
  private track<T>(what: string, call: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new ClientClosedError(what));
    const running = call();
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return running;
  }

  /**
   * Asks for a decision about `entity`. Never hangs: past the deadline the answer is a fallback.
   * Throws ClientClosedError once close() was called.
   */
  decide(
    blueprint: string,
    entity: string,
    context: Record<string, unknown> = {},
    options: DecideOptions = {},
  ): Promise<Decision> {
    return this.track(`decide ${blueprint}`, () => this.decideNow(blueprint, entity, context, options));
  }

  private async decideNow(
    blueprint: string,
    entity: string,
    context: Record<string, unknown>,
    options: DecideOptions,
  ): Promise<Decision> {
    const deadlineMs = options.deadlineMs ?? this.deadlineMs;
    let reply: DecideReply | DecideErrorReply;
    try {
      const body: Record<string, unknown> = { entity, context, deadlineMs };
      if (options.currentAction !== undefined) body['currentAction'] = options.currentAction;
      if (options.candidates !== undefined) body['candidates'] = options.candidates;
      const msg = await this.nats.request(subjects.decide(blueprint), encoder.encode(JSON.stringify(body)), {
        timeout: deadlineMs + REPLY_SLACK_MS,
      });
      reply = JSON.parse(decoder.decode(msg.data));
    } catch (error) {
      if (options.candidates !== undefined && options.candidates.length > 0)
        return requestOrder(blueprint, options.candidates, 'unreachable');
      const action = options.fallbackAction ?? options.currentAction ?? this.defaults.get(blueprint);
      if (action === undefined) throw new LooperUnavailableError(blueprint, error);
      return localDecision(blueprint, action, 'unreachable');
    }
    if ('error' in reply) {
      // An overloaded predictor refuses at once so that the caller can go on with the default.
      const action = options.fallbackAction ?? options.currentAction ?? this.defaults.get(blueprint);
      if (reply.error.code === 'overloaded' && options.candidates !== undefined && options.candidates.length > 0)
        return requestOrder(blueprint, options.candidates, 'overloaded');
      if (reply.error.code === 'overloaded' && action !== undefined)
        return localDecision(blueprint, action, 'overloaded');
      throw new DecideError(reply.error.code, reply.error.message, blueprint);
    }
    const decision: Decision = reply;
    // A fallback the exploration did not choose carries the blueprint's default (its propensity is
    // below 1 whenever the blueprint explores); a ranking's fallback is the request's own order,
    // not an action to remember.
    if (decision.fallback && !decision.explored && decision.ranking === undefined)
      this.defaults.set(blueprint, decision.action);
    return decision;
  }

  /**
   * Reports what happened after a decision (e.g. 1 for a click); the joiner turns it into a label.
   * Resolves once the outcome is on looper.outcomes; throws OutcomeError otherwise. While Looper is
   * away it tries again for up to 15 s (the client's outcomeRetryMs) before it throws `unavailable` (retriable: a decision keeps
   * its first outcome, so reporting it again is safe). Once close() was called it stops trying and
   * throws `closed` (ClientClosedError for a call made after it).
   */
  outcome(decisionId: string, value: number, options: OutcomeOptions = {}): Promise<void> {
    return this.track(`outcome of ${decisionId}`, () => this.outcomeNow(decisionId, value, options));
  }

  private async outcomeNow(decisionId: string, value: number, options: OutcomeOptions): Promise<void> {
    const checked = readOutcome({ decisionId, value, ts: options.ts, candidateId: options.candidateId }, Date.now());
    if (!checked.ok) throw new OutcomeError(checked.error.code, checked.error.message, decisionId);
    if ((options.via ?? this.outcomesVia) === 'kafka') {
      await this.produceOutcome(checked.outcome);
      return;
    }
    await requestOutcome(this.outcomeRequest, checked.outcome, systemClock, this.outcomeRetryMs);
  }

  /**
   * Reports many outcomes over NATS (looper.outcome.batch, up to 1,000 a request): each is
   * acknowledged or refused on its own, answered by its index in `outcomes`. As outcome(), it tries
   * again for up to 15 s (outcomeRetryMs) while Looper is away, only the outcomes refused as `unavailable` (or whose
   * request got no reply); an outcome without a ts is stamped with the time of the call. Throws
   * `unavailable` only when a request still got no reply then: report them all again (safe, a
   * decision keeps its first outcome). Once close() was called it stops trying and throws
   * ClientClosedError.
   */
  outcomes(outcomes: readonly OutcomeReport[]): Promise<OutcomeBatchEntry[]> {
    return this.track('outcome batch', () =>
      requestOutcomes(this.outcomeRequest, outcomes, systemClock, this.outcomeRetryMs),
    );
  }

  /** The `kafka` transport: the Avro record produced with acks from every in-sync replica. */
  private async produceOutcome(outcome: Outcome): Promise<void> {
    this.kafkaOutcomes ??= this.connectKafka().catch((error: unknown) => {
      this.kafkaOutcomes = undefined; // the next outcome tries again
      throw error;
    });
    const { producer, codec } = await this.kafkaOutcomes;
    await producer.send({
      topic: topics.outcomes.name,
      acks: -1,
      messages: [{ key: outcome.decisionId, value: codec.encode(topics.outcomes, outcome) }],
    });
  }

  private async connectKafka(): Promise<KafkaOutcomes> {
    const kafka = createKafkaClient(this.config, { clientId: 'looper-sdk' });
    const producer = kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const codec = await createTopicCodec(createSchemaRegistryClient(this.config), [topics.outcomes]);
      return { producer, codec };
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Closes the client once however often it is called: new calls are refused at once, outcomes being
   * tried again stop at their next try, and the calls in flight settle (a decide within its deadline)
   * before the connection drains, so that none meets a draining connection.
   */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    await Promise.all(this.inFlight);
    const kafka = await this.kafkaOutcomes?.catch(() => undefined);
    await kafka?.producer.disconnect();
    if (!this.nats.isClosed()) await this.nats.drain();
  }
}
