// Forgetting (training.forget): the discounted statistics of the linear arms (D-LinUCB: Russac,
// Vernade & Cappé 2019) — exact decay, the clock a bandit keeps and carries, states written before
// it — and, in a seeded simulation of a world that flips, what forgetting buys and what it costs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { ContextualBandit, decayFactor, LinearArm, type PolicySpec } from './index.js';

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tolerance,
      `${what}[${i}]: ${actual[i]} is not within ${tolerance} of ${expected[i]}`,
    );
  }
}

/** The inverse of a symmetric 2 × 2 matrix [[a, b], [b, c]] (row-major), in closed form. */
function inverse2(m: ArrayLike<number>): number[] {
  const [a, b, c] = [m[0]!, m[1]!, m[3]!];
  const det = a * c - b * b;
  return [c / det, -b / det, -b / det, a / det];
}

test('forgetting - γ = 2^(−Δt/half-life) is exactly ½ after one half-life, ¼ after two, 1 at once', () => {
  assert.equal(decayFactor(60_000, 60_000), 0.5);
  assert.equal(decayFactor(120_000, 60_000), 0.25);
  assert.equal(decayFactor(0, 60_000), 1);
  assert.ok(Math.abs(decayFactor(30_000, 60_000) - Math.SQRT1_2) <= 1e-15);
});

test('forgetting - a decay scales A and b by γ and keeps the ridge whole: A = λI + γ·Σ xxᵀ, b = γ·Σ rx', () => {
  // λ = 2; (x, r) = ((1, 1), 2) then γ = ½: A = 2I + ½[[1,1],[1,1]] = [[2.5,0.5],[0.5,2.5]], b = (1, 1),
  // det 6, A⁻¹ = [[2.5,−0.5],[−0.5,2.5]]/6, θ = A⁻¹b = (1/3, 1/3).
  const arm = new LinearArm(2, 2);
  arm.update(Float64Array.of(1, 1), 2);
  arm.decay(0.5);
  assertClose(arm.precision(), [2.5, 0.5, 0.5, 2.5], 0, 'A');
  assertClose(arm.toJSON().b, [1, 1], 0, 'b');
  assertClose(arm.covariance(), [2.5 / 6, -0.5 / 6, -0.5 / 6, 2.5 / 6], 1e-15, 'A⁻¹');
  assertClose(arm.coefficients(), [1 / 3, 1 / 3], 1e-15, 'θ');
  // An update after a decay is the update of the decayed arm: A = [[3.5,−0.5],[−0.5,3.5]], b = (2, 0);
  // A⁻¹ is rebuilt when read and agrees with the closed form.
  arm.update(Float64Array.of(1, -1), 1);
  assertClose(arm.precision(), [3.5, -0.5, -0.5, 3.5], 0, 'A after a decay and an update');
  assertClose(arm.toJSON().b, [2, 0], 0, 'b after a decay and an update');
  const inverse = inverse2(arm.precision());
  assertClose(arm.covariance(), inverse, 1e-15, 'A⁻¹ after a decay and an update');
  assertClose(arm.coefficients(), [2 * inverse[0]!, 2 * inverse[2]!], 1e-15, 'θ');
  // Forgetting everything leaves the prior: A → λI, θ → 0, the width of a new arm.
  arm.decay(2 ** -1074);
  assertClose(arm.precision(), [2, 0, 0, 2], 1e-300, 'A after forgetting all');
  assert.ok(Math.abs(arm.width(Float64Array.of(1, 0)) - Math.sqrt(0.5)) <= 1e-15, 'the width of a new arm');
  assert.throws(() => arm.decay(0), { name: 'RangeError', message: 'a decay factor must be in (0, 1], got 0' });
  assert.throws(() => arm.decay(1.5), { name: 'RangeError', message: 'a decay factor must be in (0, 1], got 1.5' });
});

