// Looper's own topics carry Avro in the Confluent wire format (magic 0, 4-byte schema id, body).
// Encoding uses the generated schemas with the id the registry gave them; decoding takes the
// fast path for those ids and asks the registry for the writer schema of any other id.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { SchemaName } from './schemas/generated.js';
import { avroSchemas } from './schemas/generated.js';
import { avroType, encodeAvro } from './schemas/codec.js';
import { registerSchema } from './schema-registry.js';
import avro from 'avsc';
import { LooperError, InvariantError } from './errors.js';
import { valueSubject, type TopicSpec } from '../../topology/topics.js';

export class WireFormatError extends LooperError {
  constructor(message: string) {
    super('bad_wire_format', message);
    this.name = 'WireFormatError';
  }
}

export interface TopicCodec {
  encode(topic: TopicSpec, value: unknown): Buffer;
  decode<T>(topic: TopicSpec, bytes: Buffer): Promise<T>;
}

export function schemaIdOf(bytes: Buffer): number {
  if (bytes.length < 5 || bytes[0] !== 0)
    throw new WireFormatError(
      `not Confluent wire format: ${bytes.length < 5 ? 'shorter than 5 bytes' : `magic byte is ${bytes[0]}, not 0`}`,
    );
  return bytes.readUInt32BE(1);
}

/** Registers (idempotently) the value schemas of `topics` and returns a codec for them. */
export async function createTopicCodec(registry: SchemaRegistry, topics: readonly TopicSpec[]): Promise<TopicCodec> {
  const ids = new Map<string, { id: number; schema: SchemaName }>();
  const resolvers = new Map<string, ReturnType<avro.Type['createResolver']>>();
  for (const topic of topics) {
    if (topic.valueSchema === null) continue;
    const { id } = await registerSchema(registry, valueSubject(topic.name), avroSchemas[topic.valueSchema].schema);
    ids.set(topic.name, { id, schema: topic.valueSchema });
  }
  const known = (topic: TopicSpec) => {
    const entry = ids.get(topic.name);
    if (!entry) throw new InvariantError(`topic ${topic.name} has no Avro value schema registered by this codec`);
    return entry;
  };
  return {
    encode(topic, value) {
      const { id, schema } = known(topic);
      const body = encodeAvro(schema, value);
      const out = Buffer.allocUnsafe(5 + body.length);
      out[0] = 0;
      out.writeUInt32BE(id, 1);
      body.copy(out, 5);
      return out;
    },
    async decode<T>(topic: TopicSpec, bytes: Buffer): Promise<T> {
      const { id, schema } = known(topic);
      const writerId = schemaIdOf(bytes);
      if (writerId === id) return avroType(schema).fromBuffer(bytes.subarray(5)) as T;
      // Written with another version: resolve it into the current schema, so fields added since
      // read as their defaults (what BACKWARD compatibility promises).
      const key = `${schema}:${writerId}`;
      let resolver = resolvers.get(key);
      if (!resolver) {
        const writer = await registry.getSchema(writerId);
        resolver = avroType(schema).createResolver(
          avro.Type.forSchema(JSON.parse(JSON.stringify(writer)) as avro.Schema),
        );
        resolvers.set(key, resolver);
      }
      return avroType(schema).fromBuffer(bytes.subarray(5), resolver) as T;
    },
  };
}
