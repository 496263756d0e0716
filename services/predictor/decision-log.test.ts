import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import type { TopicCodec } from '../lib/topic-codec.js';
import type { Decision } from '../lib/schemas/generated.js';
import { SEND_CHUNK_MESSAGES } from '../lib/kafka.js';
import { createDecisionLog } from './decision-log.js';

test('decision log - a backlog goes out in bounded sends, in order, and a failed send is retried before newer decisions, once each', async () => {
  const sends: string[][] = [];
  let failures = 1;
  const producer = {
    send: async ({ messages }: { messages: Array<{ key: string }> }) => {
      if (failures-- > 0) throw new Error('the broker is away');
      sends.push(messages.map((m) => m.key));
    },
  } as unknown as Producer;
  // Each decision is told apart by its entity, the key the log gives its record.
  const codec = { encode: () => Buffer.alloc(100) } as unknown as TopicCodec;
  const lines: string[] = [];
  const log = createDecisionLog(producer, codec, (line) => lines.push(line), 1);
  const total = 2 * SEND_CHUNK_MESSAGES + 7;
  for (let i = 0; i < total; i++) log.append({ entity: `e${i}` } as Decision);
  await log.flush();
  assert.ok(
    sends.every((s) => s.length <= SEND_CHUNK_MESSAGES),
    `sends of ${sends.map((s) => s.length).join(', ')}`,
  );
  assert.deepEqual(
    sends.flat(),
    Array.from({ length: total }, (_, i) => `e${i}`),
    'every decision once, in order',
  );
  assert.equal(log.logged(), total);
  assert.match(lines[0] ?? '', /decisions not yet written \(the broker is away\); retrying/);
});