test('forgetting - a bandit decays every arm to the newest decision time: after one half-life an earlier reward counts exactly half', () => {
  const options = { actions: ['a', 'b'], dimension: 2, policy: { kind: 'linucb', alpha: 1 } } as const;
  const bandit = new ContextualBandit({ ...options, halfLifeMs: 60_000 });
  bandit.learn(Float64Array.of(1, 0.5), 'a', 2, undefined, 1_000);
  bandit.learn(Float64Array.of(0.5, 1), 'b', 1, undefined, 1_000);
  bandit.learn(Float64Array.of(1, -1), 'a', 3, undefined, 61_000);
  // The reference learns the same rewards at the weights a half-life leaves them.
  const a = new LinearArm(2);
  a.update(Float64Array.of(1, 0.5), 2, 0.5);
  a.update(Float64Array.of(1, -1), 3);
  const b = new LinearArm(2);
  b.update(Float64Array.of(0.5, 1), 1, 0.5);
  assert.deepEqual(bandit.arm('a').precision(), a.precision());
  assert.deepEqual(bandit.arm('a').toJSON().b, a.toJSON().b);
  assert.deepEqual(bandit.arm('b').precision(), b.precision(), 'the arm not updated forgets too');
  assert.deepEqual(bandit.arm('b').toJSON().b, b.toJSON().b);
  assert.equal(bandit.lastUpdateAt, 61_000);
  // A reward whose decision is older than the clock is learned at its decayed weight; the clock stays.
  bandit.learn(Float64Array.of(0, 1), 'b', 4, undefined, 1_000);
  b.update(Float64Array.of(0, 1), 4, 0.5);
  assert.deepEqual(bandit.arm('b').toJSON().b, b.toJSON().b);
  assert.equal(bandit.lastUpdateAt, 61_000);
  // Without a half-life the time is kept but nothing decays.
  const plain = new ContextualBandit(options);
  plain.learn(Float64Array.of(1, 0.5), 'a', 2, undefined, 1_000);
  plain.learn(Float64Array.of(1, -1), 'a', 3, undefined, 1_000_000);
  const same = new LinearArm(2);
  same.update(Float64Array.of(1, 0.5), 2);
  same.update(Float64Array.of(1, -1), 3);
  assert.deepEqual(plain.arm('a').toJSON(), same.toJSON());
  assert.equal(plain.lastUpdateAt, 1_000_000);
  assert.throws(() => new ContextualBandit({ ...options, halfLifeMs: 0 }), {
    name: 'RangeError',
    message: 'halfLifeMs must be a positive finite number of ms, or null to never forget, got 0',
  });
  assert.throws(() => plain.learn(Float64Array.of(1, 1), 'a', 1, undefined, NaN), {
    name: 'RangeError',
    message: 'a decision time must be a finite number of ms, got NaN',
  });
});

test('forgetting - the state carries the half-life and the clock; a state without them loads as a bandit that never forgets, and behaves as before', () => {
  const world = new SeededRandom(8);
  const actions = ['a', 'b', 'c', 'd'];
  const context = () => Float64Array.from({ length: 5 }, (_, j) => (j === 0 ? 1 : world.normal()));
  const options = { actions, dimension: 5, policy: { kind: 'linucb', alpha: 1 } } as const;
  const forgetting = new ContextualBandit({ ...options, halfLifeMs: 600_000 });
  const old = new ContextualBandit(options);
  for (let t = 0; t < 300; t++) {
    const x = context();
    const action = actions[t % actions.length]!;
    const reward = x[1]! * (t % actions.length) + world.normal();
    forgetting.learn(x, action, reward, undefined, t * 1000);
    old.learn(x, action, reward);
  }
  // Round trip: the half-life and the clock come back, and learning goes on exactly as without one.
  const restored = ContextualBandit.fromJSON(JSON.parse(JSON.stringify(forgetting)));
  assert.equal(restored.options.halfLifeMs, 600_000);
  assert.equal(restored.lastUpdateAt, 299_000);
  const x = context();
  for (const b of [forgetting, restored]) b.learn(x, 'a', 1, undefined, 900_000);
  assert.deepEqual(restored.toJSON(), forgetting.toJSON());

  // A state written before forgetting existed: no halfLifeMs in its options, no lastUpdateAt.
  const written = JSON.parse(JSON.stringify(old)) as Record<string, unknown> & { options: Record<string, unknown> };
  delete written['lastUpdateAt'];
  delete written.options['halfLifeMs'];
  const loaded = ContextualBandit.fromJSON(written as never);
  assert.equal(loaded.options.halfLifeMs, null);
  assert.equal(loaded.lastUpdateAt, null);
  const probe = Float64Array.of(1, 0.3, -0.2, 0.5, 1);
  assert.deepEqual(loaded.estimates(probe), old.estimates(probe));
  // It learns as it always did, times or not.
  loaded.learn(x, 'b', 2, undefined, 5_000_000);
  old.learn(x, 'b', 2);
  assert.deepEqual(loaded.arm('b').toJSON(), old.arm('b').toJSON());
  assert.deepEqual(loaded.choose(probe, new SeededRandom(1)), old.choose(probe, new SeededRandom(1)));
  // Given a half-life later, it keeps what it learned and forgets from its clock on.
  const continued = loaded.withHalfLife(600_000);
  assert.deepEqual(continued.estimates(probe), loaded.estimates(probe));
  continued.learn(x, 'b', 2, undefined, 5_600_000);
  assert.equal(continued.lastUpdateAt, 5_600_000);
  assert.ok(continued.arm('c').width(probe) > loaded.arm('c').width(probe), 'a half-life later, c is less certain');
});

