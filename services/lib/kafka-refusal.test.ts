import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { noSecurity, type SecuritySettings } from './security-config.js';
import { KafkaRefusedError } from './errors.js';
import { connectOrExplain, kafkaRefusal } from './kafka-refusal.js';

// kafkajs's own error classes (its ESM face has no named exports for them).
const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;
// Its types give this one no constructor argument; at run time it takes its message as the others do.
const KafkaJSSASLAuthenticationError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (
  message: string,
) => Error;
const tls = { ca: 'PEM', cert: null, key: null };
const sasl = { mechanism: 'scram-sha-512', username: 'looper', password: 'secret' } as const;
const settings = (kafka: SecuritySettings['kafka']) => ({
  kafkaBrokers: ['broker-1:9093', 'broker-2:9093'],
  security: { ...noSecurity, kafka },
});
const secured = settings({ sasl, tls });
/** kafkajs's error after its connect retries, around the one each attempt met (as it throws them). */
const retried = (error: Error) => new KafkaJSNumberOfRetriesExceeded(error, { retryCount: 5, retryTime: 4000 });

test('kafkaRefusal - a refused SCRAM login names the user, the mechanism and the variables, never the password', () => {
  const error = new KafkaJSSASLAuthenticationError(
    'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
  );
  assert.equal(
    kafkaRefusal(error, secured),
    'Kafka at broker-1:9093,broker-2:9093 refused the SASL credentials of user looper (SCRAM-SHA-512): check LOOPER_KAFKA_SASL_USERNAME and LOOPER_KAFKA_SASL_PASSWORD',
  );
});

test('kafkaRefusal - a mechanism the listener does not enable, and SASL on a listener without it, name LOOPER_KAFKA_SASL_*', () => {
  assert.equal(
    kafkaRefusal(new KafkaJSProtocolError('The broker does not support the requested SASL mechanism'), secured),
    'Kafka at broker-1:9093,broker-2:9093 does not enable SASL mechanism SCRAM-SHA-512 on this listener: set LOOPER_KAFKA_SASL_MECHANISM to one it enables',
  );
  assert.equal(
    kafkaRefusal(
      new KafkaJSProtocolError('Request is not valid given the current SASL state'),
      settings({ sasl, tls: null }),
    ),
    'Kafka at broker-1:9093,broker-2:9093 does not take SASL on this listener: unset LOOPER_KAFKA_SASL_MECHANISM, LOOPER_KAFKA_SASL_USERNAME and LOOPER_KAFKA_SASL_PASSWORD',
  );
});

test('kafkaRefusal - an untrusted certificate says why and names LOOPER_KAFKA_TLS_CA', () => {
  const error = retried(new KafkaJSConnectionError('Connection error: unable to verify the first certificate'));
  assert.equal(
    kafkaRefusal(error, settings({ sasl, tls: { ca: null, cert: null, key: null } })),
    'Kafka at broker-1:9093,broker-2:9093 presented a TLS certificate this client does not trust (unable to verify the first certificate): set LOOPER_KAFKA_TLS_CA to the CA (PEM file) that signed it',
  );
});

test('kafkaRefusal - a closed connection points at TLS without it, at SASL with TLS but no SASL, and is no refusal with both', () => {
  // kafkajs's KafkaJSConnectionClosedError: a KafkaJSConnectionError with this message.
  const closed = retried(new KafkaJSConnectionError('Closed connection'));
  assert.equal(
    kafkaRefusal(closed, settings({ sasl, tls: null })),
    'Kafka at broker-1:9093,broker-2:9093 closed the connection without answering: if its listener requires TLS, set LOOPER_KAFKA_TLS=true (and LOOPER_KAFKA_TLS_CA for a private CA)',
  );
  assert.equal(
    kafkaRefusal(closed, settings({ sasl: null, tls })),
    'Kafka at broker-1:9093,broker-2:9093 closed the connection after the TLS handshake: if its listener requires SASL, set LOOPER_KAFKA_SASL_MECHANISM, LOOPER_KAFKA_SASL_USERNAME and LOOPER_KAFKA_SASL_PASSWORD',
  );
  assert.equal(kafkaRefusal(closed, secured), null);
});

test('kafkaRefusal - TLS to a plaintext listener says to unset the TLS variables; an unreachable broker is no refusal', () => {
  const handshake = retried(
    new KafkaJSConnectionError(
      'Connection error: Client network socket disconnected before secure TLS connection was established',
    ),
  );
  assert.equal(
    kafkaRefusal(handshake, settings({ sasl: null, tls })),
    'Kafka at broker-1:9093,broker-2:9093 broke off the TLS handshake: if its listener is plaintext, unset LOOPER_KAFKA_TLS and LOOPER_KAFKA_TLS_CA',
  );
  assert.equal(
    kafkaRefusal(retried(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9093')), secured),
    null,
  );
});

test('connectOrExplain - a refusal becomes a KafkaRefusedError with the kafkajs error as its cause; other errors pass unchanged', async () => {
  const refused = new KafkaJSSASLAuthenticationError('SASL SCRAM SHA512 authentication failed: invalid credentials');
  await assert.rejects(
    connectOrExplain(() => Promise.reject(refused), secured),
    (error: unknown) => {
      assert.ok(error instanceof KafkaRefusedError);
      assert.equal(error.code, 'kafka_refused');
      assert.equal(error.brokers, 'broker-1:9093,broker-2:9093');
      assert.equal(error.cause, refused);
      assert.doesNotMatch(error.message, /secret/);
      return true;
    },
  );
  const unreachable = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9093');
  await assert.rejects(
    connectOrExplain(() => Promise.reject(unreachable), secured),
    (error: unknown) => error === unreachable,
  );
  await connectOrExplain(() => Promise.resolve(), secured);
});
