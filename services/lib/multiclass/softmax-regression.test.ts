import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeArtifact } from '../learners/artifact.js';
import type { FeatureValues } from '../feature-values.js';
import { Order2Chain, SequenceStream } from './generator.js';
import { decodeSoftmax } from './softmax-format.js';
import { SoftmaxRegression } from './softmax-regression.js';
import { loadSoftmaxScorer } from './softmax-scorer.js';
import { SequenceEncoder } from './sequence-input.js';

const lr = Math.fround(0.2);

function trained(steps: number, seed = 5): { learner: SoftmaxRegression; probes: FeatureValues[] } {
  const chain = Order2Chain.random({ items: 8, seed: 2 });
  const learner = new SoftmaxRegression('sequence', { sequenceFeature: 'recent', capacity: 12, buckets: 512 });
  const stream = new SequenceStream(chain, seed);
  for (let i = 0; i < steps; i++) {
    const s = stream.next();
    learner.learnOne(s.x, s.label);
  }
  const probes = Array.from({ length: 300 }, () => stream.next().x);
  return { learner, probes };
}

test('softmax - the first AdaGrad step moves every touched weight by the learning rate, against its gradient', () => {
  const learner = new SoftmaxRegression('classification', { extraFeatures: ['f'], classes: ['a', 'b'], buckets: 64 });
  learner.learnOne({ f: 'u' }, 'a');
  // Zero weights: p = 1/3 per row (other, a, b); gradient p − y = (1/3, −2/3, 1/3) on the bias and on f=u.
  const model = decodeSoftmax(learner.checkpoint());
  const encoder = new SequenceEncoder(model.hyperParameters.input);
  const input = encoder.createInput();
  encoder.encode({ f: 'u' }, input);
  const fu = input.indices[1] as number;
  for (const s of [0, fu]) {
    assert.deepEqual(Array.from(model.weights.subarray(s * 3, s * 3 + 3)), [-lr, lr, -lr]);
    assert.deepEqual(
      Array.from(model.accumulators!.subarray(s * 3, s * 3 + 3)),
      [1 / 9, 4 / 9, 1 / 9].map(Math.fround),
    );
  }
  const out = new Float64Array(3);
  learner.predictProba({ f: 'u' }, out);
  const z = Math.exp(2 * lr) + 2 * Math.exp(-2 * lr);
  const expected = [Math.exp(-2 * lr) / z, Math.exp(2 * lr) / z, Math.exp(-2 * lr) / z];
  out.forEach((p, r) => assert.ok(Math.abs(p - (expected[r] as number)) < 1e-15, `row ${r}: ${p} vs ${expected[r]}`));
  assert.equal(learner.examplesSeen, 1);
});

test('softmax - probabilities sum to 1 over the rows in use and are 0 on free rows', () => {
  const { learner, probes } = trained(2000);
  assert.equal(learner.rows, 13);
  const out = new Float64Array(learner.rows);
  for (const x of probes.slice(0, 50)) {
    learner.predictProba(x, out);
    assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.deepEqual(Array.from(out.subarray(9)), [0, 0, 0, 0], '8 items + "__other__" use rows 0..8');
  }
});

test('softmax - a row handed to a new class starts from zero weights and a fresh AdaGrad state', () => {
  const learner = new SoftmaxRegression('classification', { extraFeatures: ['f'], capacity: 1, buckets: 16, l2: 0 });
  learner.learnOne({ f: 'u' }, 'a'); // a gets row 1: its weights step to +lr, accumulators to (1/2)²
  learner.learnOne({ f: 'u' }, 'b'); // b: count 1, trains "__other__"
  learner.learnOne({ f: 'u' }, 'b'); // b: count 2 > a: 1, takes row 1 (reset), then learns once
  assert.equal(learner.classNameAt(1), 'b');
  assert.equal(learner.rowOf('a'), 0);
  const model = decodeSoftmax(learner.checkpoint());
  // Reset, row 1 saw one first step: exactly +lr, and an accumulator of that step alone, (1 − p)² < 1/4
  // (without the reset it would be lr + a second step, and 1/4 + more).
  assert.equal(model.weights[0 * 2 + 1], lr);
  const accumulator = model.accumulators![0 * 2 + 1] as number;
  assert.ok(accumulator > 0.2 && accumulator < 0.25, String(accumulator));
});

test('softmax - the restored scorer serves exactly what the learner predicts', () => {
  const { learner, probes } = trained(3000);
  const scorer = loadSoftmaxScorer(learner.toArtifact());
  const a = new Float64Array(learner.rows);
  const b = new Float64Array(scorer.rows);
  const rowsA = new Int32Array(3);
  const rowsB = new Int32Array(3);
  const pA = new Float64Array(3);
  const pB = new Float64Array(3);
  let worst = 0;
  for (const x of probes) {
    learner.predictProba(x, a);
    scorer.predictProba(x, b);
    for (let r = 0; r < a.length; r++) worst = Math.max(worst, Math.abs((a[r] as number) - (b[r] as number)));
    assert.equal(scorer.topK(x, 3, rowsB, pB), learner.topK(x, 3, rowsA, pA));
    assert.deepEqual(rowsB, rowsA);
    assert.equal(scorer.classNameAt(rowsB[0] as number), learner.classNameAt(rowsA[0] as number));
  }
  assert.ok(worst <= 1e-6, `largest difference ${worst}`);
  assert.equal(worst, 0, 'same f32 weights, same code: identical');
});

