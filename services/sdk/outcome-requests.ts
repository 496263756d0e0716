// Outcomes over NATS as the SDK reports them: one on looper.outcome, many on looper.outcome.batch,
// each tried again while Looper is away (no predictor answers, none replied, or Kafka did not take
// it), as kafkajs retries a produce: a predictor restarting or a broker failing over is seconds,
// and an outcome lost is a label lost. Safe: a decision keeps its first outcome. The request and
// the clock come in as arguments, so that the retries are tested without NATS or waiting.
import { LooperError, errorMessage } from '../lib/errors.js';
import { subjects } from '../lib/names.js';
import { noPredictorAnswers } from '../lib/nats-no-responders.js';
import { MAX_BATCH_OUTCOMES } from '../lib/outcome/request.js';
import {
  OUTCOME_DEADLINE_MS,
  OUTCOME_REPLY_SLACK_MS,
  type OutcomeBatchEntry,
  type OutcomeBatchReply,
  type OutcomeReply,
} from '../lib/outcome/reply.js';
import type { Outcome } from '../lib/schemas/generated.js';
import { topics } from '../../topology/topics.js';
import { ClientClosedError, OutcomeError } from './errors.js';

/** One outcome of a batch. */
export interface OutcomeReport {
  decisionId: string;
  value: number;
  ts?: number;
  candidateId?: string;
}

/**
 * A NATS request (NatsConnection.request): the reply's data, or a throw when none came; a
 * ClientClosedError once the client is closed, which ends the retries.
 */
export type OutcomeRequest = (subject: string, body: Uint8Array, timeoutMs: number) => Promise<Uint8Array>;

/** The time the retries read and wait by. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How long an outcome keeps being tried while Looper is away before the SDK gives up, unless the client says otherwise. */
export const OUTCOME_RETRY_MS = 15_000;
const REQUEST_TIMEOUT_MS = OUTCOME_DEADLINE_MS + OUTCOME_REPLY_SLACK_MS;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Why an outcome request got no reply, in words a caller can act on (its code is `unavailable`). */
function unanswered(subject: string, error: unknown): string {
  return (
    noPredictorAnswers(subject, error, { otherwise: "report with { via: 'kafka' }" }) ??
    `no reply on ${subject} within ${REQUEST_TIMEOUT_MS} ms (${errorMessage(error)}); it may not be on ${topics.outcomes.name}: report it again (the joiner keeps a decision's first outcome)`
  );
}

/**
 * Runs `attempt` until `away` says its result is not Looper being away, or the next try would start
 * past `retryMs` from the first; waits 100 ms, then twice as long each time up to 2 s.
 * Returns the last attempt's result.
 */
async function whileAway<T>(
  attempt: () => Promise<T>,
  away: (result: T) => boolean,
  clock: RetryClock,
  retryMs: number,
): Promise<T> {
  const giveUpAt = clock.now() + retryMs;
  for (let wait = 100; ; wait = Math.min(2 * wait, 2000)) {
    const result = await attempt();
    if (!away(result) || clock.now() + wait > giveUpAt) return result;
    await clock.sleep(wait);
  }
}

/** Reports one checked outcome on looper.outcome; throws OutcomeError when it is refused or Looper stays away. */
export async function requestOutcome(
  request: OutcomeRequest,
  outcome: Outcome,
  clock: RetryClock,
  retryMs = OUTCOME_RETRY_MS,
): Promise<void> {
  const body = encoder.encode(JSON.stringify(outcome));
  const failure = await whileAway(
    async (): Promise<OutcomeError | null> => {
      try {
        const data = await request(subjects.outcome, body, REQUEST_TIMEOUT_MS);
        const reply = JSON.parse(decoder.decode(data)) as OutcomeReply;
        return reply.ok ? null : new OutcomeError(reply.error.code, reply.error.message, outcome.decisionId);
      } catch (error) {
        if (error instanceof ClientClosedError) return new OutcomeError('closed', error.message, outcome.decisionId);
        return new OutcomeError('unavailable', unanswered(subjects.outcome, error), outcome.decisionId);
      }
    },
    (failure) => failure?.code === 'unavailable',
    clock,
    retryMs,
  );
  if (failure !== null) throw failure;
}

/** A batch round's outcomes to send again (by index), and why a request got no reply, if one did not. */
interface BatchRound {
  again: number[];
  unreplied: LooperError | null;
}

/** Sends the `pending` outcomes of `reports` and writes every final answer into `results`, by index. */
async function sendBatchRound(
  request: OutcomeRequest,
  reports: readonly OutcomeReport[],
  pending: readonly number[],
  results: OutcomeBatchEntry[],
): Promise<BatchRound> {
  const round: BatchRound = { again: [], unreplied: null };
  for (let start = 0; start < pending.length; start += MAX_BATCH_OUTCOMES) {
    const chunk = pending.slice(start, start + MAX_BATCH_OUTCOMES);
    // Once a request got no reply, the next would likely wait out the same timeout: they go next round.
    if (round.unreplied !== null) {
      round.again.push(...chunk);
      continue;
    }
    let reply: OutcomeBatchReply;
    try {
      const body = encoder.encode(JSON.stringify({ outcomes: chunk.map((index) => reports[index]) }));
      reply = JSON.parse(decoder.decode(await request(subjects.outcomeBatch, body, REQUEST_TIMEOUT_MS)));
    } catch (error) {
      if (error instanceof ClientClosedError) throw error;
      const message = `outcome batch: ${unanswered(subjects.outcomeBatch, error)}`;
      round.unreplied = new LooperError('unavailable', message, { cause: error, retriable: true });
      round.again.push(...chunk);
      continue;
    }
    if (!('results' in reply)) throw new LooperError(reply.error.code, `outcome batch: ${reply.error.message}`);
    for (const entry of reply.results) {
      const index = chunk[entry.index]!;
      results[index] = { ...entry, index };
      if (!entry.ok && entry.error.code === 'unavailable') round.again.push(index);
    }
  }
  return round;
}

/**
 * Reports outcomes on looper.outcome.batch, up to MAX_BATCH_OUTCOMES a request, and answers each by
 * its index in `reports`. Only those refused as `unavailable`, or whose request got no reply, are
 * sent again; the others are final. An outcome without a ts gets the time of this call, so that a
 * retry does not make it later. Throws LooperError `unavailable` when a request still got no reply
 * at the end, and the predictor's error when it refused a request whole.
 */
export async function requestOutcomes(
  request: OutcomeRequest,
  reports: readonly OutcomeReport[],
  clock: RetryClock,
  retryMs = OUTCOME_RETRY_MS,
): Promise<OutcomeBatchEntry[]> {
  const now = clock.now();
  const stamped = reports.map((report) => (report.ts === undefined ? { ...report, ts: now } : report));
  const results: OutcomeBatchEntry[] = [];
  let pending = stamped.map((_, index) => index);
  const last = await whileAway(
    async () => {
      const round = await sendBatchRound(request, stamped, pending, results);
      pending = round.again;
      return round;
    },
    (round) => round.again.length > 0,
    clock,
    retryMs,
  );
  if (last.unreplied !== null) throw last.unreplied;
  return results;
}
