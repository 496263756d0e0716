import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaServerProperties, type SaslSslListener } from './kafka.js';

const common = ['process.roles=broker,controller', 'node.id=1', 'controller.quorum.voters=1@127.0.0.1:9093'];
const tail = [
  'log.dirs=/data/kafka',
  '# One node: every internal topic has one replica.',
  'offsets.topic.replication.factor=1',
  'offsets.topic.num.partitions=10',
  'transaction.state.log.replication.factor=1',
  'transaction.state.log.min.isr=1',
  'share.coordinator.state.topic.replication.factor=1',
  'share.coordinator.state.topic.min.isr=1',
  '# Consumers join at once instead of waiting for more members.',
  'group.initial.rebalance.delay.ms=0',
  'num.partitions=1',
  'auto.create.topics.enable=true',
  '',
];

test('kafkaServerProperties - the local stack broker: PLAINTEXT for clients and itself, the controller on the next port', () => {
  assert.equal(
    kafkaServerProperties('127.0.0.1', 9092, '/data/kafka'),
    [
      '# Written by `looper stack up`: a single-node KRaft broker + controller.',
      ...common,
      'listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'advertised.listeners=PLAINTEXT://127.0.0.1:9092',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      ...tail,
    ].join('\n'),
  );
});

test('kafkaServerProperties - with a SASL_SSL listener, clients and the broker itself use SCRAM over TLS; only the controller stays PLAINTEXT', () => {
  const secured: SaslSslListener = {
    mechanism: 'SCRAM-SHA-512',
    keystore: '/certs/server.p12',
    keystorePassword: 'ks',
    truststore: '/certs/ca.pem',
    interBroker: { username: 'broker', password: 'pw' },
  };
  assert.equal(
    kafkaServerProperties('127.0.0.1', 9092, '/data/kafka', secured),
    [
      '# A single-node KRaft broker + controller: clients and the broker itself use SASL (SCRAM) over TLS.',
      ...common,
      'listeners=SASL_SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'advertised.listeners=SASL_SSL://127.0.0.1:9092',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=SASL_SSL',
      'listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="pw";',
      'ssl.keystore.type=PKCS12',
      'ssl.keystore.location=/certs/server.p12',
      'ssl.keystore.password=ks',
      'ssl.truststore.type=PEM',
      'ssl.truststore.location=/certs/ca.pem',
      ...tail,
    ].join('\n'),
  );
});