test('softmax - a learner restored from a checkpoint goes on exactly as the original', () => {
  const { learner } = trained(1500, 7);
  const copy = SoftmaxRegression.restore(learner.checkpoint());
  assert.equal(copy.examplesSeen, 1500);
  const stream = new SequenceStream(Order2Chain.random({ items: 8, seed: 2 }), 8);
  for (let i = 0; i < 500; i++) {
    const s = stream.next();
    learner.learnOne(s.x, s.label);
    copy.learnOne(s.x, s.label);
  }
  assert.deepEqual(Buffer.from(copy.checkpoint()), Buffer.from(learner.checkpoint()));
});

test('softmax - the serving artifact holds weights only; the checkpoint adds the AdaGrad state', () => {
  const { learner } = trained(200);
  const serving = decodeSoftmax(learner.toArtifact());
  assert.equal(serving.accumulators, null);
  assert.equal(serving.weights.length, 513 * 13);
  assert.equal(decodeSoftmax(learner.checkpoint()).accumulators?.length, 513 * 13);
  assert.equal(learner.sizeBytes(), learner.toArtifact().length);
  assert.deepEqual(learner.hyperParameters, {
    sequenceFeature: 'recent',
    positions: 3,
    pairs: true,
    bagSize: 20,
    extraFeatures: [],
    numbers: 'raw',
    buckets: 512,
    learningRate: 0.2,
    l2: 1e-6,
    capacity: 12,
  });
});

test('softmax - refuses a bad batch whole, before any update', () => {
  const { learner } = trained(100);
  const before = Buffer.from(learner.checkpoint());
  const x = { recent: ['i01', 'i02'] };
  assert.throws(() => learner.learnMany([x, x], ['i03', Number.NaN]), {
    name: 'MulticlassInputError',
    message: 'softmax: label 1 is NaN: a numeric label must be finite',
  });
  assert.throws(() => learner.learnMany([x, x], ['i03', '']), {
    message: 'softmax: label 1 is an empty string: a class needs a non-empty name',
  });
  assert.throws(() => learner.learnMany([x], ['i03'], [-1]), {
    message: 'softmax: weight 0 is -1: weights are finite and ≥ 0',
  });
  assert.throws(() => learner.learnMany([x, x], ['i03']), { message: 'softmax: 2 examples but 1 labels' });
  assert.throws(() => learner.learnOne(x, null as never), {
    message: 'softmax: the label is null, not a class name (string) or a number',
  });
  assert.deepEqual(Buffer.from(learner.checkpoint()), before);
  assert.equal(learner.examplesSeen, 100);
});

test('softmax - numeric labels are their decimal text', () => {
  const learner = new SoftmaxRegression('classification', { extraFeatures: ['f'], buckets: 8 });
  learner.learnMany([{ f: 1 }, { f: 2 }], [3, 'x']);
  assert.equal(learner.rowOf('3'), 1);
  assert.equal(learner.classNameAt(2), 'x');
});

test('softmax - refuses bad options, k < 1 and artifacts of another format, saying what to do', () => {
  assert.throws(
    () => new SoftmaxRegression('sequence', { sequenceFeature: 's', learningRate: 0, hidden: 3 } as never),
    {
      name: 'MulticlassOptionsError',
      message:
        'invalid softmax options:\n  - unknown hyper-parameter "hidden": softmax knows sequenceFeature, positions, pairs, bagSize, extraFeatures, numbers, buckets, learningRate, l2, classes, capacity\n' +
        '  - learningRate must be a number in (0, 10]: try 0.05 to 0.5, got 0',
    },
  );
  assert.throws(() => new SoftmaxRegression('sequence', { sequenceFeature: 's', buckets: 1 << 20, capacity: 1000 }), {
    message:
      /the model would hold 1049625577 weights \(\(buckets \+ 1\) × \(classes \+ 1\)\), more than 16777216: lower buckets or capacity/,
  });
  assert.throws(() => new SoftmaxRegression('ranking' as never, { sequenceFeature: 's' }), {
    message: 'invalid softmax options:\n  - task must be "classification" or "sequence", got "ranking"',
  });
  const { learner } = trained(10);
  assert.throws(() => learner.topK({}, 0, new Int32Array(1), new Float64Array(1)), {
    name: 'ScoringArgumentError',
    message: 'softmax.topK: k must be an integer ≥ 1, got 0',
  });
  const dense = encodeArtifact({ format: 'looper-dense/1', family: 'logistic' }, []);
  assert.throws(() => loadSoftmaxScorer(dense), {
    name: 'ArtifactError',
    message:
      'model artifact: format "looper-dense/1" is not looper-softmax/1: load it with loadMulticlassScorer, which reads every multi-class format',
  });
});
