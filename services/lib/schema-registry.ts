// The schema registry, spoken to only through the Confluent-compatible API, so that any
// Confluent Schema Registry works as well as the local Apicurio.
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { LooperConfig } from './config.js';
import { errorMessage, SchemaRegistryError } from './errors.js';

export function createSchemaRegistryClient(config: LooperConfig): SchemaRegistry {
  const auth = config.security.schemaRegistry;
  return new SchemaRegistry({
    host: config.schemaRegistryUrl,
    clientId: 'looper',
    retry: { retries: 2 },
    ...(auth === null ? {} : { auth: { username: auth.username, password: auth.password } }),
  });
}

export interface RegisteredValueSchema {
  subject: string;
  id: number;
  /** False when the registry already held exactly this schema under the subject. */
  isNew: boolean;
}

/** Registers `schema` under `subject` with BACKWARD compatibility; a refusal carries the registry's reason. */
export async function registerSchema(
  registry: SchemaRegistry,
  subject: string,
  schema: object,
): Promise<RegisteredValueSchema> {
  const text = JSON.stringify(schema);
  const existing = await registry
    .getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: text })
    .catch(() => null);
  if (existing !== null) return { subject, id: existing, isNew: false };
  try {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: text },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    return { subject, id, isNew: true };
  } catch (error) {
    throw new SchemaRegistryError(subject, registryReason(error), { cause: error });
  }
}

/** The registry's own words from a failed call (mappersmith errors carry the response body). */
export function registryReason(error: unknown): string {
  const text = errorMessage(error);
  const match = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text);
  return match ? JSON.parse(`"${match[1]}"`) : text;
}

/**
 * Decodes a Confluent wire-format record with its writer schema from the registry, as plain data
 * (avsc builds class instances per record type; callers compare and spread plain objects).
 */
export async function decodeRecord<T>(registry: SchemaRegistry, buffer: Buffer): Promise<T> {
  return structuredClone(await registry.decode(buffer)) as T;
}
