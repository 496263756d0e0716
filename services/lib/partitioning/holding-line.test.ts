import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldPartitionsIn, holdingLine } from './holding-line.js';

test('holdingLine - names the partitions, or none, and what the restore read', () => {
  assert.equal(
    holdingLine([0, 3], { keys: 12, records: 40, ms: 7 }),
    'holding partitions 0, 3; restored 12 keys from 40 changelog records in 7 ms',
  );
  assert.equal(
    holdingLine([], { keys: 0, records: 0, ms: 1 }),
    'holding partitions none; restored 0 keys from 0 changelog records in 1 ms',
  );
});

test('heldPartitionsIn - reads back what holdingLine wrote, for the named service only', () => {
  const line = (service: string, partitions: number[]) =>
    `[${service}] ${holdingLine(partitions, { keys: 1, records: 2, ms: 3 })}`;
  assert.deepEqual(heldPartitionsIn(line('features', [1, 4, 5]), 'features'), [1, 4, 5]);
  assert.deepEqual(heldPartitionsIn(line('joiner', []), 'joiner'), []);
  assert.equal(heldPartitionsIn(line('joiner', [2]), 'features'), null);
  assert.equal(heldPartitionsIn('[features] kafka warn: the consumer group is rebalancing', 'features'), null);
});
