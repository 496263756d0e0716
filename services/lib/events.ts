// Decoding product events: JSON objects, or schema-registry Avro in the Confluent wire format.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { BlueprintEventFormat } from './schemas/generated.js';
import { decodeRecord, registryReason } from './schema-registry.js';
import { errorMessage } from './errors.js';

export type DecodedEvent = { ok: true; value: Record<string, unknown> } | { ok: false; code: string; reason: string };

/** Events larger than this are refused before parsing (1 MiB, Kafka's default max message size). */
export const MAX_EVENT_BYTES = 1024 * 1024;

export async function decodeProductEvent(
  bytes: Buffer | null,
  format: BlueprintEventFormat,
  registry: SchemaRegistry,
): Promise<DecodedEvent> {
  if (format !== 'avro') return decodeJsonEvent(bytes);
  const refused = refusedValue(bytes);
  if (refused !== null) return refused;
  if (bytes![0] !== 0 || bytes!.length < 5)
    return {
      ok: false,
      code: 'bad_avro',
      reason: 'the value is not Confluent wire-format Avro (magic byte 0 and a 4-byte schema id)',
    };
  try {
    const value = await decodeRecord<unknown>(registry, bytes!);
    return isObject(value)
      ? { ok: true, value }
      : { ok: false, code: 'bad_avro', reason: 'the Avro value is not a record' };
  } catch (error) {
    const reason = registryReason(error);
    // Confluent says "Schema not found" (40403); Apicurio's compatible API "No content with ID … was found".
    const unknownId = /not found|40403|no schema|no content with id/i.test(reason);
    return {
      ok: false,
      code: unknownId ? 'unknown_schema_id' : 'bad_avro',
      reason: `schema id ${bytes!.readUInt32BE(1)}: ${reason}`,
    };
  }
}

/** A JSON product event, decoded without awaiting (ingest decodes every record; an await each costs). */
export function decodeJsonEvent(bytes: Buffer | null): DecodedEvent {
  const refused = refusedValue(bytes);
  if (refused !== null) return refused;
  let value: unknown;
  try {
    value = JSON.parse(bytes!.toString('utf8'));
  } catch (error) {
    return { ok: false, code: 'bad_json', reason: `the value is not JSON: ${errorMessage(error)}` };
  }
  return isObject(value)
    ? { ok: true, value }
    : {
        ok: false,
        code: 'bad_json',
        reason: `the JSON value is ${Array.isArray(value) ? 'an array' : typeof value}, not an object`,
      };
}

/** Why a record's value is refused before any decoding (none, or over the size limit); null when it is not. */
function refusedValue(bytes: Buffer | null): DecodedEvent | null {
  if (bytes === null || bytes.length === 0)
    return { ok: false, code: 'empty_event', reason: 'the record has no value' };
  if (bytes.length > MAX_EVENT_BYTES)
    return {
      ok: false,
      code: 'oversized_event',
      reason: `the value is ${bytes.length} bytes, over the ${MAX_EVENT_BYTES}-byte limit`,
    };
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
