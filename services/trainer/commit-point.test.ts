import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommitPoint } from './commit-point.js';

describe('trainer commit point', () => {
  it('commit point - commits up to what every blueprint still holding learning has published', () => {
    const point = new CommitPoint();
    point.consumed(0, 10n);
    point.started('a'); // a learns from offset 10 of partition 0 on
    point.consumed(0, 50n);
    point.consumed(1, 20n);
    point.started('b'); // b from 50 / 20
    point.consumed(0, 80n);
    point.consumed(1, 40n);
    assert.deepEqual(point.safe([]), [{ partition: 0, offset: '80' }, { partition: 1, offset: '40' }], 'nothing unpublished: everything read');
    assert.deepEqual(point.safe(['b']), [{ partition: 0, offset: '50' }, { partition: 1, offset: '20' }]);
    assert.deepEqual(point.safe(['a', 'b']), [{ partition: 0, offset: '10' }], 'a started before partition 1 was read: partition 1 is left as it is');
    point.published('a');
    point.consumed(0, 90n);
    assert.deepEqual(point.safe(['a', 'b']), [{ partition: 0, offset: '50' }, { partition: 1, offset: '20' }]);
    point.published('b');
    assert.deepEqual(point.safe(['a', 'b']), [{ partition: 0, offset: '80' }, { partition: 1, offset: '40' }], 'each covers what it published; a has learned past 80 since');
  });
});
