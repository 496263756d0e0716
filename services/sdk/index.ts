// Looper's client for product code: ask for decisions over NATS and report outcomes to Kafka.
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
import { LooperError, errorMessage } from '../lib/errors.js';
import { subjects } from '../lib/names.js';
import type { DecideErrorReply, DecideReply } from '../lib/decide/reply.js';
import type { Outcome } from '../lib/schemas/generated.js';
import { topics } from '../../topology/topics.js';

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

/** Looper answered with an error (unknown blueprint, malformed request, missing entity, …). */
export class DecideError extends LooperError {
  constructor(
    code: string,
    message: string,
    readonly blueprint: string,
  ) {
    super(code, `decide ${blueprint}: ${message}`);
    this.name = 'DecideError';
  }
}

/** Looper could not be reached and no fallback action is known for the blueprint. */
export class LooperUnavailableError extends LooperError {
  constructor(blueprint: string, cause: unknown) {
    super(
      'unavailable',
      `decide ${blueprint}: Looper did not answer (${errorMessage(cause)}) and no fallbackAction is known; pass { fallbackAction }`,
      { cause, retriable: true },
    );
    this.name = 'LooperUnavailableError';
  }
}

export interface LooperClientOptions extends Partial<LooperConfig> {
  /** Default deadline for decide calls (ms); the blueprint's own deadline applies when shorter. */
  deadlineMs?: number;
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

export class LooperClient {
  /** The default action of each blueprint, learned from its fallback replies. */
  private readonly defaults = new Map<string, string>();

  private constructor(
    private readonly nats: NatsConnection,
    private readonly producer: Producer,
    private readonly codec: TopicCodec,
    private readonly deadlineMs: number,
  ) {}

  /** Connects with the LOOPER_* environment (or the options given). */
  static async connect(options: LooperClientOptions = {}): Promise<LooperClient> {
    const config = { ...compileConfig(process.env, homedir()), ...options };
    const nats = await connectNats(config, 'looper-sdk', { maxReconnectAttempts: -1 });
    const kafka = createKafkaClient(config, { clientId: 'looper-sdk' });
    const producer = kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const codec = await createTopicCodec(createSchemaRegistryClient(config), [topics.outcomes]);
    return new LooperClient(nats, producer, codec, options.deadlineMs ?? 100);
  }

  /** Asks for a decision about `entity`. Never hangs: past the deadline the answer is a fallback. */
  async decide(
    blueprint: string,
    entity: string,
    context: Record<string, unknown> = {},
    options: DecideOptions = {},
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

  /** Reports what happened after a decision (e.g. 1 for a click); the joiner turns it into a label. */
  async outcome(decisionId: string, value: number, options: { ts?: number; candidateId?: string } = {}): Promise<void> {
    if (!Number.isFinite(value))
      throw new LooperError('bad_outcome', `outcome value must be a finite number, not ${value}`);
    const outcome: Outcome = {
      decisionId,
      value,
      ts: options.ts ?? Date.now(),
      candidateId: options.candidateId ?? null,
    };
    await this.producer.send({
      topic: topics.outcomes.name,
      acks: -1,
      messages: [{ key: decisionId, value: this.codec.encode(topics.outcomes, outcome) }],
    });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
    await this.nats.drain();
  }
}
