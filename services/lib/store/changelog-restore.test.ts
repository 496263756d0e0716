import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changelogPartitionOf, changelogPartitionsOf, NewestRecords } from './changelog-restore.js';

test('changelogPartitionOf - an input partition writes to its own number in a changelog at least as wide', () => {
  assert.deepEqual([0, 1, 5].map((p) => changelogPartitionOf(p, 6)), [0, 1, 5]);
  assert.deepEqual([6, 7, 11].map((p) => changelogPartitionOf(p, 6)), [0, 1, 5]);
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
