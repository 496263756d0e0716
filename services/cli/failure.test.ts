import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { compileConfig } from '../lib/config.js';
import { describeFailure } from './failure.js';

const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } = kafkajs;
const config = compileConfig(
  {
    LOOPER_KAFKA_BROKERS: 'kafka.example:9093',
    LOOPER_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    LOOPER_KAFKA_SASL_USERNAME: 'looper',
    LOOPER_KAFKA_SASL_PASSWORD: 'secret',
    LOOPER_KAFKA_TLS: 'true',
  },
  '/home/test',
);
const retried = (message: string) =>
  new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError(message), { retryCount: 5, retryTime: 4000 });

test('describeFailure - a certificate Kafka presented and this client does not trust is worded as such, not as an unreachable Kafka', () => {
  assert.equal(
    describeFailure(retried('Connection error: self-signed certificate in certificate chain'), config),
    'Kafka at kafka.example:9093 presented a TLS certificate this client does not trust (self-signed certificate in certificate chain): set LOOPER_KAFKA_TLS_CA to the CA (PEM file) that signed it',
  );
});

test('describeFailure - an unreachable Kafka still says how to start the local stack', () => {
  assert.equal(
    describeFailure(retried('Connection error: connect ECONNREFUSED 10.0.0.1:9093'), config),
    'cannot reach Kafka at kafka.example:9093; start the local stack with `npx looper stack up` or set LOOPER_KAFKA_BROKERS (KafkaJSConnectionError: Connection error: connect ECONNREFUSED 10.0.0.1:9093)',
  );
});
