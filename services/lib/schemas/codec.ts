// Avro binary encoding of Looper's own records with the newest schema of each (generated.ts).
// Pure: no registry and no wire-format header; the registry-aware serde wraps these.
import avro from 'avsc';
import type { Type, types } from 'avsc';
import { LooperError } from '../errors.js';
import { describeType, kind, walkTypes } from './avro-types.js';
import { avroSchemas, type SchemaName } from './generated.js';

/** A value does not match its schema; `problems` names each offending field path. */
export class AvroEncodeError extends LooperError {
  constructor(
    readonly schema: SchemaName,
    readonly problems: string[],
    options: { cause?: unknown } = {},
  ) {
    super('avro_encode', `cannot encode ${schema}: ${problems.join('; ')}`, options);
    this.name = 'AvroEncodeError';
  }
}

/** Bytes are not a valid record of the schema (truncated, trailing bytes, another schema). */
export class AvroDecodeError extends LooperError {
  constructor(
    readonly schema: SchemaName,
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super('avro_decode', `cannot decode ${schema}: ${reason}`, options);
    this.name = 'AvroDecodeError';
  }
}

const cache = new Map<SchemaName, Type>();

/** The avsc type of the newest version of a schema, built once. */
export function avroType(name: SchemaName): Type {
  let type = cache.get(name);
  if (!type) {
    type = avro.Type.forSchema(avroSchemas[name].schema as Parameters<typeof avro.Type.forSchema>[0], {
      omitRecordMethods: true,
    });
    plainRecords(type);
    cache.set(name, type);
  }
  return type;
}

/** Encodes a value with the newest version of the schema; throws AvroEncodeError naming each bad field. */
export function encodeAvro(name: SchemaName, value: unknown): Buffer {
  const type = avroType(name);
  try {
    return type.toBuffer(value);
  } catch (error) {
    const problems: string[] = [];
    type.isValid(value, {
      errorHook: (path, got, expected) =>
        problems.push(`${[name, ...path].join('.')}: expected ${describeType(expected)}, got ${show(got)}`),
    });
    throw new AvroEncodeError(
      name,
      problems.length > 0 ? problems : [error instanceof Error ? error.message : String(error)],
      {
        cause: error,
      },
    );
  }
}

/** Decodes bytes written with the newest version of the schema into plain objects; throws AvroDecodeError. */
export function decodeAvro<T = unknown>(name: SchemaName, buf: Buffer): T {
  try {
    return avroType(name).fromBuffer(buf) as T;
  } catch (error) {
    throw new AvroDecodeError(name, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

// avsc builds each record with a generated constructor; pointing its prototype at Object.prototype
// makes decoded records plain objects, so they compare deep-equal to object literals and spread
// like any other value, at no decoding cost.
function plainRecords(type: Type): void {
  walkTypes(type, (t) => {
    const k = kind(t);
    if (k === 'record' || k === 'error') {
      ((t as types.RecordType).recordConstructor as { prototype: object }).prototype = Object.prototype;
    }
  });
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `${value.length} bytes`;
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