/**
 * The issue's shop in miniature: one decision a second, offer or skip for a user u ~ U(−1, 1); an
 * offer pays Bernoulli(0.5 + 0.3u), a skip Bernoulli(0.5), for 20,000 decisions (5.6 h); then the
 * world flips so that the offer suits the opposite users, Bernoulli(0.5 − 0.3u), u keeping its
 * meaning. Counted: the share of decisions that took the best action, in the 10 minutes before
 * the flip and per 10 minutes after it; the first decision after it at which the last 200 took the
 * new best action at least 90 % of the time; and the share of the oracle's lift over always-skip
 * earned in the last 5,000 decisions before the flip (what forgetting costs while the world holds
 * still) and in the first 3,600 after it.
 */
function flipped(policy: PolicySpec, halfLifeMs: number | null, seed: number, after = 6_000) {
  const world = new SeededRandom(seed);
  const random = new SeededRandom(seed + 1);
  const bandit = new ContextualBandit({ actions: ['offer', 'skip'], dimension: 2, policy, halfLifeMs });
  const [before, window] = [20_000, 600];
  const recent: number[] = [];
  let recovered: number | null = null;
  const windows: number[] = [];
  let [right, beforeRight] = [0, 0];
  const lift = { steady: 0, steadyOracle: 0, after: 0, afterOracle: 0 };
  for (let t = 0; t < before + after; t++) {
    const u = 2 * world.next() - 1;
    const offerMean = 0.5 + (t < before ? 0.3 : -0.3) * u;
    const x = Float64Array.of(u, 1);
    const choice = bandit.choose(x, random);
    const took = choice.action === 'offer' ? offerMean : 0.5;
    const correct = choice.action === (offerMean > 0.5 ? 'offer' : 'skip') ? 1 : 0;
    bandit.learn(x, choice.action, world.next() < took ? 1 : 0, choice.propensity, t * 1000);
    const best = Math.max(offerMean, 0.5) - 0.5;
    if (t < before) {
      if (t >= before - window) beforeRight += correct;
      if (t >= before - 5_000) {
        lift.steady += took - 0.5;
        lift.steadyOracle += best;
      }
      continue;
    }
    const n = t - before + 1;
    if (n <= 3_600) {
      lift.after += took - 0.5;
      lift.afterOracle += best;
    }
    right += correct;
    if (n % window === 0) {
      windows.push(right / window);
      right = 0;
    }
    recent.push(correct);
    if (recent.length > 200) recent.shift();
    if (recovered === null && recent.length === 200 && recent.reduce((s, c) => s + c, 0) >= 180) recovered = n;
  }
  const text = (w: number[]) => w.map((s) => s.toFixed(2)).join(' ');
  return {
    recovered,
    before: beforeRight / window,
    windows,
    steadyLift: lift.steady / lift.steadyOracle,
    liftAfter: lift.after / lift.afterOracle,
    describe: `${halfLifeMs === null ? 'never forgets' : `half-life ${halfLifeMs / 60_000} min`}: best action taken ${(beforeRight / window).toFixed(2)} in the 10 min before the flip; after it, per 10 min: ${text(windows)}; 90 % of the last 200 decisions right ${recovered === null ? 'never' : `after ${recovered} decisions`}`,
  };
}

