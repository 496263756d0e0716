import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator, localHour, sigmoid, type UserTraits } from '../../services/lib/simulator/index.js';
import { clickModels, isWorldName } from './click-models.js';

const sim = createSimulator({ seed: 1001, users: 2000 });

/** The share of the users the oracle (truth ≥ 0.3) sends to at each UTC hour of a day. */
function oracleShares(world: 'demo' | 'misfit'): number[] {
  return Array.from({ length: 24 }, (_, h) => {
    const now = Date.UTC(2026, 10, 29, h);
    const sends = sim.users.filter(
      (u) => clickModels[world](u, { hour: localHour(u.country, now), platform: u.platform }) >= 0.3,
    );
    return sends.length / sim.users.length;
  });
}

describe('jitter bench click models', () => {
  it("click models - the demo world's probability is the simulator's own", () => {
    for (const u of sim.users.slice(0, 50)) {
      for (const hour of [0, 8, 20]) {
        const context = { hour, platform: u.platform };
        assert.equal(clickModels.demo(u, context), sim.clickProbability(u.userId, context));
      }
    }
  });

  it('click models - the mis-specified world peaks at middling engagement and falls at both ends', () => {
    const user = (engagement: number): UserTraits => ({ ...sim.users[0]!, engagement, preferredHour: 20 });
    const at = (engagement: number) => clickModels.misfit(user(engagement), { hour: 20, platform: 'ios' });
    // −0.5 + 0.5·e − 0.8·e² + cos(0) + 0.25 (ios)
    assert.equal(at(0), sigmoid(0.75));
    assert.equal(at(1), sigmoid(0.45));
    assert.equal(at(-1), sigmoid(-0.55));
    assert.ok(at(0.3125) > at(0) && at(0.3125) > at(1), 'the peak is at e = 0.5 / 1.6');
    assert.ok(at(2) < 0.3 && at(-1.5) < 0.3, 'the oracle skips both ends');
  });

  it('click models - the oracle sends to a sizeable share of the users at every hour in both worlds', () => {
    for (const world of ['demo', 'misfit'] as const) {
      const shares = oracleShares(world);
      assert.ok(Math.min(...shares) > 0.2, `${world}: lowest ${Math.min(...shares)}`);
      assert.ok(Math.max(...shares) < 0.6, `${world}: highest ${Math.max(...shares)}`);
    }
  });

  it('click models - a world is named demo or misfit', () => {
    assert.equal(isWorldName('demo'), true);
    assert.equal(isWorldName('misfit'), true);
    assert.equal(isWorldName('toString'), false);
  });
});
