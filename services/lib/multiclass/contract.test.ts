// The one check suite every multi-class family passes (CONTRIBUTING.md habit 2, after River's
// checks/common.py): a new family is its file plus one line in FAMILIES.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeArtifact } from '../learners/artifact.js';
import type { FeatureValues } from '../feature-values.js';
import type { ClassLabel, MulticlassLearner, MulticlassScorer } from './contract.js';
import { LinearSoftmaxSource, Order2Chain, SequenceStream } from './generator.js';
import { NGramModel } from './markov.js';
import { loadMulticlassScorer, restoreMulticlassLearner } from './scorers.js';
import { SoftmaxRegression } from './softmax-regression.js';

interface FamilyCase {
  readonly name: string;
  create(): MulticlassLearner;
  data(n: number, seed: number): { xs: FeatureValues[]; labels: ClassLabel[] };
}

function sequenceData(n: number, seed: number): { xs: FeatureValues[]; labels: ClassLabel[] } {
  const stream = new SequenceStream(Order2Chain.random({ items: 10, seed: 1 }), seed);
  const steps = Array.from({ length: n }, () => stream.next());
  return { xs: steps.map((s) => ({ ...s.x, hour: seed % 24 })), labels: steps.map((s) => s.label) };
}

function classificationData(n: number, seed: number): { xs: FeatureValues[]; labels: ClassLabel[] } {
  const source = new LinearSoftmaxSource(seed);
  const examples = Array.from({ length: n }, () => source.next());
  return { xs: examples.map((e) => e.x), labels: examples.map((e) => e.label) };
}

const FAMILIES: readonly FamilyCase[] = [
  {
    name: 'softmax (sequence)',
    create: () =>
      new SoftmaxRegression('sequence', {
        sequenceFeature: 'recent',
        extraFeatures: ['hour'],
        capacity: 16,
        buckets: 256,
      }),
    data: sequenceData,
  },
  {
    name: 'softmax (classification)',
    create: () =>
      new SoftmaxRegression('classification', { extraFeatures: ['x1', 'x2', 'device'], capacity: 3, buckets: 64 }),
    data: classificationData,
  },
  {
    name: 'ngram',
    create: () => new NGramModel({ sequenceFeature: 'recent', capacity: 8, maxContexts: 40 }),
    data: sequenceData,
  },
];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const reversedKeys = (x: FeatureValues): FeatureValues => Object.fromEntries(Object.entries(x).reverse());

function probabilities(model: MulticlassScorer, x: FeatureValues): number[] {
  const out = new Float64Array(model.rows);
  model.predictProba(x, out);
  return Array.from(out);
}

