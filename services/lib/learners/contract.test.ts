// The one check suite every learner family passes (CONTRIBUTING.md habit 2, after River's
// checks/common.py), generated for each family × task in LEARNER_FAMILIES: a new family is its file
// plus its line in families.ts, and from then on it is checked here. It runs on the backend
// initBackend() picks, as the trainer does.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureValues } from '../feature-values.js';
import { OnlineMetrics } from '../stats/online-metrics.js';
import { initBackend } from './backend.js';
import type { Learner, LearnerFamily, LearnerTask } from './contract.js';
import { LEARNER_FAMILIES } from './families.js';
import { SeededRandom } from './random.js';
import { loadScorer } from './serving.js';
import { SYNTHETIC_SCHEMA, syntheticExamples } from './synthetic.js';
import { tf } from './tf.js';

const backend = await initBackend();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const reversedKeys = (x: FeatureValues): FeatureValues => Object.fromEntries(Object.entries(x).reverse());

/** Examples where features come and go: some dropped, some unknown ones added. */
function unruly(xs: readonly FeatureValues[], seed: number): FeatureValues[] {
  const r = new SeededRandom(seed);
  return xs.map((x) => {
    const kept = Object.entries(x).filter(() => r.next() < 0.7);
    if (r.next() < 0.3) kept.push([`surprise_${Math.floor(r.next() * 3)}`, r.next() < 0.5 ? 'new' : 42]);
    return Object.fromEntries(kept);
  });
}

const artifactOf = (learner: Learner) => Buffer.from(learner.toArtifact());

