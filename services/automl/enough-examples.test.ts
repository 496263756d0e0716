import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsForSearch, MIN_EXAMPLES, MIN_SIDE_EXAMPLES } from './enough-examples.js';

const threshold = {
  name: 'notification_send',
  task: 'classification',
  decision: { policy: 'threshold', actions: ['send', 'skip'] },
} as unknown as Parameters<typeof countsForSearch>[0];
const example = { blueprint: 'notification_send', action: 'send', position: null, label: 1 };

test('enough examples - a search needs 500, 100 on each side of its split', () => {
  assert.equal(MIN_EXAMPLES, 500);
  assert.equal(MIN_SIDE_EXAMPLES, 100);
});

test('enough examples - only the blueprint’s own labelled examples that teach its score count toward a search', () => {
  assert.equal(countsForSearch(threshold, example), true);
  assert.equal(countsForSearch(threshold, { ...example, label: 0 }), true);
  assert.equal(countsForSearch(threshold, { ...example, action: 'skip' }), false, 'a notification not sent');
  assert.equal(countsForSearch(threshold, { ...example, blueprint: 'other' }), false);
  assert.equal(countsForSearch(threshold, { ...example, label: Number.NaN }), false);
  const ranking = {
    ...threshold,
    task: 'ranking',
    decision: { policy: 'top_k', actions: [] },
  } as unknown as typeof threshold;
  assert.equal(countsForSearch(ranking, { ...example, position: 0 }), true);
  assert.equal(countsForSearch(ranking, { ...example, position: null }), false, 'a candidate not shown');
});
