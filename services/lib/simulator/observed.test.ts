import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventsByUser, observedStreamFeatures } from './observed.js';
import type { ProductEvent } from './product.js';

const H = 3_600_000;
const NOW = 100 * 24 * H;
const open = (ts: number): ProductEvent => ({ topic: 'app.opens', key: 'u', value: { platform: 'ios' }, ts });
const session = (ts: number, duration_s: number, country: 'US' | 'DE'): ProductEvent => ({
  topic: 'app.sessions',
  key: 'u',
  value: { duration_s, country, platform: 'ios' },
  ts,
});

describe('simulator observed features', () => {
  it("simulator observed features - computes the example blueprint's stream features at a time", () => {
    const events = [
      open(NOW - 24 * H),
      open(NOW - 24 * H + 1),
      open(NOW),
      open(NOW + 1),
      session(NOW - 8 * 24 * H, 1000, 'US'),
      session(NOW - H, 30, 'DE'),
      session(NOW, 60, 'US'),
      session(NOW + 1, 5, 'DE'),
    ];
    const f = observedStreamFeatures(events, NOW);
    assert.equal(f.opens_1d, 2);
    assert.equal(f.session_mean_7d, 45);
    assert.equal(f.last_country, 'US');
    const w = [2 ** -192, 0.5, 1];
    assert.ok(Math.abs(f.session_ewma! - (w[0]! * 1000 + w[1]! * 30 + w[2]! * 60) / (w[0]! + w[1]! + w[2]!)) < 1e-9);
    assert.deepEqual(observedStreamFeatures([], NOW), {
      opens_1d: 0,
      session_mean_7d: null,
      session_ewma: null,
      last_country: null,
    });
  });

  it('simulator observed features - groups events by user', () => {
    const a = open(1);
    const b = { ...open(2), key: 'v' };
    assert.deepEqual(
      [...eventsByUser([a, b, a]).entries()],
      [
        ['u', [a, a]],
        ['v', [b]],
      ],
    );
  });
});
