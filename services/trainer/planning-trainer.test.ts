import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import type { Blueprint, Example } from '../lib/schemas/generated.js';
import { BanditModel, WARMUP_EXAMPLES } from '../lib/planning/bandit-model.js';
import { SeededRandom } from '../lib/learners/random.js';
import { PlanningTrainer } from './planning-trainer.js';
import { exampleRecord } from '../lib/joiner/test-records.js';

const bp = ((): Blueprint => {
  const r = compileBlueprint({
    blueprint: 'plan',
    task: 'planning',
    entity: 'user',
    features: { context: [{ name: 'platform', type: 'category', values: ['ios', 'web'] }] },
    label: { window: '1m', missing: 0 },
    decision: { policy: 'linucb', alpha: 0.1, actions: ['push', 'sms'], default: 'push', explore: '5%' },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.blueprint;
})();

function example(i: number, action: string, reward: number, propensity = 0.5): Example {
  return exampleRecord({ features: { platform: i % 2 === 0 ? 'ios' : 'web' }, action, label: reward, propensity });
}

/** push pays on ios (even i), sms on web. */
const logged = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const action = (i >> 1) % 2 === 0 ? 'push' : 'sms';
    return example(i, action, (action === 'push') === (i % 2 === 0) ? 1 : 0);
  });

test("planning trainer - warms up its standardisation, learns from every example's action and reward, and publishes a servable bandit", async () => {
  const trainer = new PlanningTrainer(bp);
  assert.equal(
    trainer.add({ ...example(0, 'email', 1) }),
    false,
    'an action the blueprint does not have teaches nothing',
  );
  assert.equal(trainer.add({ ...example(0, 'push', 1, 0) }), false, 'nor a decision without a propensity');
  for (const e of logged(WARMUP_EXAMPLES - 1)) assert.ok(trainer.add(e));
  await trainer.learnQueued();
  assert.equal(trainer.hasUnpublished, false, 'nothing learned during the warm-up');
  for (const e of logged(400, WARMUP_EXAMPLES - 1)) trainer.add(e);
  await trainer.learnQueued();
  const published = trainer.publish(5000)!;
  assert.deepEqual(
    [
      published.record.modelVersion,
      published.record.family,
      published.record.artifactFormat,
      published.record.metrics['examples'],
    ],
    ['plan/1', 'linucb', 'looper-bandit/1', WARMUP_EXAMPLES + 399],
  );
  const learned = logged(WARMUP_EXAMPLES + 399);
  assert.equal(
    published.record.metrics['reward'],
    learned.reduce((s, e) => s + e.label, 0) / learned.length,
    'the mean reward of what it learned',
  );
  const served = BanditModel.fromArtifact(published.record.artifact);
  const random = new SeededRandom(1);
  assert.deepEqual(
    [served.choose({ platform: 'ios' }, random).action, served.choose({ platform: 'web' }, random).action],
    ['push', 'sms'],
  );
  assert.equal(trainer.publish(6000), null, 'nothing new to publish');
});

test('planning trainer - a restarted trainer continues the newest published bandit', async () => {
  const first = new PlanningTrainer(bp);
  for (const e of logged(WARMUP_EXAMPLES + 100)) first.add(e);
  await first.learnQueued();
  const checkpoint = first.publish(5000)!.record;
  const again = new PlanningTrainer(bp, checkpoint);
  again.add(logged(1, 999)[0]!);
  await again.learnQueued();
  const next = again.publish(6000)!.record;
  assert.deepEqual(
    [next.modelVersion, next.parentVersion],
    ['plan/2', 'plan/1'],
    'no second warm-up: it learns at once and continues the lineage',
  );
});
