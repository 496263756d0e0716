import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignCoPartitioned, partitionNumbers } from './co-partitioned.js';

test('assignCoPartitioned - partition p of every topic goes to one member, spread evenly', () => {
  const plan = assignCoPartitioned(['m-b', 'm-a'], { clicks: [0, 1, 2, 3, 4, 5], views: [5, 4, 3, 2, 1, 0] });
  assert.deepEqual(Object.fromEntries(plan), {
    'm-a': { clicks: [0, 2, 4], views: [0, 2, 4] },
    'm-b': { clicks: [1, 3, 5], views: [1, 3, 5] },
  });
});

test('assignCoPartitioned - topics with fewer partitions follow the same numbers; an extra member may hold nothing', () => {
  const plan = assignCoPartitioned(['x', 'y', 'z', 'w'], { big: [0, 1, 2, 3, 4, 5], small: [0, 1] });
  assert.deepEqual(Object.fromEntries(plan), {
    w: { big: [0, 4], small: [0] },
    x: { big: [1, 5], small: [1] },
    y: { big: [2] },
    z: { big: [3] },
  });
  assert.deepEqual(Object.fromEntries(assignCoPartitioned(['only'], { t: [0, 1, 2] })), { only: { t: [0, 1, 2] } });
  assert.equal(assignCoPartitioned([], { t: [0] }).size, 0);
});

test('partitionNumbers - the distinct partition numbers of an assignment, ascending', () => {
  assert.deepEqual(
    partitionNumbers([{ partition: 4 }, { partition: 0 }, { partition: 4 }, { partition: 2 }]),
    [0, 2, 4],
  );
});
