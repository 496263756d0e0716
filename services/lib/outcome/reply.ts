// The replies of the outcome subjects (looper.outcome, looper.outcome.batch), declared once for
// the predictor that sends them and the SDK and CLI that read them.

/**
 * bad_request: not JSON, not an object, a missing or malformed decisionId, a bad ts or candidateId;
 * bad_value: a value that is missing, not a number or not finite; unavailable: Kafka did not
 * acknowledge the outcome within the deadline (retriable: reporting it again is safe, the joiner
 * keeps a decision's first outcome); internal: the predictor failed (a bug).
 */
export type OutcomeErrorCode = 'bad_request' | 'bad_value' | 'unavailable' | 'internal';

export interface OutcomeErrorBody {
  code: OutcomeErrorCode;
  message: string;
}

/** `{"ok": true}` only once the outcome is on looper.outcomes (acks from every in-sync replica). */
export type OutcomeReply = { ok: true } | { ok: false; error: OutcomeErrorBody };

/** One outcome of a batch: acknowledged, or refused with its own code. */
export type OutcomeBatchEntry = { index: number; ok: true } | { index: number; ok: false; error: OutcomeErrorBody };

/**
 * A batch's reply: every outcome's result by its index in the request (`ok` when all were
 * acknowledged), or one error when the request itself could not be read.
 */
export type OutcomeBatchReply =
  | { ok: boolean; acknowledged: number; refused: number; results: OutcomeBatchEntry[] }
  | { ok: false; error: OutcomeErrorBody };

/** How long the predictor waits for Kafka's acknowledgement before it replies `unavailable` (ms). */
export const OUTCOME_DEADLINE_MS = 5000;
/** What a client adds to the deadline for its request's timeout: the reply's way back. */
export const OUTCOME_REPLY_SLACK_MS = 1000;

/** A batch's reply from each outcome's refusal, null for those acknowledged, in request order. */
export function batchReply(refusals: ReadonlyArray<OutcomeErrorBody | null>): OutcomeBatchReply {
  const results: OutcomeBatchEntry[] = refusals.map((error, index) =>
    error === null ? { index, ok: true } : { index, ok: false, error },
  );
  const refused = refusals.filter((error) => error !== null).length;
  return { ok: refused === 0, acknowledged: refusals.length - refused, refused, results };
}