test('forgetting - after the world flips, a discounted LinUCB takes the new best action within 4 half-lives while the undiscounted one is still wrong', (t) => {
  const halfLife = 10 * 60_000; // 600 decisions at one a second
  const discounted = flipped({ kind: 'linucb', alpha: 1 }, halfLife, 2);
  const undiscounted = flipped({ kind: 'linucb', alpha: 1 }, null, 2);
  t.diagnostic(`LinUCB (α = 1), ${discounted.describe}`);
  t.diagnostic(`LinUCB (α = 1), ${undiscounted.describe}`);
  assert.ok(discounted.recovered !== null && discounted.recovered <= 4 * 600, `recovered ${discounted.recovered}`);
  assert.ok(discounted.windows[1]! >= 0.7, `second half-life ${discounted.windows[1]}`);
  assert.ok(Math.min(...discounted.windows.slice(2)) >= 0.75, `later ${discounted.windows}`);
  assert.equal(undiscounted.recovered, null);
  assert.ok(Math.max(...undiscounted.windows) <= 0.1, `undiscounted ${undiscounted.windows}`);
  assert.ok(undiscounted.before >= 0.95, 'before the flip it was right');
});

test('forgetting - after the world flips, discounted Thompson sampling takes the new best action within 4 half-lives while the undiscounted one is still wrong', (t) => {
  const halfLife = 10 * 60_000;
  const discounted = flipped({ kind: 'thompson', scale: 0.5, propensityDraws: 50 }, halfLife, 2);
  const undiscounted = flipped({ kind: 'thompson', scale: 0.5, propensityDraws: 50 }, null, 2);
  t.diagnostic(`Thompson (v = 0.5), ${discounted.describe}`);
  t.diagnostic(`Thompson (v = 0.5), ${undiscounted.describe}`);
  assert.ok(discounted.recovered !== null && discounted.recovered <= 4 * 600, `recovered ${discounted.recovered}`);
  assert.ok(Math.min(...discounted.windows.slice(2)) >= 0.75, `later ${discounted.windows}`);
  assert.equal(undiscounted.recovered, null);
  assert.ok(Math.max(...undiscounted.windows) <= 0.1, `undiscounted ${undiscounted.windows}`);
});

test('forgetting - the trade-off: a longer half-life keeps more of the lift while the world holds still and takes longer to follow a change', (t) => {
  // The figures of docs/blueprints.md (training.forget): LinUCB (α = 1), 8 seeds, half-lives in
  // decisions (one a second); recovery as the median of the 8.
  const rows: { halfLife: number | null; steady: number; after: number; recovered: number }[] = [];
  for (const halfLife of [null, 300, 600, 1200, 2400]) {
    const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) =>
      flipped({ kind: 'linucb', alpha: 1 }, halfLife === null ? null : halfLife * 1000, seed, 9_000),
    );
    const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
    const recoveries = runs.map((r) => r.recovered ?? Infinity).sort((a, b) => a - b);
    rows.push({
      halfLife,
      steady: mean((r) => r.steadyLift),
      after: mean((r) => r.liftAfter),
      recovered: (recoveries[3]! + recoveries[4]!) / 2,
    });
  }
  for (const r of rows)
    t.diagnostic(
      `half-life ${r.halfLife ?? 'never'}: lift kept in a steady world ${(100 * r.steady).toFixed(1)} %, over the first 3,600 decisions after the flip ${(100 * r.after).toFixed(0)} %; 90 % of the last 200 right ${r.recovered === Infinity ? 'never' : `after ${Math.round(r.recovered)} decisions`} (median)`,
    );
  const [never, ...forgetting] = rows;
  assert.ok(
    never!.steady > 0.99 && never!.after < 0 && never!.recovered === Infinity,
    'never forgetting never recovers',
  );
  for (let i = 1; i < forgetting.length; i++) {
    assert.ok(forgetting[i]!.steady > forgetting[i - 1]!.steady, 'a longer half-life keeps more in a steady world');
    assert.ok(forgetting[i]!.recovered > forgetting[i - 1]!.recovered, 'and takes longer after a change');
  }
  for (const r of forgetting)
    assert.ok(r.recovered <= 4 * r.halfLife!, `recovered within 4 half-lives: ${r.recovered}`);
});
