import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLOCK_GRACE_MS, JoinerClock, UNREAD_HOLD_MS } from './joiner-clock.js';

const NOW = 1_750_000_000_000;

test('joiner clock - caught up, it runs the grace behind the wall clock', () => {
  const clock = new JoinerClock();
  assert.equal(clock.at(NOW), NOW - CLOCK_GRACE_MS);
  clock.read('looper.outcomes/0', NOW - 500, true);
  assert.equal(clock.at(NOW), NOW - CLOCK_GRACE_MS);
});

test('joiner clock - a partition behind its end holds it at its last record read, the oldest of several', () => {
  const clock = new JoinerClock();
  clock.read('looper.decisions/0', NOW - 60_000, false);
  clock.read('looper.outcomes/0', NOW - 90_000, false);
  assert.equal(clock.at(NOW), NOW - 90_000);
  clock.read('looper.outcomes/0', NOW - 1000, true);
  assert.equal(clock.at(NOW), NOW - 60_000);
});

test('joiner clock - an assigned backlog holds it at 0 until its first batch, then that batch holds it', () => {
  const clock = new JoinerClock();
  clock.assigned(['looper.outcomes/1'], NOW);
  assert.equal(clock.at(NOW + 5000), 0, 'its first record may be older than any window');
  clock.read('looper.decisions/1', NOW - 1000, true);
  assert.equal(clock.at(NOW + 5000), 0, 'another partition read does not release it');
  clock.read('looper.outcomes/1', NOW - 300_000, false);
  assert.equal(clock.at(NOW + 5000), NOW - 300_000);
});

test('joiner clock - a new assignment forgets the lag of partitions given away', () => {
  const clock = new JoinerClock();
  clock.read('looper.outcomes/2', NOW - 300_000, false);
  clock.assigned([], NOW);
  assert.equal(clock.at(NOW), NOW - CLOCK_GRACE_MS);
});

test('joiner clock - a backlog that never delivers a batch holds it no longer than the hold', () => {
  const clock = new JoinerClock();
  clock.assigned(['looper.outcomes/3'], NOW);
  assert.equal(clock.at(NOW + UNREAD_HOLD_MS), 0);
  assert.equal(clock.at(NOW + UNREAD_HOLD_MS + 1), NOW + UNREAD_HOLD_MS + 1 - CLOCK_GRACE_MS);
});
