import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBuffer } from './replay-buffer.js';

describe('replay buffer', () => {
  it('replay buffer - a replayed example keeps the weight it was learned with', () => {
    const buffer = new ReplayBuffer(3);
    buffer.remember({ xs: [{ x: 1 }, { x: 2 }], ys: [1, 0], ws: [40, 1.025] });
    const drawn = buffer.draw(20);
    assert.equal(drawn.xs.length, 20);
    for (let i = 0; i < 20; i++)
      assert.deepEqual([drawn.ys[i], drawn.ws[i]], drawn.xs[i]!['x'] === 1 ? [1, 40] : [0, 1.025]);
  });

  it('replay buffer - the oldest example makes room once it is full', () => {
    const buffer = new ReplayBuffer(2);
    buffer.remember({ xs: [{ x: 1 }, { x: 2 }, { x: 3 }], ys: [1, 1, 1], ws: [1, 2, 3] });
    const drawn = buffer.draw(50);
    assert.deepEqual([...new Set(drawn.ws)].sort(), [2, 3]);
  });
});
