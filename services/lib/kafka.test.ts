import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import { SEND_CHUNK_BYTES, SEND_CHUNK_MESSAGES, kafkaLogLine, kafkaSecurityOptions, sendInChunks } from './kafka.js';
import { noSecurity } from './security-config.js';

/** A producer that records the size of each send, in order. */
function recordingProducer(): { producer: Producer; sends: string[][] } {
  const sends: string[][] = [];
  const producer = {
    send: async ({ messages }: { messages: Array<{ key: string }> }) => void sends.push(messages.map((m) => m.key)),
  } as unknown as Producer;
  return { producer, sends };
}

test('sendInChunks - records go in order, at most SEND_CHUNK_MESSAGES a send', async () => {
  const { producer, sends } = recordingProducer();
  const messages = Array.from({ length: 2 * SEND_CHUNK_MESSAGES + 1 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  await sendInChunks(producer, 't', messages);
  assert.deepEqual(
    sends.map((s) => s.length),
    [SEND_CHUNK_MESSAGES, SEND_CHUNK_MESSAGES, 1],
  );
  assert.deepEqual(
    sends.flat(),
    messages.map((m) => m.key),
  );
});

test('sendInChunks - a send carries at most SEND_CHUNK_BYTES; a single record larger than that still goes, alone', async () => {
  const { producer, sends } = recordingProducer();
  // Each record counts its key, its value and 32 bytes of framing: four of these fill the limit exactly.
  const value = Buffer.alloc(Math.floor(SEND_CHUNK_BYTES / 4) - 32 - 2);
  const big = Buffer.alloc(SEND_CHUNK_BYTES + 1);
  await sendInChunks(producer, 't', [
    { key: 'a0', value },
    { key: 'a1', value },
    { key: 'a2', value },
    { key: 'a3', value },
    { key: 'a4', value: big },
    { key: 'a5', value: null },
  ]);
  assert.deepEqual(sends, [['a0', 'a1', 'a2', 'a3'], ['a4'], ['a5']]);
});

test('sendInChunks - nothing to send makes no send', async () => {
  const { producer, sends } = recordingProducer();
  await sendInChunks(producer, 't', []);
  assert.deepEqual(sends, []);
});

test('kafkaLogLine - a rebalance is a warning that says what happens; a loading coordinator is dropped; the rest keeps its level and error', () => {
  assert.deepEqual(
    kafkaLogLine('error', 'Response Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed'),
    {
      level: 'warn',
      message: 'the consumer group is rebalancing (an instance joined or left): rejoining it',
    },
  );
  assert.equal(
    kafkaLogLine('error', 'Response FindCoordinator', "The coordinator is loading and hence can't process requests"),
    null,
  );
  assert.equal(kafkaLogLine('warn', 'Response GroupCoordinator', 'The coordinator is not available'), null);
  assert.deepEqual(kafkaLogLine('error', 'Connection error', 'connect ECONNREFUSED 127.0.0.1:9092'), {
    level: 'error',
    message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
  });
  assert.deepEqual(kafkaLogLine('warn', 'Broker went away', undefined), { level: 'warn', message: 'Broker went away' });
});

test('kafkaSecurityOptions - TLS and SASL settings become kafkajs ssl and sasl options; without them, neither', () => {
  const kafka = {
    sasl: { mechanism: 'scram-sha-512', username: 'looper', password: 'pw' },
    tls: { ca: 'CA PEM', cert: null, key: null },
  } as const;
  assert.deepEqual(kafkaSecurityOptions({ security: { ...noSecurity, kafka } }), {
    ssl: { ca: ['CA PEM'] },
    sasl: { mechanism: 'scram-sha-512', username: 'looper', password: 'pw' },
  });
  assert.deepEqual(kafkaSecurityOptions({ security: noSecurity }), {});
});
