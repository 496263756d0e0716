import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommitPoint, commitRole } from './commit-point.js';

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
    assert.deepEqual(
      point.safe([]),
      [
        { partition: 0, offset: '80' },
        { partition: 1, offset: '40' },
      ],
      'nothing unpublished: everything read',
    );
    assert.deepEqual(point.safe(['b']), [
      { partition: 0, offset: '50' },
      { partition: 1, offset: '20' },
    ]);
    assert.deepEqual(
      point.safe(['a', 'b']),
      [{ partition: 0, offset: '10' }],
      'a started before partition 1 was read: partition 1 is left as it is',
    );
    point.published('a');
    point.consumed(0, 90n);
    assert.deepEqual(point.safe(['a', 'b']), [
      { partition: 0, offset: '50' },
      { partition: 1, offset: '20' },
    ]);
    point.published('b');
    assert.deepEqual(
      point.safe(['a', 'b']),
      [
        { partition: 0, offset: '80' },
        { partition: 1, offset: '40' },
      ],
      'each covers what it published; a has learned past 80 since',
    );
  });

  it('commit point - after a reassignment commits only the partitions still held, from what is read anew', () => {
    const point = new CommitPoint();
    point.assigned([0, 1]);
    point.consumed(0, 10n);
    point.consumed(1, 20n);
    point.started('a');
    point.consumed(0, 30n);
    point.consumed(1, 40n);
    assert.deepEqual(point.safe(['a']), [
      { partition: 0, offset: '10' },
      { partition: 1, offset: '20' },
    ]);
    point.assigned([0]); // partition 1 went to another instance
    assert.deepEqual(
      point.safe(['a']),
      [],
      'positions are forgotten: partition 0 is read again from its committed offset',
    );
    point.consumed(1, 50n); // a batch of partition 1 fetched before the reassignment
    point.consumed(0, 25n);
    assert.deepEqual(
      point.safe(['a']),
      [{ partition: 0, offset: '10' }],
      'partition 1 is never committed from here again',
    );
    assert.deepEqual(point.safe([]), [{ partition: 0, offset: '25' }]);
  });

  it('commit point - a dropped blueprint holds nothing back, and a partition gained waits for the blueprints that did not read it', () => {
    const point = new CommitPoint();
    point.assigned([0]);
    point.consumed(0, 10n);
    point.started('a');
    point.consumed(0, 20n);
    point.started('b');
    point.consumed(0, 30n);
    assert.deepEqual(point.safe(['a', 'b']), [{ partition: 0, offset: '10' }]);
    point.forget('a'); // a's trainer dropped: it is no longer among those holding learning
    assert.deepEqual(point.safe(['b']), [{ partition: 0, offset: '20' }]);
    point.assigned([0, 1]);
    point.consumed(0, 30n);
    point.consumed(1, 5n);
    assert.deepEqual(
      point.safe(['b']),
      [{ partition: 0, offset: '20' }],
      'b has not published since partition 1 was first read here',
    );
    point.published('b');
    assert.deepEqual(point.safe(['b']), [
      { partition: 0, offset: '30' },
      { partition: 1, offset: '5' },
    ]);
  });

  it('commit point - a version taken before it is judged covers what had been read when it was taken', () => {
    const point = new CommitPoint();
    point.consumed(0, 10n);
    point.started('a');
    point.consumed(0, 40n);
    point.tookVersion('a'); // pending: its artifact holds what was learned up to 40
    point.consumed(0, 70n); // these judge it, and the learners learn them
    point.published('a');
    assert.deepEqual(point.safe(['a']), [{ partition: 0, offset: '40' }]);
    point.consumed(0, 90n);
    point.published('a'); // a version taken and published at once
    assert.deepEqual(point.safe(['a']), [{ partition: 0, offset: '90' }]);
  });

  it('commit point - a blueprint that learned nothing for two publish periods (at least a minute) holds the commit no longer, and holds from its last version again once it learns', () => {
    const role = (hasUnpublished: boolean, lastLearnedAt: number | null, now: number, publishEveryMs = 2000) =>
      commitRole({ hasUnpublished, lastLearnedAt, publishEveryMs }, now);
    assert.equal(role(false, null, 0), 'covered');
    assert.equal(role(true, 1000, 1000 + 59_999), 'holding');
    assert.equal(role(true, 1000, 1000 + 60_000), 'idle');
    assert.equal(role(true, 1000, 1000 + 60_000, 45_000), 'holding'); // twice a 45 s publish_every
    assert.equal(role(true, 1000, 1000 + 90_000, 45_000), 'idle');
    assert.equal(role(true, null, 5000), 'idle'); // took over with nothing learned here

    // a published at 40, took a pending version at 60 that waits for labels; b goes on learning.
    const point = new CommitPoint();
    point.consumed(0, 0n);
    point.started('a');
    point.started('b');
    point.consumed(0, 40n);
    point.published('a');
    point.consumed(0, 60n);
    point.tookVersion('a');
    point.consumed(0, 100n);
    point.published('b');
    assert.deepEqual(point.safe(['a']), [{ partition: 0, offset: '40' }], 'a holds while active');
    assert.deepEqual(point.toCommit([]), [{ partition: 0, offset: '100' }], 'an idle a holds nothing back');
    point.consumed(0, 130n); // a learns again, its pending version still unjudged
    assert.deepEqual(point.safe(['a']), [{ partition: 0, offset: '40' }], 'a holds from its last published version');
    assert.deepEqual(point.toCommit(['a']), [], 'and the commit does not move back');
    point.published('a'); // the pending version is published: it covers what was read when taken
    assert.deepEqual(point.toCommit(['a']), [], 'still behind the commit');
    point.consumed(0, 150n);
    point.published('a'); // everything a learned is in a version
    assert.deepEqual(point.toCommit(['a']), [{ partition: 0, offset: '150' }]);
  });
});
