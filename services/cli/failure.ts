// How the CLI reports a failure: Looper's own errors by their message; an unreachable Kafka,
// registry or NATS by what to do about it, not by a client library's stack trace.
import type { LooperConfig } from '../lib/config.js';
import { LooperError, errorMessage } from '../lib/errors.js';
import { kafkaRefusal } from '../lib/kafka-refusal.js';

function chain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 5; e = (e as Error & { cause?: unknown }).cause)
    parts.push(`${e.name}: ${e.message}`);
  return parts.join(' / ') || errorMessage(error);
}

export function describeFailure(error: unknown, config: LooperConfig | undefined): string {
  if (error instanceof LooperError) return error.message;
  const text = chain(error);
  const startStack = 'start the local stack with `npx looper stack up`';
  const refusal = config && /KafkaJS/.test(text) ? kafkaRefusal(error, config) : null;
  if (refusal !== null) return refusal;
  if (/KafkaJS/.test(text) && /ECONNREFUSED|Connection error|timeout/i.test(text)) {
    return `cannot reach Kafka at ${config?.kafkaBrokers.join(',') ?? 'LOOPER_KAFKA_BROKERS'}; ${startStack} or set LOOPER_KAFKA_BROKERS (${text.split(' / ').pop()})`;
  }
  if (/ECONNREFUSED/.test(text) && config && text.includes(new URL(config.schemaRegistryUrl).port || '80')) {
    return `cannot reach the schema registry at ${config.schemaRegistryUrl}; ${startStack} or set LOOPER_SCHEMA_REGISTRY_URL`;
  }
  if (/CONNECTION_REFUSED|nats/i.test(text) && /refused/i.test(text)) {
    return `cannot reach NATS at ${config?.natsUrl ?? 'LOOPER_NATS_URL'}; ${startStack} or set LOOPER_NATS_URL`;
  }
  return text;
}
