import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../blueprint/compile.js';
import type { Blueprint } from '../schemas/generated.js';
import { SeededRandom } from '../learners/random.js';
import { explorePlanned } from '../decide/policy.js';
import { BanditModel, isBanditArtifact, policySpecOf } from './bandit-model.js';

function planning(decision: Record<string, unknown>): Blueprint {
  const result = compileBlueprint({
    blueprint: 'plan',
    task: 'planning',
    entity: 'user',
    features: {
      context: [
        { name: 'age', type: 'float' },
        { name: 'platform', type: 'category', values: ['ios', 'web'] },
      ],
    },
    label: { window: '1m', missing: 0 },
    decision: { actions: ['email', 'push', 'sms'], default: 'email', explore: '5%', ...decision },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}

test("planning - the decision section names the bandit policy, with Looper's defaults", () => {
  assert.deepEqual(policySpecOf(planning({ policy: 'linucb' }).decision), { kind: 'linucb', alpha: 1 });
  assert.deepEqual(policySpecOf(planning({ policy: 'epsilon_greedy', epsilon: 0.2 }).decision), {
    kind: 'epsilon-greedy',
    epsilon: 0.2,
  });
  assert.deepEqual(
    policySpecOf(planning({ policy: 'softmax' }).decision),
    { kind: 'softmax', temperature: 1 },
    "the compiler's default temperature",
  );
  assert.deepEqual(policySpecOf(planning({ policy: 'argmax' }).decision), { kind: 'epsilon-greedy', epsilon: 0 });
  assert.throws(
    () => policySpecOf({ policy: 'threshold', epsilon: null, temperature: null, alpha: null }),
    /policy threshold is not a bandit policy: a planning blueprint takes epsilon_greedy, softmax, thompson, linucb or argmax/,
  );
});

test("planning - the explore share goes on top of the policy's probabilities, and the propensity says so", () => {
  const decision = planning({ policy: 'linucb', explore: '10%' }).decision;
  const planned = { action: 'push', probabilities: { email: 0, push: 1, sms: 0 } };
  // random() < 0.1 explores; the second draw picks sms (index 2 of 3).
  const draws = [0.05, 0.9];
  assert.deepEqual(
    explorePlanned(decision, planned, () => draws.shift()!),
    { action: 'sms', propensity: 0.1 / 3, explored: true },
  );
  assert.deepEqual(
    explorePlanned(decision, planned, () => 0.5),
    { action: 'push', propensity: 0.1 / 3 + 0.9, explored: false },
  );
  const softly = { action: 'email', probabilities: { email: 0.5, push: 0.3, sms: 0.2 } };
  assert.deepEqual(
    explorePlanned({ ...decision, explore: 0 }, softly, () => 0.5),
    { action: 'email', propensity: 0.5, explored: false },
  );
});

test('planning - a bandit model learns which action pays in which context, and survives its artifact', () => {
  const bp = planning({ policy: 'linucb', alpha: 0.1 });
  const model = BanditModel.create(bp);
  const random = new SeededRandom(3);
  const contexts = Array.from({ length: 400 }, (_, i) => ({
    age: 20 + (i % 50),
    platform: i % 2 === 0 ? 'ios' : 'web',
  }));
  for (const c of contexts) model.observe(c);
  // push pays on ios, sms on web, email never.
  const reward = (c: { platform: string }, action: string) =>
    action === 'push' ? (c.platform === 'ios' ? 1 : 0) : action === 'sms' ? (c.platform === 'web' ? 1 : 0) : 0;
  for (let round = 0; round < 3; round++)
    for (const c of contexts) for (const a of bp.decision.actions) model.learn(c, a, reward(c, a), 1 / 3);
  const bytes = model.toArtifact();
  assert.ok(isBanditArtifact(bytes));
  const served = BanditModel.fromArtifact(bytes);
  assert.equal(served.choose({ age: 30, platform: 'ios' }, random).action, 'push');
  const web = served.choose({ age: 30, platform: 'web' }, random);
  assert.equal(web.action, 'sms');
  assert.equal(web.propensity, 1, 'LinUCB is deterministic');
  assert.ok(Math.abs(web.means['sms']! - 1) < 0.01 && Math.abs(web.means['email']!) < 0.01, JSON.stringify(web.means));
  assert.deepEqual(
    served.choose({ age: 30, platform: 'web' }, random).means,
    model.choose({ age: 30, platform: 'web' }, random).means,
    'the served model is the trained one',
  );
  assert.equal(isBanditArtifact(Uint8Array.of(0x4c, 0x4f, 0x4f, 0x50)), false);
});

test('planning - a bandit model forgets with the half-life of training.forget, and an artifact without one loads and serves as before', () => {
  const compiled = (training: Record<string, unknown>) => {
    const result = compileBlueprint({
      blueprint: 'plan',
      task: 'planning',
      entity: 'user',
      features: { context: [{ name: 'age', type: 'float' }] },
      label: { window: '1m', missing: 0 },
      decision: { policy: 'linucb', actions: ['email', 'push'], default: 'email' },
      training,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.blueprint;
  };
  assert.equal(BanditModel.create(compiled({})).halfLifeMs, 86_400_000, 'a day by default');
  assert.equal(BanditModel.create(compiled({ forget: { half_life: '10m' } })).halfLifeMs, 600_000);
  const never = compiled({ forget: 'none' });
  assert.equal(BanditModel.create(never).halfLifeMs, null);

  // A model trained before forgetting existed: its artifact has no halfLifeMs and no lastUpdateAt.
  const model = BanditModel.create(never);
  for (let i = 0; i < 300; i++) model.observe({ age: 20 + (i % 50) });
  for (let i = 0; i < 300; i++) {
    const age = 20 + (i % 50);
    model.learn({ age }, i % 2 === 0 ? 'email' : 'push', (i % 2 === 0) === age > 40 ? 1 : 0, 0.5);
  }
  const artifact = JSON.parse(Buffer.from(model.toArtifact()).toString('utf8')) as {
    bandit: { lastUpdateAt?: unknown; options: { halfLifeMs?: unknown } };
  };
  delete artifact.bandit.lastUpdateAt;
  delete artifact.bandit.options.halfLifeMs;
  const old = BanditModel.fromArtifact(Buffer.from(JSON.stringify(artifact), 'utf8'));
  assert.equal(old.halfLifeMs, null);
  for (const age of [25, 60]) {
    const [then, now] = [model, old].map((m) => m.choose({ age }, new SeededRandom(1)));
    assert.deepEqual(now, then, 'the same choice, propensity and means');
  }
  assert.deepEqual(old.choose({ age: 60 }, new SeededRandom(1)).action, 'email');
  // Continued under a half-life it keeps what it learned, then forgets by decision time.
  const continued = old.withHalfLife(600_000);
  assert.deepEqual(
    continued.choose({ age: 60 }, new SeededRandom(1)).means,
    old.choose({ age: 60 }, new SeededRandom(1)).means,
  );
  continued.learn({ age: 60 }, 'push', 1, 0.5, 0);
  continued.learn({ age: 60 }, 'push', 1, 0.5, 6_000_000);
  const state = (
    JSON.parse(Buffer.from(continued.toArtifact()).toString('utf8')) as { bandit: Record<string, unknown> }
  ).bandit;
  assert.deepEqual(
    [state['lastUpdateAt'], (state['options'] as Record<string, unknown>)['halfLifeMs']],
    [6_000_000, 600_000],
  );
});
