// What `looper events publish` reads (pure): one JSON object per line, each with its Kafka key.
// Every line is checked before anything is published, and a mistake is a UsageError that gives
// the line's number and why, so a file is published whole or not at all.
import { UsageError, errorMessage } from '../lib/errors.js';

/**
 * How each event is keyed: one key for all (--key) or a field of each event (--key-field). One is
 * required: Looper reads an event's entity from its Kafka key (unless a blueprint names an
 * entity_field), and a keyless event would land on an arbitrary partition.
 */
export type EventKeying = { kind: 'key'; key: string } | { kind: 'field'; field: string };

export interface OutgoingEvent {
  /** 1-based line of the input. */
  line: number;
  key: string;
  /** The line as given (trimmed): published byte for byte, not re-serialised. */
  value: string;
}

/** The keying from the options: one of them, and both at once is refused rather than one silently winning. */
export function eventKeying(options: { key?: string; keyField?: string }): EventKeying {
  if (options.key !== undefined && options.keyField !== undefined)
    throw new UsageError(
      'events publish: give --key (one key for every event) or --key-field (a field of each event), not both',
    );
  if (options.key !== undefined) return { kind: 'key', key: options.key };
  if (options.keyField !== undefined) {
    if (options.keyField === '') throw new UsageError('events publish: --key-field needs a field name, e.g. user');
    return { kind: 'field', field: options.keyField };
  }
  throw new UsageError(
    'events publish: say how to key the events: --key-field FIELD (each event by its own field, e.g. --key-field user) or --key KEY (every event by KEY)',
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A topic name Kafka accepts: 1–249 of letters, digits, '.', '_' and '-', and not '.' or '..'. */
export function topicNameProblem(topic: string): string | null {
  if (topic === '' || topic === '.' || topic === '..' || topic.length > 249 || !/^[A-Za-z0-9._-]+$/.test(topic))
    return `"${topic}" is not a Kafka topic name: use 1 to 249 letters, digits, '.', '_' and '-'`;
  return null;
}

/**
 * The events of `text` (from `source`, a file name or "stdin"), in order. Blank lines are skipped;
 * any other line must be a JSON object, and with --key-field must have that field as a string or
 * a finite number (the key is its text).
 */
export function parseEventLines(text: string, source: string, keying: EventKeying): OutgoingEvent[] {
  const events: OutgoingEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const value = lines[i]!.trim();
    if (value === '') continue;
    const where = `events publish: line ${i + 1} of ${source}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new UsageError(
        `${where} is not JSON (${errorMessage(error)}); write one JSON object per line, like {"user": "u1", "type": "open"}`,
        'bad_event',
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new UsageError(
        `${where} is not a JSON object but ${kindOf(parsed)}; write one JSON object per line, like {"user": "u1", "type": "open"}`,
        'bad_event',
      );
    events.push({ line: i + 1, key: eventKey(parsed as Record<string, unknown>, keying, where), value });
  }
  return events;
}

function eventKey(event: Record<string, unknown>, keying: EventKeying, where: string): string {
  if (keying.kind === 'key') return keying.key;
  const { field } = keying;
  if (!Object.hasOwn(event, field))
    throw new UsageError(
      `${where} has no field "${field}" to key it by (--key-field ${field}); give every event that field, or use --key`,
      'bad_event',
    );
  const key = event[field];
  if (typeof key === 'string') return key;
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  throw new UsageError(
    `${where}: its "${field}" is ${kindOf(key)}, not a string or a number, so it cannot be the key (--key-field ${field})`,
    'bad_event',
  );
}
