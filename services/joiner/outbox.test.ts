import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Example } from '../lib/schemas/generated.js';
import { chunksOf, outboxEntries, splitEntry } from './outbox.js';
import { exampleRecord } from '../lib/joiner/test-records.js';

// A stand-in for the Avro encoding: only the bytes' way through the outbox matters here.
const encode = (e: Example) => Buffer.from(`value of ${e.exampleId}`, 'utf8');

describe('joiner outbox', () => {
  it('outbox - keys each example by its blueprint, so one trainer instance learns each blueprint', () => {
    const entries = outboxEntries(
      [
        exampleRecord({ exampleId: 'e1', blueprint: 'notification_send' }),
        exampleRecord({ exampleId: 'e2', blueprint: 'offer_pick' }),
      ],
      encode,
    );
    assert.deepEqual(
      entries.map(([key, value]) => {
        const record = splitEntry(Buffer.from(value));
        return [key, record.key, record.value.toString('utf8')];
      }),
      [
        ['~outbox/e1', 'notification_send', 'value of e1'],
        ['~outbox/e2', 'offer_pick', 'value of e2'],
      ],
    );
  });

  it('outbox - a value is the key length in two bytes, the key, then the encoded example', () => {
    const [entry] = outboxEntries([exampleRecord({ exampleId: 'e1', blueprint: 'churn_risk' })], encode);
    assert.deepEqual(
      Buffer.from(entry![1]),
      Buffer.concat([Buffer.from([0, 10]), Buffer.from('churn_risk'), Buffer.from('value of e1')]),
    );
  });
});

test('chunksOf - consecutive runs under the byte limit; an entry larger than it goes alone', () => {
  const entry = (k: string, n: number) => [k, new Uint8Array(n)] as const;
  const chunks = chunksOf([entry('a', 300), entry('b', 300), entry('c', 500), entry('d', 1200), entry('e', 10)], 1000);
  assert.deepEqual(
    chunks.map((c) => c.map(([k]) => k)),
    [['a', 'b'], ['c'], ['d'], ['e']],
  );
  assert.deepEqual(chunksOf([], 1000), []);
});
