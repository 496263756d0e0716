// What a stream feature reads from one decoded event (a plain object from JSON or Avro): the
// entity, the value and the event time. Pure; a failure is a reason the caller puts on the
// dead-letter topic, saying what is wrong, where and why, e.g.
//   field "duration_s" is "abc", not a number
// Fields are top-level names or dotted paths into nested records ("device.os"); a top-level key
// that itself contains a dot is found first.
import type { FeatureScalar } from '../feature-values.js';
import type { BlueprintStreamFeature } from '../schemas/generated.js';
import { FeatureSpecError } from './errors.js';

/** Why an event could not be read, as stable codes (the DLQ reason carries the details). */
export const EXTRACTION_FAILURES = {
  /** The entity is the record key, and the record has none. */
  noKey: 'no_key',
  /** A field (entity or value) is absent or null. */
  missingField: 'missing_field',
  /** A field holds a value of the wrong type, e.g. a string where a number is aggregated. */
  wrongType: 'wrong_type',
  /** Neither the event's ts nor the record timestamp gives a usable event time. */
  badTime: 'bad_time',
  /** An entity or a text value longer than Looper keeps: it would bloat every state, lookup and decision that carries it. */
  tooLong: 'too_long',
} as const;

/** The longest entity id kept (as the decide path's limit). */
export const MAX_ENTITY_LENGTH = 256;
/** The longest text value an aggregate keeps (last, last_n, distinct). */
export const MAX_TEXT_VALUE_LENGTH = 1024;
export type ExtractionFailure = (typeof EXTRACTION_FAILURES)[keyof typeof EXTRACTION_FAILURES];

export type Extraction<T> = { ok: true; value: T } | { ok: false; code: ExtractionFailure; reason: string };

/** The top-level event field holding the event time. */
export const EVENT_TIME_FIELD = 'ts';

const ok = <T>(value: T): Extraction<T> => ({ ok: true, value });
const failure = <T>(code: ExtractionFailure, reason: string): Extraction<T> => ({ ok: false, code, reason });

const NUMERIC_AGGREGATES: ReadonlySet<string> = new Set(['sum', 'mean', 'min', 'max', 'ewma']);

/** A value for a reason: strings quoted and cut at 40 characters, objects by kind. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Date) return `a Date (${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  return `a ${typeof value === 'object' ? 'record' : typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  );
}

type Lookup = { found: true; value: unknown } | { found: false; why: string };

/** The value at a top-level name or dotted path; only own properties count (no prototype keys such as "constructor"). */
function lookup(event: unknown, path: string): Lookup {
  if (!isRecord(event)) return { found: false, why: `the event is ${describeValue(event)}, not a record` };
  if (Object.hasOwn(event, path)) return { found: true, value: event[path] };
  const parts = path.split('.');
  let current: unknown = event;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (!isRecord(current))
      return { found: false, why: `"${parts.slice(0, i).join('.')}" is ${describeValue(current)}, not a record` };
    if (!Object.hasOwn(current, part)) return { found: false, why: '' };
    current = current[part];
  }
  return { found: true, value: current };
}

/** The field's value, or a missing_field failure: absent, or null (an Avro optional field left empty). */
function readField(event: unknown, path: string, label: string): Extraction<unknown> {
  const found = lookup(event, path);
  if (!found.found)
    return failure(
      EXTRACTION_FAILURES.missingField,
      `${label} "${path}" is missing in the event${found.why === '' ? '' : `: ${found.why}`}`,
    );
  if (found.value === null || found.value === undefined)
    return failure(EXTRACTION_FAILURES.missingField, `${label} "${path}" is null in the event`);
  return ok(found.value);
}

// The failures below are module functions, not closures made per call: extraction runs for every
// event of every spec, and the TypeScript loader wraps each closure it makes (profiles showed a
// sixth of ingest there).
const entityTooLong = (entity: string, where: string): Extraction<string> =>
  failure(
    EXTRACTION_FAILURES.tooLong,
    `${where} is ${entity.length} characters, over the ${MAX_ENTITY_LENGTH}-character limit of an entity id`,
  );

const wrongValue = (
  spec: Pick<BlueprintStreamFeature, 'field'>,
  value: unknown,
  expected: string,
): Extraction<FeatureScalar> =>
  failure(EXTRACTION_FAILURES.wrongType, `field "${spec.field}" is ${describeValue(value)}, not ${expected}`);

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The entity an event is about: the record key when the spec has no entityField, else that field
 * (a non-empty string, or a whole number written in decimal).
 */
