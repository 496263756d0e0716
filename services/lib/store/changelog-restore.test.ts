import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changelogPartitionOf, changelogPartitionsOf } from './changelog-restore.js';

test('changelogPartitionOf - an input partition writes to its own number in a changelog at least as wide', () => {
  assert.deepEqual([0, 1, 5].map((p) => changelogPartitionOf(p, 6)), [0, 1, 5]);
  assert.deepEqual([6, 7, 11].map((p) => changelogPartitionOf(p, 6)), [0, 1, 5]);
});

test('changelogPartitionsOf - the distinct changelog partitions of held input partitions, ascending', () => {
  assert.deepEqual(changelogPartitionsOf([7, 1, 3, 9], 6), [1, 3]);
  assert.deepEqual(changelogPartitionsOf([], 6), []);
});
