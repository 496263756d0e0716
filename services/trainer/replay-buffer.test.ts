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

describe('replay buffer, forgetting', () => {
  it('replay buffer - with a half-life an example is drawn in proportion to 2^(−age/half-life): one half-life older, half as often', () => {
    const buffer = new ReplayBuffer(10);
    buffer.remember({ xs: [{ x: 1 }, { x: 2 }, { x: 3 }], ys: [0, 0, 0], ws: [1, 1, 1] }, [0, 60_000, 120_000]);
    assert.deepEqual(buffer.shares(60_000), [1 / 7, 2 / 7, 4 / 7]);
    assert.deepEqual(buffer.shares(null), [1 / 3, 1 / 3, 1 / 3]);
    const drawn = buffer.draw(70_000, 60_000);
    const counts = [1, 2, 3].map((v) => drawn.xs.filter((x) => x['x'] === v).length / 70_000);
    // Within 4 standard errors of a binomial share (at most 0.0076 here).
    counts.forEach((c, i) => assert.ok(Math.abs(c - [1, 2, 4][i]! / 7) < 0.0076, `share of ${i + 1}: ${c}`));
  });

  it('replay buffer - without a half-life it draws exactly as it did, times or not; an example without a time never ages', () => {
    const batch = { xs: [{ x: 1 }, { x: 2 }, { x: 3 }], ys: [1, 0, 1], ws: [1, 2, 3] };
    const timed = new ReplayBuffer(3);
    timed.remember(batch, [0, 1e9, 2e9]);
    const untimed = new ReplayBuffer(3);
    untimed.remember(batch);
    assert.deepEqual(timed.draw(50), untimed.draw(50));
    const mixed = new ReplayBuffer(3);
    mixed.remember({ xs: [{ x: 1 }], ys: [1], ws: [1] });
    mixed.remember({ xs: [{ x: 2 }, { x: 3 }], ys: [1, 1], ws: [1, 1] }, [0, 60_000]);
    assert.deepEqual(mixed.shares(60_000), [0.4, 0.2, 0.4]);
  });
});