for (const family of FAMILIES) {
  describe(`multiclass contract - ${family.name}`, () => {
    const data = family.data(800, 1);
    const probes = family.data(100, 2).xs;

    test('leaves its inputs untouched', () => {
      const learner = family.create();
      const { xs, labels } = family.data(300, 3);
      const weights = labels.map((_, i) => 1 + (i % 3));
      const before = structuredClone({ xs, labels, weights });
      deepFreeze(xs);
      deepFreeze(labels);
      deepFreeze(weights);
      learner.learnMany(xs, labels, weights);
      learner.learnOne(xs[0] as FeatureValues, labels[0] as ClassLabel, 2);
      for (const x of xs) probabilities(learner, x);
      assert.deepEqual({ xs, labels, weights }, before);
    });

    test('ignores the order of features', () => {
      const a = family.create();
      const b = family.create();
      a.learnMany(data.xs, data.labels);
      b.learnMany(data.xs.map(reversedKeys), data.labels);
      assert.deepEqual(Buffer.from(b.toArtifact()), Buffer.from(a.toArtifact()));
      for (const x of probes) assert.deepEqual(probabilities(a, reversedKeys(x)), probabilities(a, x));
    });

    test('lets features appear and vanish, and ignores unknown ones', () => {
      const learner = family.create();
      learner.learnMany(data.xs, data.labels);
      for (const x of [{}, { recent: null }, { x1: 'not a number', device: 7 }, { recent: 'i01' }]) {
        const p = probabilities(learner, x as FeatureValues);
        assert.ok(
          p.every((v) => Number.isFinite(v) && v >= 0),
          JSON.stringify(x),
        );
        assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-9, JSON.stringify(x));
      }
      for (const x of probes)
        assert.deepEqual(probabilities(learner, { ...x, brand_new: 'x', another: [1, 2] }), probabilities(learner, x));
    });

    test('repeats exactly for the same examples', () => {
      const a = family.create();
      const b = family.create();
      a.learnMany(data.xs, data.labels);
      for (let i = 0; i < data.xs.length; i++) b.learnOne(data.xs[i] as FeatureValues, data.labels[i] as ClassLabel);
      assert.deepEqual(Buffer.from(b.toArtifact()), Buffer.from(a.toArtifact()));
      assert.equal(a.examplesSeen, data.xs.length);
    });

    test('serves from its artifact exactly what it predicts, top-k included', () => {
      const learner = family.create();
      learner.learnMany(data.xs, data.labels);
      const scorer = loadMulticlassScorer(learner.toArtifact());
      assert.equal(scorer.family, learner.family);
      assert.equal(scorer.task, learner.task);
      const rowsA = new Int32Array(3);
      const rowsB = new Int32Array(3);
      const pA = new Float64Array(3);
      const pB = new Float64Array(3);
      for (const x of probes) {
        assert.deepEqual(probabilities(scorer, x), probabilities(learner, x));
        assert.equal(scorer.topK(x, 3, rowsB, pB), learner.topK(x, 3, rowsA, pA));
        assert.deepEqual([rowsB, pB], [rowsA, pA]);
      }
      for (let r = 0; r < learner.rows; r++) assert.equal(scorer.classNameAt(r), learner.classNameAt(r));
      assert.equal(learner.sizeBytes(), learner.toArtifact().length);
    });

    test('goes on from its checkpoint exactly as it would have', () => {
      const learner = family.create();
      learner.learnMany(data.xs.slice(0, 400), data.labels.slice(0, 400));
      const copy = restoreMulticlassLearner(learner.checkpoint());
      assert.deepEqual(copy.hyperParameters, learner.hyperParameters);
      learner.learnMany(data.xs.slice(400), data.labels.slice(400));
      copy.learnMany(data.xs.slice(400), data.labels.slice(400));
      assert.deepEqual(Buffer.from(copy.checkpoint()), Buffer.from(learner.checkpoint()));
    });

    test('refuses a bad batch whole, and k < 1', () => {
      const learner = family.create();
      learner.learnMany(data.xs.slice(0, 50), data.labels.slice(0, 50));
      const before = Buffer.from(learner.checkpoint());
      assert.throws(() => learner.learnMany(data.xs.slice(0, 3), ['a', 'b', Number.NaN]), {
        name: 'MulticlassInputError',
        message: `${learner.family}: label 2 is NaN: a numeric label must be finite`,
      });
      assert.throws(() => learner.learnMany([data.xs[0] as FeatureValues, 'x' as never], ['a', 'b']), {
        message: `${learner.family}: example 1 is not an object of feature values`,
      });
      assert.deepEqual(Buffer.from(learner.checkpoint()), before);
      assert.throws(() => learner.topK({}, 0, new Int32Array(1), new Float64Array(1)), {
        name: 'ScoringArgumentError',
      });
    });
  });
}

test('multiclass contract - loadMulticlassScorer refuses a binary model artifact, saying where it loads', () => {
  const dense = encodeArtifact({ format: 'looper-dense/1', family: 'logistic' }, []);
  const message =
    'model artifact: format "looper-dense/1" (family logistic) is not a multi-class format (known: looper-softmax/1, looper-ngram/1); ' +
    'binary and regression models load with learners/serving.ts loadScorer';
  assert.throws(() => loadMulticlassScorer(dense), { name: 'ArtifactError', message });
  assert.throws(() => restoreMulticlassLearner(dense), { name: 'ArtifactError', message });
});