export function extractEntity(
  key: string | null,
  event: unknown,
  spec: Pick<BlueprintStreamFeature, 'entityField'>,
): Extraction<string> {
  if (spec.entityField === null) {
    if (key === null || key === '')
      return failure(
        EXTRACTION_FAILURES.noKey,
        'the record has no key, and the entity is the record key (no entity_field is declared)',
      );
    return key.length > MAX_ENTITY_LENGTH ? entityTooLong(key, 'the record key') : ok(key);
  }
  const field = readField(event, spec.entityField, 'entity field');
  if (!field.ok) return field;
  const value = field.value;
  if (typeof value === 'string' && value !== '')
    return value.length > MAX_ENTITY_LENGTH ? entityTooLong(value, `entity field "${spec.entityField}"`) : ok(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return ok(String(value));
  if (typeof value === 'bigint') return ok(String(value));
  const what = value === '' ? 'an empty string' : describeValue(value);
  return failure(
    EXTRACTION_FAILURES.wrongType,
    `entity field "${spec.entityField}" is ${what}, not a non-empty string or whole number`,
  );
}

/**
 * The value a feature aggregates: null for count (which reads no field). Numeric aggregates (sum,
 * mean, min, max, ewma) take finite numbers, booleans as 1/0, and strings that are decimal numbers
 * ("12.5"); last, last_n and distinct take strings and finite numbers as they are, booleans as 1/0.
 * Throws FeatureSpecError when a non-count spec names no field.
 */
export function extractValue(
  event: unknown,
  spec: Pick<BlueprintStreamFeature, 'aggregate' | 'field'>,
): Extraction<FeatureScalar> {
  if (spec.aggregate === 'count') return ok(null);
  if (spec.field === null) throw new FeatureSpecError(spec.aggregate, 'field is required');
  const field = readField(event, spec.field, 'field');
  if (!field.ok) return field;
  const value = field.value;
  const numeric = NUMERIC_AGGREGATES.has(spec.aggregate);
  if (typeof value === 'boolean') return ok(value ? 1 : 0);
  if (typeof value === 'bigint')
    return ok(numeric || Number.isSafeInteger(Number(value)) ? Number(value) : String(value));
  if (typeof value === 'number') return Number.isFinite(value) ? ok(value) : wrongValue(spec, value, 'a finite number');
  if (typeof value === 'string') {
    if (!numeric && value.length > MAX_TEXT_VALUE_LENGTH) {
      return failure(
        EXTRACTION_FAILURES.tooLong,
        `field "${spec.field}" is ${value.length} characters, over the ${MAX_TEXT_VALUE_LENGTH}-character limit of a text value`,
      );
    }
    if (!numeric) return ok(value);
    return NUMBER_TEXT.test(value) && Number.isFinite(Number(value))
      ? ok(Number(value))
      : wrongValue(spec, value, 'a number');
  }
  return wrongValue(spec, value, numeric ? 'a number' : 'a string or number');
}

const DIGITS = /^-?\d+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whole epoch ms from a number, digit string, ISO-8601 time with offset, Date or bigint; null when none. */
function toEpochMs(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'bigint') ms = Number(value);
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string' && DIGITS.test(value)) ms = Number(value);
  else if (typeof value === 'string' && ISO_TIME.test(value)) ms = Date.parse(value);
  else return null;
  if (!Number.isFinite(ms)) return null;
  const whole = Math.floor(ms);
  return Number.isSafeInteger(whole) ? whole : null;
}

/**
 * The event time in whole epoch ms: the event's top-level `ts` when present and not null (epoch ms
 * as a number or digit string, or an ISO-8601 time with Z or an offset; sub-millisecond parts are
 * dropped), else the record timestamp (kafkajs gives it as a string; negative means none).
 */
export function extractEventTime(event: unknown, recordTimestampMs: number | string | null): Extraction<number> {
  const ts = isRecord(event) && Object.hasOwn(event, EVENT_TIME_FIELD) ? event[EVENT_TIME_FIELD] : null;
  if (ts !== null && ts !== undefined) {
    const ms = toEpochMs(ts);
    if (ms !== null) return ok(ms);
    return failure(
      EXTRACTION_FAILURES.badTime,
      `field "${EVENT_TIME_FIELD}" is ${describeValue(ts)}, not epoch milliseconds or an ISO-8601 time with a zone (e.g. 2024-05-01T12:00:00Z)`,
    );
  }
  const record = recordTimestampMs === null ? null : toEpochMs(recordTimestampMs);
  if (record !== null && record >= 0) return ok(record);
  return failure(
    EXTRACTION_FAILURES.badTime,
    `the event has no "${EVENT_TIME_FIELD}" field and the record timestamp is ${recordTimestampMs === null ? 'absent' : describeValue(recordTimestampMs)}`,
  );
}
