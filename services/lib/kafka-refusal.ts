// What a connection Kafka refused means in Looper's settings. kafkajs names no user when SCRAM
// fails and says only "Closed connection" when a client without TLS meets a TLS listener; these
// say which variable to look at. Only for a first connection: "Closed connection" later on is
// a broker going away, not a setting.
import type { LooperConfig } from './config.js';
import { KafkaRefusedError } from './errors.js';
import { securityVariables as v } from './security-config.js';

function chainText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 5; e = (e as Error & { cause?: unknown }).cause)
    parts.push(e.message);
  return parts.length > 0 ? parts.join(' / ') : String(error);
}

/** Looper's wording of a connection Kafka refused, or null when `error` is not such a refusal. */
export function kafkaRefusal(error: unknown, config: Pick<LooperConfig, 'kafkaBrokers' | 'security'>): string | null {
  const text = chainText(error);
  const at = `Kafka at ${config.kafkaBrokers.join(',')}`;
  const { sasl, tls } = config.security.kafka;
  const mechanism = sasl?.mechanism.toUpperCase() ?? 'none';
  const saslVariables = `${v.kafkaSaslMechanism}, ${v.kafkaSaslUsername} and ${v.kafkaSaslPassword}`;
  if (sasl !== null && /authentication failed|invalid credentials/i.test(text))
    return `${at} refused the SASL credentials of user ${sasl.username} (${mechanism}): check ${v.kafkaSaslUsername} and ${v.kafkaSaslPassword}`;
  if (/does not support the requested SASL mechanism/i.test(text))
    return `${at} does not enable SASL mechanism ${mechanism} on this listener: set ${v.kafkaSaslMechanism} to one it enables`;
  if (/not valid given the current SASL state/i.test(text))
    return `${at} does not take SASL on this listener: unset ${saslVariables}`;
  // A certificate no CA it knows signed (an expired one or a wrong host name keeps TLS's own words).
  const certificate = /unable to verify[^/]*|self[- ]signed certificate[^/]*/i.exec(text);
  if (certificate)
    return `${at} presented a TLS certificate this client does not trust (${certificate[0].trim()}): set ${v.kafkaTlsCa} to the CA (PEM file) that signed it`;
  if (tls !== null && /before secure TLS connection was established/i.test(text))
    return `${at} broke off the TLS handshake: if its listener is plaintext, unset ${v.kafkaTls} and ${v.kafkaTlsCa}`;
  if (/Closed connection/i.test(text)) {
    if (tls === null)
      return `${at} closed the connection without answering: if its listener requires TLS, set ${v.kafkaTls}=true (and ${v.kafkaTlsCa} for a private CA)`;
    if (sasl === null)
      return `${at} closed the connection after the TLS handshake: if its listener requires SASL, set ${saslVariables}`;
  }
  return null;
}

/** Connects with `connect` (a producer's, consumer's or admin's), a refusal thrown as a KafkaRefusedError. */
export async function connectOrExplain(
  connect: () => Promise<void>,
  config: Pick<LooperConfig, 'kafkaBrokers' | 'security'>,
): Promise<void> {
  try {
    await connect();
  } catch (error) {
    const refusal = kafkaRefusal(error, config);
    throw refusal === null ? error : new KafkaRefusedError(config.kafkaBrokers.join(','), refusal, { cause: error });
  }
}