function checkFamily(family: LearnerFamily, task: LearnerTask): void {
  const create = (options: Record<string, unknown> = {}) => family.create(SYNTHETIC_SCHEMA, task, options);
  const data = syntheticExamples(task, 600, 1);
  const probes = syntheticExamples(task, 200, 2).xs;

  test('leaves its inputs untouched', async () => {
    const learner = create();
    const { xs, ys } = syntheticExamples(task, 300, 3);
    const weights = ys.map((_, i) => 1 + (i % 3));
    const before = structuredClone({ xs, ys, weights });
    deepFreeze(xs);
    deepFreeze(ys);
    deepFreeze(weights);
    await learner.learnMany(xs, ys, weights);
    await learner.learnOne(xs[0] as FeatureValues, ys[0] as number, 2);
    for (const x of xs) learner.predictOne(x);
    assert.deepEqual({ xs, ys, weights }, before);
    learner.dispose();
  });

  test('ignores the order of features', async () => {
    const a = create();
    const b = create();
    await a.learnMany(data.xs, data.ys);
    await b.learnMany(data.xs.map(reversedKeys), data.ys);
    assert.deepEqual(artifactOf(a), artifactOf(b));
    for (const x of probes) assert.equal(a.predictOne(reversedKeys(x)), a.predictOne(x));
    a.dispose();
    b.dispose();
  });

  test('lets features appear and vanish', async () => {
    const learner = create();
    await learner.learnMany(unruly(data.xs, 4), data.ys);
    for (const x of [{}, ...unruly(probes, 5)]) assert.ok(Number.isFinite(learner.predictOne(x)), JSON.stringify(x));
    for (const x of probes)
      assert.equal(learner.predictOne({ ...x, brand_new: 'x', another: [1, 2] }), learner.predictOne(x));
    learner.dispose();
  });

  test('serves from its artifact exactly what predictOne says', async () => {
    const learner = create();
    await learner.learnMany(data.xs, data.ys);
    const scorer = loadScorer(learner.toArtifact());
    for (const x of [...probes, ...unruly(probes, 6)]) assert.equal(scorer.score(x), learner.predictOne(x));
    assert.equal(learner.sizeBytes(), learner.toArtifact().length);
    learner.dispose();
  });

  test('round-trips through its artifact and goes on learning', async () => {
    const learner = create({ seed: 3 });
    await learner.learnMany(data.xs, data.ys);
    const restored = family.restore(learner.toArtifact());
    assert.deepEqual(artifactOf(restored), artifactOf(learner));
    assert.equal(restored.family, family.name);
    assert.equal(restored.task, task);
    assert.deepEqual(restored.hyperParameters, learner.hyperParameters);
    assert.deepEqual(restored.featureNames, learner.featureNames);
    for (const x of probes) assert.equal(restored.predictOne(x), learner.predictOne(x));
    await restored.learnMany(data.xs.slice(0, 100), data.ys.slice(0, 100));
    assert.equal(restored.examplesSeen, data.xs.length + 100);
    assert.notDeepEqual(artifactOf(restored), artifactOf(learner));
    learner.dispose();
    restored.dispose();
  });

  test('repeats a seeded run exactly', async () => {
    const run = async () => {
      const learner = create({ seed: 7 });
      await learner.learnMany(data.xs.slice(0, 400), data.ys.slice(0, 400));
      for (let i = 400; i < 450; i++) await learner.learnOne(data.xs[i] as FeatureValues, data.ys[i] as number);
      const artifact = artifactOf(learner);
      learner.dispose();
      return artifact;
    };
    assert.deepEqual(await run(), await run());
  });

  test('holds no tensors beyond its weights, and frees them on dispose', async () => {
    const baseline = tf.memory().numTensors;
    const learner = create();
    await learner.learnMany(data.xs.slice(0, 50), data.ys.slice(0, 50));
    const held = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) {
      await learner.learnMany(data.xs.slice(i * 20, i * 20 + 20), data.ys.slice(i * 20, i * 20 + 20));
      await learner.learnOne(data.xs[i] as FeatureValues, data.ys[i] as number);
      learner.predictOne(probes[i] as FeatureValues);
      learner.toArtifact();
    }
    assert.equal(tf.memory().numTensors, held);
    learner.dispose();
    assert.equal(tf.memory().numTensors, baseline);
  });

  test('refuses an unusable batch whole, before any update', async () => {
    const learner = create();
    await learner.learnMany(data.xs.slice(0, 100), data.ys.slice(0, 100));
    const before = artifactOf(learner);
    const xs = data.xs.slice(0, 10);
    const ys = data.ys.slice(0, 10);
    const bad: Array<[string, () => void | Promise<void>]> = [
      ['a NaN label', () => learner.learnMany(xs, [...ys.slice(0, 9), NaN])],
      ['a negative weight', () => learner.learnMany(xs, ys, [...ys.map(() => 1).slice(0, 9), -1])],
      ['labels and examples of different lengths', () => learner.learnMany(xs, ys.slice(0, 9))],
      [
        'an example that is not an object',
        () => learner.learnMany([...xs.slice(0, 9), null as unknown as FeatureValues], ys),
      ],
    ];
    if (task === 'classification')
      bad.push(['a label outside 0..1', () => learner.learnMany(xs, [...ys.slice(0, 9), 2])]);
    for (const [what, call] of bad) {
      await assert.rejects(async () => call(), { name: 'TrainingInputError' }, what);
      assert.deepEqual(artifactOf(learner), before, what);
    }
    assert.equal(learner.examplesSeen, 100);
    learner.dispose();
  });

  test('reports its identity and hyper-parameters in full, and refuses unknown ones', () => {
    const learner = create();
    assert.equal(learner.family, family.name);
    assert.equal(learner.task, task);
    assert.deepEqual(
      learner.featureNames,
      SYNTHETIC_SCHEMA.features.map((f) => f.name),
    );
    assert.equal(learner.examplesSeen, 0);
    assert.deepEqual(JSON.parse(JSON.stringify(learner.hyperParameters)), learner.hyperParameters);
    assert.ok(Object.keys(learner.hyperParameters).length > 0);
    learner.dispose();
    assert.throws(() => create({ noSuchHyperParameter: 1 }), { name: 'HyperParameterError' });
  });

  if (task === 'classification') {
    test('learns a separable-ish problem to an AUC above 0.9, predicting probabilities', async () => {
      const learner = create();
      const train = syntheticExamples(task, 10000, 8);
      await learner.learnMany(train.xs, train.ys);
      const held = syntheticExamples(task, 3000, 9);
      const metrics = new OnlineMetrics();
      held.xs.forEach((x, i) => {
        const p = learner.predictOne(x);
        assert.ok(p >= 0 && p <= 1, `prediction ${p}`);
        metrics.update(held.ys[i] as number, p);
      });
      assert.ok(metrics.auc() > 0.9, `AUC ${metrics.auc()} on ${backend}`);
      learner.dispose();
    });
  } else {
    test('learns a noisy linear-ish problem to an RMSE well under the label spread', async () => {
      const learner = create();
      const train = syntheticExamples(task, 10000, 8);
      await learner.learnMany(train.xs, train.ys);
      const held = syntheticExamples(task, 3000, 9);
      const metrics = new OnlineMetrics();
      held.xs.forEach((x, i) => metrics.update(held.ys[i] as number, learner.predictOne(x)));
      const mean = held.ys.reduce((a, b) => a + b, 0) / held.ys.length;
      const std = Math.sqrt(held.ys.reduce((a, y) => a + (y - mean) ** 2, 0) / held.ys.length);
      assert.ok(metrics.rmse() < 0.4 * std, `RMSE ${metrics.rmse()} vs label std ${std} on ${backend}`);
      learner.dispose();
    });
  }
}

for (const family of LEARNER_FAMILIES) {
  for (const task of family.tasks) describe(`contract - ${family.name} ${task}`, () => checkFamily(family, task));
}
