import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecentIds } from './recent-ids.js';

describe('recent example ids', () => {
  it('recent ids - an id is new once, and the oldest is let go past the capacity', () => {
    const seen = new RecentIds(2);
    assert.deepEqual(
      [seen.add('e1', 'a'), seen.add('e1', 'a'), seen.add('e2', 'a'), seen.add('e3', 'b')],
      [true, false, true, true],
    );
    assert.deepEqual([seen.add('e1', 'a'), seen.add('e3', 'b')], [true, false], 'e1 was the oldest of three');
  });

  it('recent ids - forgets the ids of dropped blueprints only', () => {
    const seen = new RecentIds(10);
    for (const [id, blueprint] of [
      ['e1', 'a'],
      ['e2', 'b'],
      ['e3', 'a'],
      ['e4', 'c'],
    ] as const)
      seen.add(id, blueprint);
    seen.forget(new Set(['a', 'c']));
    assert.deepEqual(
      ['e1', 'e2', 'e3', 'e4'].map((id) => seen.add(id, 'x')),
      [true, false, true, true],
    );
  });
});
