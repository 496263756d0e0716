import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Blueprint, Example } from '../lib/schemas/generated.js';
import { BanditModel, WARMUP_EXAMPLES } from '../lib/planning/bandit-model.js';
import { SeededRandom } from '../lib/learners/random.js';
import { PlanningTrainer } from './planning-trainer.js';
import { exampleRecord } from '../lib/joiner/test-records.js';
import { planningBlueprint, planningExample, planningExamples } from './test-fixtures.js';

const bp = planningBlueprint();

function example(i: number, action: string, reward: number, propensity = 0.5): Example {
  return exampleRecord({ features: { platform: i % 2 === 0 ? 'ios' : 'web' }, action, label: reward, propensity });
}

test("planning trainer - warms up its standardisation, learns from every example's action and reward, and publishes a servable bandit", async () => {
  const trainer = new PlanningTrainer(bp);
  assert.equal(
    trainer.add({ ...example(0, 'email', 1) }),
    false,
    'an action the blueprint does not have teaches nothing',
  );
  assert.equal(trainer.add({ ...example(0, 'push', 1, 0) }), false, 'nor a decision without a propensity');
  for (const e of planningExamples(WARMUP_EXAMPLES - 1)) assert.ok(trainer.add(e));
  await trainer.learnQueued();
  assert.equal(trainer.hasUnpublished, false, 'nothing learned during the warm-up');
  for (const e of planningExamples(400, WARMUP_EXAMPLES - 1)) trainer.add(e);
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
  const learned = planningExamples(WARMUP_EXAMPLES + 399);
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
  for (const e of planningExamples(WARMUP_EXAMPLES + 100)) first.add(e);
  await first.learnQueued();
  const checkpoint = first.publish(5000)!.record;
  const again = new PlanningTrainer(bp, checkpoint);
  again.add(planningExamples(1, 999)[0]!);
  await again.learnQueued();
  const next = again.publish(6000)!.record;
  assert.deepEqual(
    [next.modelVersion, next.parentVersion],
    ['plan/2', 'plan/1'],
    'no second warm-up: it learns at once and continues the lineage',
  );
});

test('planning trainer - forgets by decision time: after a flip, the half-life of training.forget learns the new world that never forgetting does not', async (t) => {
  // One logged decision a second (both actions alike, propensity 0.5): push pays on ios and sms on
  // web for 2,000 s, then the other way round for 1,200 s (two half-lives of 10 min).
  const served = async (bp: Blueprint) => {
    const trainer = new PlanningTrainer(bp);
    for (let i = 0; i < 3200; i++) trainer.add(planningExample(i, { start: 0, flipped: i >= 2000 }));
    await trainer.learnQueued();
    const model = BanditModel.fromArtifact(trainer.publish(5000)!.record.artifact);
    const random = new SeededRandom(1);
    const ios = model.choose({ platform: 'ios' }, random);
    return { ios: ios.action, web: model.choose({ platform: 'web' }, random).action, means: ios.means, model };
  };
  const forgetting = await served(planningBlueprint({ forget: { half_life: '10m' } }));
  const keeping = await served(planningBlueprint({ forget: 'none' }));
  t.diagnostic(
    `estimated rewards on ios, where sms now pays: ${JSON.stringify(forgetting.means)} forgetting (half-life 10 min), ${JSON.stringify(keeping.means)} never forgetting`,
  );
  assert.deepEqual([forgetting.ios, forgetting.web], ['sms', 'push'], 'the new world');
  assert.deepEqual([keeping.ios, keeping.web], ['push', 'sms'], 'still the old one');
  assert.equal(forgetting.model.halfLifeMs, 600_000);
  assert.equal(keeping.model.halfLifeMs, null);
});

test('planning trainer - continues a bandit published before forgetting existed with the blueprint’s half-life, from its own clock', async () => {
  const first = new PlanningTrainer({ ...bp, training: { ...bp.training, forgetHalfLifeMs: null } });
  for (const e of planningExamples(WARMUP_EXAMPLES + 100)) first.add(e);
  await first.learnQueued();
  const checkpoint = first.publish(5000)!.record;
  // What such a checkpoint looked like: no half-life, no clock.
  const artifact = JSON.parse(Buffer.from(checkpoint.artifact).toString('utf8')) as {
    bandit: { lastUpdateAt?: unknown; options: { halfLifeMs?: unknown } };
  };
  delete artifact.bandit.lastUpdateAt;
  delete artifact.bandit.options.halfLifeMs;
  const old = { ...checkpoint, artifact: Buffer.from(JSON.stringify(artifact), 'utf8') };
  const again = new PlanningTrainer(bp, old);
  again.add({ ...planningExamples(1, 999)[0]!, decisionTs: 7_000 });
  await again.learnQueued();
  const next = BanditModel.fromArtifact(again.publish(6000)!.record.artifact);
  assert.equal(next.halfLifeMs, bp.training.forgetHalfLifeMs, 'the blueprint’s (the default day)');
  assert.equal(next.bandit.lastUpdateAt, 7_000, 'its clock starts at the first example it learns');
});
