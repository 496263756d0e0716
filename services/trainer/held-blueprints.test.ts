import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assignedPartitions, HeldBlueprints } from './held-blueprints.js';

// Where these names hash over 6 partitions (murmur2, as the Java client and kafkajs place them):
// next_page 0, feed_rank 1, churn_risk 2, push_time 2, notification_send 4, offer_pick 5.
const SIX = 6;

describe('held blueprints', () => {
  it('held blueprints - reads the examples topic out of a group assignment, ascending', () => {
    assert.deepEqual(
      assignedPartitions({ 'looper.examples': [4, 0, 2], 'looper.other': [1] }, 'looper.examples'),
      [0, 2, 4],
    );
    assert.deepEqual(
      assignedPartitions({ 'looper.other': [1] }, 'looper.examples'),
      [],
      'no partition of the topic: none held',
    );
  });

  it('held blueprints - holds nothing before the group assigns partitions', () => {
    const held = new HeldBlueprints();
    assert.deepEqual(held.partitions, []);
    assert.equal(held.holds('notification_send'), false);
  });

  it('held blueprints - holds the blueprints whose name hashes into an assigned partition', () => {
    const held = new HeldBlueprints();
    held.reassign({ partitions: [2, 4], partitionCount: SIX }, []);
    assert.deepEqual(held.partitions, [2, 4]);
    assert.deepEqual(
      ['next_page', 'feed_rank', 'churn_risk', 'push_time', 'notification_send', 'offer_pick'].map((b) => [
        b,
        held.partitionOf(b),
        held.holds(b),
      ]),
      [
        ['next_page', 0, false],
        ['feed_rank', 1, false],
        ['churn_risk', 2, true],
        ['push_time', 2, true],
        ['notification_send', 4, true],
        ['offer_pick', 5, false],
      ],
    );
  });

  it('held blueprints - a reassignment drops the trainers of blueprints no longer held, in the order given', () => {
    const held = new HeldBlueprints();
    assert.deepEqual(
      held.reassign({ partitions: [0, 1, 2, 3, 4, 5], partitionCount: SIX }, []),
      [],
      'the first assignment has no trainers to drop',
    );
    const trainers = ['offer_pick', 'churn_risk', 'notification_send', 'next_page'];
    assert.deepEqual(held.reassign({ partitions: [2, 4], partitionCount: SIX }, trainers), ['offer_pick', 'next_page']);
    assert.deepEqual(
      held.reassign({ partitions: [2, 4, 5], partitionCount: SIX }, ['churn_risk', 'notification_send']),
      [],
      'a partition gained drops nothing',
    );
    assert.deepEqual(
      held.reassign({ partitions: [], partitionCount: SIX }, ['churn_risk', 'notification_send']),
      ['churn_risk', 'notification_send'],
      'no partition left: every trainer goes',
    );
  });

  it('held blueprints - places blueprints again when the topic has another number of partitions', () => {
    const held = new HeldBlueprints();
    held.reassign({ partitions: [0], partitionCount: SIX }, []);
    assert.equal(held.holds('churn_risk'), false, 'partition 2 of 6');
    // Over 2 partitions: churn_risk 0, offer_pick 1.
    assert.deepEqual(held.reassign({ partitions: [0], partitionCount: 2 }, ['churn_risk', 'offer_pick']), [
      'offer_pick',
    ]);
    assert.equal(held.partitionOf('churn_risk'), 0);
    assert.equal(held.holds('churn_risk'), true);
  });

  it('held blueprints - rejects a partition count that is not a whole number ≥ 1, keeping the assignment it had', () => {
    const held = new HeldBlueprints();
    held.reassign({ partitions: [4], partitionCount: SIX }, []);
    assert.throws(() => held.reassign({ partitions: [0], partitionCount: 0 }, ['notification_send']), {
      name: 'RangeError',
      message: 'a topic has a whole number of partitions ≥ 1, not 0',
    });
    assert.deepEqual(held.partitions, [4]);
    assert.equal(held.holds('notification_send'), true);
  });
});
