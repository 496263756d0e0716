import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AssignmentError, assignmentHash, pickArm, shareOf, type Arm } from './assignment.js';

const N = 100_000;
const entities = Array.from({ length: N }, (_, i) => `user-${i}`);

/** The documented hash computed the slow, obvious way: encode, then FNV-1a, then fmix32. */
function reference(entity: string, salt: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(`${salt}\u0000${entity}`, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Observed share of each arm over the 100,000 entities. */
function observed(salt: string, arms: readonly Arm[]): Map<string, number> {
  const counts = new Map<string, number>(arms.map((a) => [a.name, 0]));
  for (const entity of entities) {
    const arm = pickArm(entity, salt, arms);
    counts.set(arm, counts.get(arm)! + 1);
  }
  return new Map([...counts].map(([name, count]) => [name, count / N]));
}

function correlation(xs: readonly number[], ys: readonly number[]): number {
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('assignment', () => {
  it('assignment - the hash of fixed inputs never changes (moving it would move every entity)', () => {
    assert.equal(assignmentHash('user-42', 'canary:notification_send'), 3259917504);
    assert.equal(assignmentHash('ünïcödé-😀', 'exp'), 4150437206);
  });

  it('assignment - the hash is FNV-1a over the UTF-8 bytes of salt, NUL, entity, then fmix32', () => {
    for (const [entity, salt] of [
      ['user-42', 'canary:notification_send'],
      ['ünïcödé-😀', 'exp'],
      ['', ''],
      ['lone\ud800', 's'],
    ] as const) {
      assert.equal(assignmentHash(entity, salt), reference(entity, salt), `${entity} / ${salt}`);
    }
  });

  it('assignment - a salt prefix gives the same share as the concatenated salt', () => {
    for (const entity of entities.slice(0, 1000))
      assert.equal(shareOf(entity, 'notification_send', 'canary:'), shareOf(entity, 'canary:notification_send'));
  });

  it('assignment - the separator keeps salt and entity apart', () => {
    assert.notEqual(shareOf('bc', 'a'), shareOf('c', 'ab'));
  });

  it('assignment - the same entity always gets the same share, in [0, 1)', () => {
    for (const entity of entities.slice(0, 1000)) {
      const share = shareOf(entity, 'salt');
      assert.ok(share >= 0 && share < 1);
      assert.equal(shareOf(entity, 'salt'), share);
    }
  });

  it('assignment - shares under two salts are uncorrelated', () => {
    const a = entities.map((e) => shareOf(e, 'canary:notification_send'));
    const b = entities.map((e) => shareOf(e, 'experiment:notif_v2'));
    const r = correlation(a, b);
    assert.ok(Math.abs(r) < 0.02, `correlation ${r}`);
  });

  it('assignment - observed shares are within 1 % of declared for 50/50, 10/90 and 20/30/50', () => {
    const splits: Arm[][] = [
      [
        { name: 'a', share: 0.5 },
        { name: 'b', share: 0.5 },
      ],
      [
        { name: 'a', share: 0.1 },
        { name: 'b', share: 0.9 },
      ],
      [
        { name: 'a', share: 0.2 },
        { name: 'b', share: 0.3 },
        { name: 'c', share: 0.5 },
      ],
    ];
    for (const arms of splits) {
      const seen = observed('experiment:split', arms);
      for (const arm of arms)
        assert.ok(
          Math.abs(seen.get(arm.name)! - arm.share) <= 0.01,
          `${arm.name}: declared ${arm.share}, observed ${seen.get(arm.name)}`,
        );
    }
  });

  it('assignment - an arm with share 0 gets nobody, one with share 1 everybody', () => {
    const seen = observed('s', [
      { name: 'off', share: 0 },
      { name: 'on', share: 1 },
    ]);
    assert.deepEqual(
      [...seen],
      [
        ['off', 0],
        ['on', 1],
      ],
    );
  });

  it('assignment - shares summing to 1 within 1e-9 are accepted', () => {
    const arms = [
      { name: 'a', share: 0.1 },
      { name: 'b', share: 0.2 },
      { name: 'c', share: 0.7 - 5e-10 },
    ];
    assert.ok(['a', 'b', 'c'].includes(pickArm('user-1', 's', arms)));
  });

  it('assignment - shares not summing to 1, negative, non-finite or absent are refused with what to fix', () => {
    assert.throws(
      () =>
        pickArm('u', 's', [
          { name: 'a', share: 0.5 },
          { name: 'b', share: 0.4 },
        ]),
      (error: unknown) => {
        assert.ok(error instanceof AssignmentError);
        assert.equal(error.code, 'invalid_shares');
        assert.equal(
          error.message,
          'arm shares must sum to 1, got 0.9 (a 0.5, b 0.4): adjust the shares so they add up to 100%',
        );
        return true;
      },
    );
    assert.throws(
      () =>
        pickArm('u', 's', [
          { name: 'a', share: -0.5 },
          { name: 'b', share: 1.5 },
        ]),
      { name: 'AssignmentError', message: 'arm "a" has share -0.5: each share must be a number in [0, 1]' },
    );
    assert.throws(() => pickArm('u', 's', [{ name: 'a', share: Number.NaN }]), {
      name: 'AssignmentError',
      message: 'arm "a" has share NaN: each share must be a number in [0, 1]',
    });
    assert.throws(() => pickArm('u', 's', []), {
      name: 'AssignmentError',
      message: 'arm shares must sum to 1, got 0 (no arms): adjust the shares so they add up to 100%',
    });
  });
});
