// Reading an outcome reported over NATS (pure): one outcome on looper.outcome, many on
// looper.outcome.batch. Every refusal names the field and why, with the code the reply carries; a
// valid one is the Outcome record that goes to looper.outcomes as it is.
import type { Outcome } from '../schemas/generated.js';
import { MAX_KEY_TIME } from '../joiner/keys.js';
import type { OutcomeErrorBody, OutcomeErrorCode } from './reply.js';
import { showValue as show } from '../show-value.js';

/** An outcome request's largest body (a single outcome is some 100 bytes). */
export const MAX_OUTCOME_REQUEST_BYTES = 64 * 1024;
/** A batch request's largest body: NATS's default max_payload. */
export const MAX_BATCH_REQUEST_BYTES = 1024 * 1024;
/** Outcomes one batch may carry: each is answered by index in one reply. */
export const MAX_BATCH_OUTCOMES = 1000;
/** As long as a ranking candidate's id may be in a decide request. */
const MAX_CANDIDATE_ID_LENGTH = 256;

/**
 * What the predictor mints (crypto.randomUUID): a lowercase UUID. An outcome is joined to its
 * decision by this id and keyed by it (so it meets its decision in one partition), so an id of any
 * other shape, an uppercased one included, would never join: it is refused rather than written.
 */
const DECISION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DECISION_ID_EXAMPLE = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

export type CheckedOutcome = { ok: true; outcome: Outcome } | { ok: false; error: OutcomeErrorBody };

export type ParsedOutcomeBatch = { ok: true; outcomes: CheckedOutcome[] } | { ok: false; error: OutcomeErrorBody };

const decoder = new TextDecoder();

function refuse(code: OutcomeErrorCode, message: string): { ok: false; error: OutcomeErrorBody } {
  return { ok: false, error: { code, message } };
}

/** Why `id` is not a decision id, or null when it is one. */
export function decisionIdProblem(id: unknown): string | null {
  if (id === undefined || id === null || id === '')
    return 'decisionId is missing: send the decisionId of the decide reply the outcome is about';
  if (typeof id !== 'string') return `decisionId must be a string (the decide reply's decisionId), not ${show(id)}`;
  if (!DECISION_ID.test(id))
    return `decisionId ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} is not a decision id: decide replies carry a lowercase UUID such as "${DECISION_ID_EXAMPLE}"; send it unchanged`;
  return null;
}

/** Why `value` is no outcome value, or null when it is one. */
export function outcomeValueProblem(value: unknown): string | null {
  if (value === undefined || value === null) return 'value is missing: send a number, e.g. 1 for a click';
  if (typeof value !== 'number') return `value must be a number, not ${show(value)}`;
  if (!Number.isFinite(value)) return `value ${show(value)} is not a finite number`;
  return null;
}

/** The Outcome an outcome object describes (`ts` defaults to `now`), or why it is refused. */
export function readOutcome(raw: unknown, now: number): CheckedOutcome {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return refuse(
      'bad_request',
      `an outcome must be a JSON object like {"decisionId": "...", "value": 1}, not ${show(raw)}`,
    );
  const { decisionId, value, ts, candidateId } = raw as Record<string, unknown>;
  const idProblem = decisionIdProblem(decisionId);
  if (idProblem !== null) return refuse('bad_request', idProblem);
  const valueProblem = outcomeValueProblem(value);
  if (valueProblem !== null) return refuse('bad_value', valueProblem);
  if (
    ts !== undefined &&
    ts !== null &&
    (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0 || ts > MAX_KEY_TIME)
  )
    return refuse(
      'bad_request',
      `ts must be whole epoch milliseconds between 0 and ${MAX_KEY_TIME} (when the outcome happened; leave it out for now), not ${show(ts)}`,
    );
  if (
    candidateId !== undefined &&
    candidateId !== null &&
    (typeof candidateId !== 'string' || candidateId === '' || candidateId.length > MAX_CANDIDATE_ID_LENGTH)
  )
    return refuse(
      'bad_request',
      `candidateId must be the id of the ranked candidate the outcome is about (a string of 1 to ${MAX_CANDIDATE_ID_LENGTH} characters) or null, not ${show(candidateId)}`,
    );
  return {
    ok: true,
    outcome: {
      decisionId: decisionId as string,
      value: value as number,
      ts: typeof ts === 'number' ? ts : now,
      candidateId: typeof candidateId === 'string' ? candidateId : null,
    },
  };
}

/** The JSON of a request body, or the bad_request refusal of a body that is too large or not JSON. */
function readJson(
  body: Uint8Array,
  maxBytes: number,
  shape: string,
): { ok: true; raw: unknown } | { ok: false; error: OutcomeErrorBody } {
  if (body.length > maxBytes)
    return refuse('bad_request', `the request is ${body.length} bytes, over the ${maxBytes}-byte limit; send ${shape}`);
  try {
    return { ok: true, raw: JSON.parse(decoder.decode(body)) };
  } catch (error) {
    return refuse(
      'bad_request',
      `the request is not JSON (${error instanceof Error ? error.message : String(error)}); send ${shape}`,
    );
  }
}

const SINGLE_SHAPE = '{"decisionId": "...", "value": 1}';
const BATCH_SHAPE = '{"outcomes": [{"decisionId": "...", "value": 1}, ...]}';

/** A looper.outcome request: one outcome object. */
export function parseOutcomeRequest(body: Uint8Array, now: number): CheckedOutcome {
  const json = readJson(body, MAX_OUTCOME_REQUEST_BYTES, SINGLE_SHAPE);
  return json.ok ? readOutcome(json.raw, now) : json;
}

/**
 * A looper.outcome.batch request: {"outcomes": [...]}, each outcome checked on its own. Only a
 * request that cannot be read as a batch at all is refused whole.
 */
export function parseOutcomeBatch(body: Uint8Array, now: number): ParsedOutcomeBatch {
  const json = readJson(body, MAX_BATCH_REQUEST_BYTES, BATCH_SHAPE);
  if (!json.ok) return json;
  const { raw } = json;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return refuse('bad_request', `a batch must be a JSON object like ${BATCH_SHAPE}`);
  const list = (raw as Record<string, unknown>)['outcomes'];
  if (!Array.isArray(list))
    return refuse(
      'bad_request',
      `outcomes is ${list === undefined ? 'missing' : `not a list (${show(list)})`}: send ${BATCH_SHAPE}`,
    );
  if (list.length === 0) return refuse('bad_request', `outcomes is empty: send ${BATCH_SHAPE}`);
  if (list.length > MAX_BATCH_OUTCOMES)
    return refuse(
      'bad_request',
      `the batch has ${list.length} outcomes, over the ${MAX_BATCH_OUTCOMES} limit: send them in several batches`,
    );
  return { ok: true, outcomes: list.map((item) => readOutcome(item, now)) };
}
