import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinerKeys } from './keys.js';
import { ownerKey, recordPartition } from './key-owner.js';
import { partitionOfKey } from '../partitioning/key-partition.js';

test('ownerKey - a decision record follows its decision id, a recent event its entity', () => {
  const id = 'a1b2c3d4-0000-4000-8000-000000000000';
  assert.equal(ownerKey(joinerKeys.pending(id)), id);
  assert.equal(ownerKey(joinerKeys.done(id)), id);
  assert.equal(ownerKey(joinerKeys.earlyOutcome(id)), id);
  assert.equal(ownerKey(joinerKeys.close(1_795_000_000_000, id)), id);
  assert.equal(ownerKey(joinerKeys.entity('app/clicks', 'user/7', id)), id);
  const event = joinerKeys.recentEvent('app.clicks', 'user/7 é', 1_795_000_000_000, 'ab12');
  assert.equal(ownerKey(event), 'user/7 é');
  assert.equal(ownerKey(joinerKeys.forget(1_795_000_000_000, 'done', id)), id);
  assert.equal(ownerKey(joinerKeys.forget(1_795_000_000_000, 'event', event)), 'user/7 é');
  assert.equal(ownerKey(`~outbox/${id}`), id);
  assert.equal(ownerKey(`~outbox/${id}/item/3`), id);
  assert.equal(ownerKey('~something/else'), null);
});

test('recordPartition - the partition of the owner key; offsets by their own partition', () => {
  const id = 'a1b2c3d4-0000-4000-8000-000000000000';
  assert.equal(recordPartition(joinerKeys.pending(id), 6), partitionOfKey(id, 6));
  assert.equal(recordPartition(joinerKeys.recentEvent('t', 'user-9', 5, 'h'), 6), partitionOfKey('user-9', 6));
  assert.equal(recordPartition('~offset/looper.decisions/4', 6), 4);
  assert.equal(recordPartition('~offset/app.clicks/9', 6), 3);
  assert.equal(recordPartition('~layout', 6), null);
});
