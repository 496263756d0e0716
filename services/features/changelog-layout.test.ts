import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homePartition } from './changelog-layout.js';
import { newestByKey } from '../lib/store/changelog-restore.js';
import { partitionOfKey } from '../lib/partitioning/key-partition.js';
import type { FeatureStreamPlan } from '../lib/features/index.js';
import type { TopicRecord } from '../lib/kafka.js';

const plan = {
  specs: new Map([['opens|count', { id: 'opens|count', topic: 'app.opens' }]]),
} as unknown as FeatureStreamPlan;

test('homePartition - a state goes to its entity partition of the input topic, offsets and watermarks to their partition', () => {
  const counts = new Map([['app.opens', 12]]);
  assert.equal(homePartition('s/opens|count/user-7', plan, counts, 6), partitionOfKey('user-7', 12) % 6);
  assert.equal(homePartition('~offset/app.opens/9', plan, counts, 6), 3);
  assert.equal(homePartition('~watermark/app.opens/2', plan, counts, 6), 2);
});

test('homePartition - keys it cannot place are left alone', () => {
  const counts = new Map([['app.opens', 6]]);
  assert.equal(homePartition('s/gone|sum/user-7', plan, counts, 6), null);
  assert.equal(homePartition('s/opens|count/user-7', plan, new Map(), 6), null);
  assert.equal(homePartition('~layout', plan, counts, 6), null);
});

const record = (partition: number, offset: number, key: string, value: string | null, timestamp: number): TopicRecord =>
  ({
    partition,
    message: {
      key: Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      timestamp: String(timestamp),
      offset: String(offset),
    },
  }) as unknown as TopicRecord;

test('newestByKey - the newest record by time wins across partitions, the later offset within one whatever its time', () => {
  const newest = newestByKey([
    record(0, 10, 'a', 'new', 2000),
    record(0, 11, 'b', 'first', 1000),
    record(0, 12, 'b', 'second', 1000),
    record(0, 13, 'd', 'written first', 3000),
    record(0, 14, 'd', 'written later by a slower clock', 2500),
    record(5, 3, 'a', 'legacy', 1000),
    record(5, 4, 'c', null, 1500),
  ]);
  assert.deepEqual(
    [...newest].map(([k, v]) => [k, v.partition, v.value?.toString() ?? null]),
    [
      ['a', 0, 'new'],
      ['b', 0, 'second'],
      ['d', 0, 'written later by a slower clock'],
      ['c', 5, null],
    ],
  );
});
