import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners } from 'kafkajs';
import { murmur2, partitionOfKey } from './key-partition.js';

// murmur2 values from Apache Kafka's own UtilsTest.
const javaMurmur2: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

test("murmur2 - equals the Java client on Kafka's own test values", () => {
  for (const [key, hash] of javaMurmur2) assert.equal(murmur2(key), hash, key);
});

test("partitionOfKey - places every key where kafkajs's default partitioner does, for any partition count", () => {
  const partitioner = Partitioners.DefaultPartitioner();
  const keys = [
    ...javaMurmur2.map(([k]) => k),
    '',
    'é',
    'user-0042',
    '日本語のキー',
    'x'.repeat(300),
    ...Array.from({ length: 500 }, (_, i) => `user-${i}`),
  ];
  for (const n of [1, 2, 3, 6, 12, 50]) {
    const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
      offlineReplicas: [],
    }));
    for (const key of keys)
      assert.equal(
        partitionOfKey(key, n),
        partitioner({ topic: 't', partitionMetadata, message: { key, value: null } }),
        `${key} over ${n}`,
      );
  }
});

test('partitionOfKey - rejects a partition count that is not a whole number ≥ 1', () => {
  assert.throws(() => partitionOfKey('a', 0), /not 0/);
  assert.throws(() => partitionOfKey('a', 2.5), /not 2.5/);
});
