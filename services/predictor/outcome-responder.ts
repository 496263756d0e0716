// Outcomes over NATS, for products that hold a NATS connection and nothing else: looper.outcome
// (one) and looper.outcome.batch (many), answered in the predictor's queue group because it holds
// the producer already. A reply says `ok` only once the outcome is on looper.outcomes; a bad one is
// refused with a code and a message, and nothing a caller sends can stop the subscription.
import type { NatsConnection } from 'nats';
import type { Counter, Registry } from 'prom-client';
import type { Outcome } from '../lib/schemas/generated.js';
import { parseOutcomeBatch, parseOutcomeRequest } from '../lib/outcome/request.js';
import { batchReply, type OutcomeBatchReply, type OutcomeErrorCode, type OutcomeReply } from '../lib/outcome/reply.js';
import { queueGroups, subjects } from '../lib/names.js';
import { errorMessage } from '../lib/errors.js';
import { looperCounter } from '../lib/observability/service-metrics.js';
import type { OutcomeRecord, WriteResult } from './outcome-writer.js';

/** Where valid outcomes go: the topic codec's encoding and the writer's acknowledged write. */
export interface OutcomeSink {
  encode(outcome: Outcome): Buffer;
  write(records: OutcomeRecord[]): Promise<WriteResult>;
}

/** Keyed by decision id, as every outcome on looper.outcomes: it lands in its decision's partition. */
const recordOf = (sink: OutcomeSink, outcome: Outcome): OutcomeRecord => ({
  key: outcome.decisionId,
  value: sink.encode(outcome),
});

/** The reply to a looper.outcome request; `now` is the ts of an outcome that gives none. */
export async function answerOutcome(body: Uint8Array, now: number, sink: OutcomeSink): Promise<OutcomeReply> {
  const checked = parseOutcomeRequest(body, now);
  if (!checked.ok) return checked;
  const written = await sink.write([recordOf(sink, checked.outcome)]);
  return written.ok ? { ok: true } : written;
}

/** The reply to a looper.outcome.batch request: the valid outcomes written together, each answered by index. */
export async function answerOutcomeBatch(body: Uint8Array, now: number, sink: OutcomeSink): Promise<OutcomeBatchReply> {
  const parsed = parseOutcomeBatch(body, now);
  if (!parsed.ok) return parsed;
  const valid = parsed.outcomes.flatMap((checked) => (checked.ok ? [recordOf(sink, checked.outcome)] : []));
  const written = await sink.write(valid);
  return batchReply(
    parsed.outcomes.map((checked) => (!checked.ok ? checked.error : written.ok ? null : written.error)),
  );
}

/** The code of each outcome a reply answers: one for a single reply or a batch refused whole, one per entry otherwise. */
export function replyCodes(reply: OutcomeReply | OutcomeBatchReply): Array<'ok' | OutcomeErrorCode> {
  if ('results' in reply) return reply.results.map((entry) => (entry.ok ? 'ok' : entry.error.code));
  return [reply.ok ? 'ok' : reply.error.code];
}

const REPLY_CODES = ['ok', 'bad_request', 'bad_value', 'unavailable', 'internal'] as const;

const encoder = new TextEncoder();

/** Subscribes to both outcome subjects in the predictor's queue group. `now` reads the clock (ms). */
export function startOutcomeResponder(
  nats: NatsConnection,
  metrics: Registry,
  sink: OutcomeSink,
  log: (line: string) => void,
  now: () => number = Date.now,
): void {
  const counter = looperCounter(metrics, 'outcomeReplies');
  // Every series from the start, at zero, so a refusal rate is defined before the first refusal.
  const counted = new Map<string, Counter.Internal>(
    REPLY_CODES.map((code) => {
      counter.inc({ code }, 0);
      return [code, counter.labels({ code })];
    }),
  );

  const answerOn = (
    subject: string,
    answer: (body: Uint8Array, now: number, sink: OutcomeSink) => Promise<OutcomeReply | OutcomeBatchReply>,
  ) =>
    nats.subscribe(subject, {
      queue: queueGroups.predictor,
      callback: (err, msg) => {
        if (err) {
          log(`${subject} subscription: ${err.message}`);
          return;
        }
        answer(msg.data, now(), sink)
          .catch((error): OutcomeReply => ({
            ok: false,
            error: { code: 'internal', message: `the predictor failed: ${errorMessage(error)}` },
          }))
          .then((reply) => {
            for (const code of replyCodes(reply)) counted.get(code)!.inc();
            msg.respond(encoder.encode(JSON.stringify(reply)));
          })
          .catch((error) => log(`${subject}: reply not sent: ${errorMessage(error)}`));
      },
    });

  answerOn(subjects.outcome, answerOutcome);
  answerOn(subjects.outcomeBatch, answerOutcomeBatch);
}
