import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import type { FeatureValues } from '../feature-values.js';
import { encodeArtifact } from './artifact.js';
import type { LearnerTask } from './contract.js';
import { decodeDense, targetScale } from './dense-format.js';
import type { DenseLearner } from './dense-learner.js';
import { createLearner } from './families.js';
import { EncodingPlan, freezeMoments, Vectorizer } from './preprocess.js';
import { SeededRandom } from './random.js';
import { loadScorer } from './serving.js';
import { SYNTHETIC_SCHEMA, syntheticExamples } from './synthetic.js';
import { tf } from './tf.js';

/** Random feature values: in range, out of range, missing, unknown categories, wrong types, extras. */
function randomInputs(n: number, seed: number): FeatureValues[] {
  const r = new SeededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(r.next() * values.length)] as T;
  return Array.from({ length: n }, () => ({
    hour: pick([Math.floor(r.next() * 24), null, 1e3, -5]),
    amount: pick([r.normal() * 50 + 50, null, NaN]),
    noise: r.normal() * 3,
    platform: pick(['ios', 'android', 'web', 'tv', 'fridge', null, 3]),
    country: pick([`c${Math.floor(r.next() * 40)}`, null]),
    last_item: pick([r.normal() * 100, `item-${Math.floor(r.next() * 9)}`, null]),
    ...(r.next() < 0.3 ? { unexpected: 'extra' } : {}),
  }));
}

/** The same model as a tfjs-layers Sequential, its weights copied from the artifact. */
function layersModel(artifact: Uint8Array): { predict(rows: FeatureValues[]): number[]; dispose(): void } {
  const model = decodeDense(artifact);
  const plan = new EncodingPlan(model.schema, model.hashBuckets);
  const center = new Float64Array(plan.momentCount);
  const scale = new Float64Array(plan.momentCount);
  freezeMoments(model.moments, center, scale);
  const vectorizer = new Vectorizer(plan, center, scale);
  const net = tfl.sequential();
  model.layers.forEach((layer, i) =>
    net.add(
      tfl.layers.dense({
        units: layer.units,
        activation: layer.activation === 'identity' ? 'linear' : layer.activation,
        ...(i === 0 ? { inputShape: [layer.inputs] } : {}),
      }),
    ),
  );
  const tensors = model.layers.flatMap((layer, i) => [
    tf.tensor2d(model.weights[i * 2] as Float32Array, [layer.inputs, layer.units]),
    tf.tensor1d(model.weights[i * 2 + 1] as Float32Array),
  ]);
  net.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  const target = model.target === null ? { center: 0, scale: 1 } : targetScale(model.target);
  return {
    predict(rows) {
      const x = new Float32Array(rows.length * plan.width);
      rows.forEach((row, i) => vectorizer.vectorize(row, x, i * plan.width));
      const out = tf.tidy(() => (net.predict(tf.tensor2d(x, [rows.length, plan.width])) as tf.Tensor).dataSync());
      return Array.from(out, (v) => target.center + target.scale * v);
    },
    dispose: () => net.dispose(),
  };
}

const cases: Array<[string, LearnerTask]> = [
  ['logistic', 'classification'],
  ['mlp', 'classification'],
  ['linear', 'estimation'],
  ['mlp', 'estimation'],
];

/** Within 1e-5: absolute for probabilities, relative for estimates beyond ±1 (float32 keeps ~7 digits). */
const agree = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));

for (const [family, task] of cases) {
  test(`serving - the ${family} ${task} scorer agrees with TensorFlow.js model.predict on random inputs`, () => {
    const learner = createLearner(family, SYNTHETIC_SCHEMA, task, {
      hiddenSizes: family === 'mlp' ? [16, 8] : undefined,
    }) as DenseLearner;
    const { xs, ys } = syntheticExamples(task, 3000, 5);
    learner.learnMany(xs, ys);
    const artifact = learner.toArtifact();
    const scorer = loadScorer(artifact);
    const reference = layersModel(artifact);
    const inputs = randomInputs(500, 9);
    const viaLayers = reference.predict(inputs);
    const viaTraining = learner.predictWithTf(inputs);
    inputs.forEach((x, i) => {
      const score = scorer.score(x);
      assert.ok(agree(score, viaLayers[i] as number), `row ${i}: scorer ${score}, tfjs-layers ${viaLayers[i]}`);
      assert.ok(agree(score, viaTraining[i] as number), `row ${i}: scorer ${score}, training graph ${viaTraining[i]}`);
    });
    reference.dispose();
    learner.dispose();
  });
}

test('serving - the scorer tells its family and task', () => {
  const learner = createLearner('mlp', SYNTHETIC_SCHEMA, 'estimation');
  const scorer = loadScorer(learner.toArtifact());
  assert.equal(scorer.family, 'mlp');
  assert.equal(scorer.task, 'estimation');
  learner.dispose();
});

test('serving - an artifact of a format this version does not know is refused by name', () => {
  const artifact = encodeArtifact({ format: 'looper-forest/1', family: 'forest' }, []);
  assert.throws(() => loadScorer(artifact), {
    name: 'ArtifactError',
    message:
      'model artifact: format "looper-forest/1" (family forest) has no scorer in this version: upgrade the predictor',
  });
});

test('serving - a dense artifact whose layers do not fit its features is refused', () => {
  const learner = createLearner('logistic', SYNTHETIC_SCHEMA, 'classification');
  const model = decodeDense(learner.toArtifact());
  learner.dispose();
  const header = {
    format: 'looper-dense/1',
    family: 'logistic',
    task: 'classification',
    hyperParameters: {},
    features: model.schema.features,
    hashBuckets: 8,
    layers: model.layers,
    examplesSeen: 0,
  };
  assert.throws(() => loadScorer(encodeArtifact(header, [])), {
    name: 'ArtifactError',
    message: 'model artifact: layer 0 has an invalid shape or activation',
  });
});

test('serving - loading the serving module does not load TensorFlow.js', async () => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const serving = fileURLToPath(new URL('./serving.ts', import.meta.url));
  const script = `await import(${JSON.stringify(serving)}); console.log(typeof globalThis._tfengine);`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'undefined');
});
