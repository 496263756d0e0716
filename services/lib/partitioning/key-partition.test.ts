import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionOfKey } from './key-partition.js';

// murmur2 values from Apache Kafka's own UtilsTest; the Java client takes (h & 0x7fffffff) % n.
const javaMurmur2: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

test('partitionOfKey - places a key where the Java client would, for any partition count', () => {
  for (const [key, hash] of javaMurmur2) {
    for (const n of [1, 2, 3, 6, 12, 50]) assert.equal(partitionOfKey(key, n), (hash & 0x7fffffff) % n, `${key} over ${n}`);
  }
});

test('partitionOfKey - rejects a partition count that is not a whole number ≥ 1', () => {
  assert.throws(() => partitionOfKey('a', 0), /not 0/);
  assert.throws(() => partitionOfKey('a', 2.5), /not 2.5/);
});
