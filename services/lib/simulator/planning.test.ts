import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { PlanningSimulator, type PlanningContext } from './planning.js';

const SIM = new PlanningSimulator({ seed: 42 });

test('planning simulator - the same seed gives the same users, another seed other users', () => {
  assert.deepEqual(new PlanningSimulator({ seed: 42 }).users, SIM.users);
  assert.notDeepEqual(new PlanningSimulator({ seed: 43 }).users, SIM.users);
  assert.equal(SIM.users.length, 1000);
  assert.deepEqual(SIM.actions, ['email', 'push', 'sms']);
  assert.equal(SIM.user(0).entity, 'user-0000');
  assert.equal(SIM.user(999).entity, 'user-0999');
  assert.equal(new PlanningSimulator({ seed: 1, users: 12_345 }).user(12_344).entity, 'user-12344');
});

test('planning simulator - contexts lie in their declared ranges', () => {
  for (const { context } of SIM.users) {
    assert.ok(Number.isInteger(context.age) && context.age >= 18 && context.age <= 80, `age ${context.age}`);
    assert.ok(
      Number.isInteger(context.sessions) && context.sessions >= 0 && context.sessions <= 50,
      `sessions ${context.sessions}`,
    );
    assert.ok(['ios', 'android', 'web'].includes(context.platform), context.platform);
  }
});

test('planning simulator - user(i) outside the population and unknown actions are RangeErrors that say what exists', () => {
  assert.throws(() => SIM.user(1000), { name: 'RangeError', message: 'no user 1000: the population has users 0..999' });
  assert.throws(() => SIM.user(-1), { name: 'RangeError', message: 'no user -1: the population has users 0..999' });
  assert.throws(() => SIM.rewardProbability(SIM.user(0).context, 'letter'), {
    name: 'RangeError',
    message: 'unknown action "letter": the simulator\'s actions are email, push, sms',
  });
  assert.throws(() => new PlanningSimulator({ seed: 1.5 }), {
    name: 'RangeError',
    message: 'planning simulator seed: 1.5 is not an integer; pass any whole number, e.g. 42',
  });
  assert.throws(() => new PlanningSimulator({ seed: 1, users: 0 }), {
    name: 'RangeError',
    message: 'planning simulator users: 0 is not a whole number ≥ 1; the default is 1000',
  });
});

test('planning simulator - reward probabilities lie strictly between 0 and 1, and the corners match the logit by hand', () => {
  for (const { context } of SIM.users) {
    for (const action of SIM.actions) {
      const p = SIM.rewardProbability(context, action);
      assert.ok(p > 0 && p < 1, `${action}: ${p}`);
    }
  }
  // age 80, 0 sessions, web: email's logit is −0.9 + 1.3·1 − 0.2·(−1) + 0.5 = 1.1.
  const old: PlanningContext = { age: 80, sessions: 0, platform: 'web' };
  assert.ok(Math.abs(SIM.rewardProbability(old, 'email') - 1 / (1 + Math.exp(-1.1))) <= 1e-15);
  assert.equal(SIM.oracleAction(old), 'email');
  // age 18, 50 sessions, ios: push's logit is −0.85 − 1.1·(−1) + 0.9·1 + 0.3 = 1.45.
  const young: PlanningContext = { age: 18, sessions: 50, platform: 'ios' };
  assert.ok(Math.abs(SIM.rewardProbability(young, 'push') - 1 / (1 + Math.exp(-1.45))) <= 1e-15);
  assert.equal(SIM.oracleAction(young), 'push');
  assert.equal(SIM.oracleAction({ age: 49, sessions: 0, platform: 'android' }), 'sms');
});

test('planning simulator - drawReward is 1 exactly when the uniform draw falls below the reward probability', () => {
  const context = SIM.user(0).context;
  const p = SIM.rewardProbability(context, 'sms');
  assert.equal(SIM.drawReward(context, 'sms', { next: () => p - 1e-12 }), 1);
  assert.equal(SIM.drawReward(context, 'sms', { next: () => p }), 0);
  // 200,000 seeded draws: the mean is within 4 standard errors (√(p(1−p)/n) ≤ 0.0012) of p.
  const random = new SeededRandom(5);
  let sum = 0;
  for (let i = 0; i < 200_000; i++) sum += SIM.drawReward(context, 'sms', random);
  assert.ok(Math.abs(sum / 200_000 - p) <= 4 * Math.sqrt((p * (1 - p)) / 200_000), `${sum / 200_000} vs ${p}`);
});

test('planning simulator - the oracle beats every single action and uniform choice, and valueOf(uniform) is uniformValue to the bit', (t) => {
  const oracle = SIM.oracleValue();
  const uniform = SIM.uniformValue();
  const perAction = SIM.actions.map((a) => [a, SIM.actionValue(a)] as const);
  t.diagnostic(
    `oracle ${oracle.toFixed(4)}, uniform ${uniform.toFixed(4)}, ${perAction.map(([a, v]) => `${a} ${v.toFixed(4)}`).join(', ')}`,
  );
  for (const [action, value] of perAction) assert.ok(oracle > value + 0.1, `oracle ${oracle} vs ${action} ${value}`);
  assert.ok(oracle > uniform + 0.15, `oracle ${oracle} vs uniform ${uniform}`);
  assert.equal(
    SIM.valueOf(() => ({ email: 1 / 3, push: 1 / 3, sms: 1 / 3 })),
    uniform,
  );
  // Uniform choice is also the mean of the three single-action values (up to rounding).
  assert.ok(Math.abs(uniform - perAction.reduce((s, [, v]) => s + v, 0) / 3) <= 1e-12);
  // The oracle is the mean of the best probability, by hand.
  const byHand =
    SIM.users.reduce((s, u) => s + Math.max(...SIM.actions.map((a) => SIM.rewardProbability(u.context, a))), 0) /
    SIM.users.length;
  assert.ok(Math.abs(oracle - byHand) <= 1e-12);
});

test('planning simulator - each action is the best one for at least 20 % of the users', (t) => {
  const best = new Map(SIM.actions.map((a) => [a, 0]));
  for (const { context } of SIM.users) {
    const action = SIM.oracleAction(context);
    best.set(action, best.get(action)! + 1);
  }
  t.diagnostic(`best action shares: ${[...best].map(([a, n]) => `${a} ${(n / 10).toFixed(1)} %`).join(', ')}`);
  for (const [action, n] of best) assert.ok(n >= 200, `${action} is best for ${n} of 1000 users`);
});

test('planning simulator - valueOf rejects probabilities that do not sum to 1 or lie outside [0, 1], naming the user', () => {
  assert.throws(() => SIM.valueOf(() => ({ email: 0.5, push: 0.4 })), {
    name: 'RangeError',
    message: "user-0000: the policy's probabilities must sum to 1, got 0.9",
  });
  assert.throws(() => SIM.valueOf(() => ({ email: 1.5, push: -0.5 })), {
    name: 'RangeError',
    message: 'user-0000: the policy\'s probability of "email" must be in [0, 1], got 1.5',
  });
  assert.throws(() => SIM.valueOf(() => ({ letter: 1 })), {
    name: 'RangeError',
    message: 'unknown action "letter": the simulator\'s actions are email, push, sms',
  });
});
