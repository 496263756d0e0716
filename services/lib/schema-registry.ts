// The schema registry, spoken to only through the Confluent-compatible API, so that any
// Confluent Schema Registry works as well as the local Apicurio.
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { LooperConfig } from './config.js';
import { errorMessage, SchemaRegistryError } from './errors.js';
import { securityVariables } from './security-config.js';

export function createSchemaRegistryClient(config: LooperConfig): SchemaRegistry {
  const auth = config.security.schemaRegistry;
  return new SchemaRegistry({
    host: config.schemaRegistryUrl,
    clientId: 'looper',
    retry: { retries: 2 },
    ...(auth === null ? {} : { auth: { username: auth.username, password: auth.password } }),
  });
}

/** The Authorization header of a plain HTTP call to the registry (the stack's health check), if credentials are set. */
export function registryAuthHeaders(config: Pick<LooperConfig, 'security'>): Record<string, string> {
  const auth = config.security.schemaRegistry;
  if (auth === null) return {};
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
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

/**
 * The registry's own words from a failed call (mappersmith errors carry the response body); for a
 * refused login, which credentials to look at (the registry says only "Error, status 401").
 */
export function registryReason(error: unknown): string {
  const status = (error as { status?: unknown } | null)?.status;
  const { registryUsername: user, registryPassword: password } = securityVariables;
  if (status === 401) return `HTTP 401, not authenticated: set ${user} and ${password} to a user the registry accepts`;
  if (status === 403) return `HTTP 403, not allowed: give the registry's user (${user}) a role that may do this`;
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
