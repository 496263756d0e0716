import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { changelogPartitionOf, changelogPartitionsOf, NewestRecords } from './changelog-restore.js';

test('changelogPartitionOf - an input partition writes to its own number in a changelog at least as wide', () => {
  assert.deepEqual(
    [0, 1, 5].map((p) => changelogPartitionOf(p, 6)),
    [0, 1, 5],
  );
  assert.deepEqual(
    [6, 7, 11].map((p) => changelogPartitionOf(p, 6)),
    [0, 1, 5],
  );
});

test('changelogPartitionsOf - the distinct changelog partitions of held input partitions, ascending', () => {
  assert.deepEqual(changelogPartitionsOf([7, 1, 3, 9], 6), [1, 3]);
  assert.deepEqual(changelogPartitionsOf([], 6), []);
});

test('NewestRecords - record by record: the later offset within a partition, the later time across partitions', () => {
  const rule = new NewestRecords();
  assert.equal(rule.supersedes('k', 0, 100), true, 'the first record of a key');
  assert.equal(rule.supersedes('k', 0, 50), true, 'a later offset of the same partition, whatever its time');
  assert.equal(rule.supersedes('k', 1, 40), false, 'another partition, older');
  assert.equal(rule.supersedes('k', 1, 50), false, 'another partition, as old: the first stays');
  assert.equal(rule.supersedes('k', 1, 60), true, 'another partition, newer');
  assert.equal(rule.supersedes('k', 0, 55), false, 'back in the first partition, older than the newest');
  assert.equal(rule.supersedes('j', 1, 1), true, 'keys are independent');
  assert.equal(rule.size, 2);
});

test('NewestRecords.newestOf - a partition batch gives each key its last value that is now the newest; keyless records are skipped', () => {
  const record = (key: string | null, ts: number, value: string | null) =>
    ({
      key: key === null ? null : Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      timestamp: String(ts),
      offset: '0',
      attributes: 0,
      headers: {},
    }) as KafkaMessage;
  const rule = new NewestRecords();
  const first = rule.newestOf(1, [record('a', 100, 'a1'), record('b', 100, 'b1'), record(null, 100, 'x')]);
  assert.deepEqual(
    [...first].map(([k, v]) => [k, v?.toString() ?? null]),
    [
      ['a', 'a1'],
      ['b', 'b1'],
    ],
  );
  // Partition 0 is another partition: only records newer than partition 1's count.
  const second = rule.newestOf(0, [
    record('a', 90, 'a0'),
    record('b', 150, 'b0'),
    record('b', 160, null),
    record('c', 10, 'c0'),
  ]);
  assert.deepEqual(
    [...second].map(([k, v]) => [k, v?.toString() ?? null]),
    [
      ['b', null],
      ['c', 'c0'],
    ],
  );
  assert.equal(rule.size, 3);
});
