import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeArtifact, encodeArtifact } from './artifact.js';
import { featureSchema } from './feature-schema.js';
import { GradientBoostedTrees } from './gbdt.js';
import { boost } from './gbdt-boost.js';
import { decodeGbdt, joinTrees } from './gbdt-format.js';
import { binEdges, binMatrix, columnEdges } from './gbdt-histogram.js';
import { compileGbdtOptions } from './gbdt-options.js';
import { ensembleMargin } from './gbdt-scorer.js';
import { binnedTreeValue, splitGain } from './gbdt-tree.js';
import { SeededRandom } from './random.js';
import { loadScorer } from './serving.js';
import { SYNTHETIC_SCHEMA, syntheticExamples } from './synthetic.js';

// One numeric feature x: input columns [x, x:missing].
const ONE = featureSchema([{ name: 'x', kind: 'numeric' }]);
const XS = [1, 2, 3, 4].map((x) => ({ x }));
/** One tree of depth one, no early stopping: each fit is a single hand-computable split. */
const STUMP = { nTrees: 1, maxDepth: 1, validationFraction: 0 } as const;

const nodesOf = (learner: GradientBoostedTrees) => {
  const { ensemble } = decodeGbdt(learner.toArtifact());
  return {
    feature: [...ensemble.feature],
    threshold: [...ensemble.threshold],
    left: [...ensemble.left],
    right: [...ensemble.right],
    value: [...ensemble.value],
    baseScore: ensemble.baseScore,
  };
};

test('gbdt - squared loss: one split at the right threshold, leaves −G/(H+λ)·learningRate', () => {
  // Base 5 (the mean); gradients 5, 5, −5, −5; hessians 1. Best split x ≤ 2: G_L = 10, H_L = 2.
  const learner = new GradientBoostedTrees(ONE, 'estimation', { ...STUMP, learningRate: 0.5, lambda: 1 });
  learner.learnMany(XS, [0, 0, 10, 10]);
  assert.deepEqual(nodesOf(learner), {
    feature: [0, -1, -1],
    threshold: [2, 0, 0],
    left: [1, -1, -1],
    right: [2, -1, -1],
    value: [0, Math.fround((-10 / 3) * 0.5), Math.fround((10 / 3) * 0.5)],
    baseScore: 5,
  });
  assert.equal(learner.predictOne({ x: 1 }), 5 + Math.fround(-5 / 3));
  assert.equal(learner.predictOne({ x: 2.5 }), 5 + Math.fround(5 / 3));
  assert.equal(
    learner.predictOne({}),
    5 + Math.fround(-5 / 3),
    'missing reads as 0 with its indicator set: x ≤ 2 goes left',
  );
});

test('gbdt - logistic loss: leaves from p(1 − p) hessians, probabilities through the sigmoid', () => {
  // Base log-odds 0, p = ½: gradients ½, ½, −½, −½, hessians ¼. Split x ≤ 2: G_L = 1, H_L = ½.
  const learner = new GradientBoostedTrees(ONE, 'classification', {
    ...STUMP,
    learningRate: 1,
    lambda: 1,
    minChildWeight: 0.5,
  });
  learner.learnMany(XS, [0, 0, 1, 1]);
  const nodes = nodesOf(learner);
  assert.deepEqual(nodes.value, [0, Math.fround(-1 / 1.5), Math.fround(1 / 1.5)]);
  assert.equal(nodes.threshold[0], 2);
  assert.equal(learner.predictOne({ x: 4 }), 1 / (1 + Math.exp(-Math.fround(1 / 1.5))));
});

test('gbdt - the gain is ½(G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ))', () => {
  assert.equal(splitGain(10, 2, -10, 2, 1), 100 / 3);
  assert.equal(splitGain(10, 2, -10, 2, 0), 50);
  assert.ok(Math.abs(splitGain(3, 1, 1, 2, 1) - 0.5 * (9 / 2 + 1 / 3 - 16 / 4)) < 1e-12);
  assert.equal(splitGain(0, 0, 4, 2, 0), 0, 'an empty side gains nothing');
});

test('gbdt - minChildWeight stops a split whose smaller side holds too little hessian', () => {
  const split = new GradientBoostedTrees(ONE, 'estimation', { ...STUMP, minChildWeight: 2 });
  split.learnMany(XS, [0, 0, 10, 10]);
  assert.deepEqual(nodesOf(split).feature, [0, -1, -1]);
  const stopped = new GradientBoostedTrees(ONE, 'estimation', { ...STUMP, minChildWeight: 2.5 });
  stopped.learnMany(XS, [0, 0, 10, 10]);
  assert.deepEqual(nodesOf(stopped), {
    feature: [-1],
    threshold: [0],
    left: [-1],
    right: [-1],
    value: [0],
    baseScore: 5,
  });
  // Weights count as hessian: the weighted side x ≤ 1 now may stand alone.
  const weighted = new GradientBoostedTrees(ONE, 'estimation', { ...STUMP, minChildWeight: 2.5 });
  weighted.learnMany(XS, [0, 10, 10, 10], [3, 1, 1, 1]);
  assert.deepEqual(nodesOf(weighted).threshold, [1, 0, 0]);
});

test('gbdt - bins are the distinct values when few, evenly spaced ranks when many', () => {
  assert.deepEqual([...binEdges(Float32Array.from([3, 1, 2, 2, 5]), 32)], [1, 2, 3]);
  assert.deepEqual(
    [
      ...binEdges(
        Float32Array.from({ length: 100 }, (_, i) => 99 - i),
        4,
      ),
    ],
    [25, 50, 75],
  );
  assert.deepEqual([...binEdges(Float32Array.from([7, 7, 7]), 4)], [], 'a constant column has one bin');
  const m = binMatrix(Float32Array.from([0, 1, 25, 1, 26, 0, 99, 1]), 4, 2, [
    Float32Array.from([25, 50, 75]),
    Float32Array.from([0]),
  ]);
  assert.deepEqual([...m.codes], [0, 0, 1, 3, 1, 1, 0, 1]);
  assert.deepEqual([...m.binOffsets], [0, 4, 6]);
});

test('gbdt - early stopping keeps the trees up to the best validation loss and stops earlyStoppingRounds later', () => {
  // Pure-noise labels: deep trees at full learning rate fit the training half and make the held-out half worse.
  const random = new SeededRandom(3);
  const rows = 400;
  const data = Float32Array.from({ length: rows * 2 }, () => random.next());
  const ys = Float64Array.from({ length: rows }, () => random.normal());
  const matrix = binMatrix(data, rows, 2, columnEdges(data, rows, 2, 32));
  const hyper = compileGbdtOptions({
    nTrees: 100,
    learningRate: 1,
    maxDepth: 6,
    lambda: 0,
    validationFraction: 0.5,
    earlyStoppingRounds: 3,
  });
  const result = boost({ task: 'estimation', hyper, matrix, ys, ws: new Float64Array(rows).fill(1), start: null });
  const losses = result.validationLoss;
  const best = losses.indexOf(Math.min(...losses));
  assert.equal(result.trees.length, best);
  assert.equal(losses.length, 1 + best + 3, 'stopped three rounds after the best');
  assert.ok(losses.length - 1 < 100, `grew ${losses.length - 1} trees`);
  assert.ok((losses[losses.length - 1] as number) > (losses[best] as number));
});

test('gbdt - subsampled runs repeat exactly for a seed and differ for another', () => {
  const { xs, ys } = syntheticExamples('classification', 500, 4);
  const run = (seed: number) => {
    const learner = new GradientBoostedTrees(SYNTHETIC_SCHEMA, 'classification', {
      subsample: 0.5,
      colsample: 0.5,
      nTrees: 10,
      seed,
    });
    learner.learnMany(xs, ys);
    return Buffer.from(learner.toArtifact());
  };
  assert.deepEqual(run(5), run(5));
  assert.notDeepEqual(run(5), run(6));
});

test('gbdt - learnOne buffers and refits every refitEvery examples', () => {
  const learner = new GradientBoostedTrees(ONE, 'estimation', { ...STUMP, refitEvery: 4 });
  [0, 0, 10].forEach((y, i) => learner.learnOne(XS[i] as { x: number }, y));
  assert.equal(learner.treeCount, 0);
  assert.equal(learner.predictOne({ x: 1 }), 0);
  learner.learnOne({ x: 4 }, 10);
  assert.equal(learner.treeCount, 1);
  assert.equal(learner.examplesSeen, 4);
  assert.equal(learner.predictOne({ x: 4 }), 5 + Math.fround((10 / 3) * 0.1));
});

test('gbdt - a restored learner keeps its trees and boosts new ones on top', () => {
  const learner = new GradientBoostedTrees(ONE, 'estimation', { ...STUMP, learningRate: 0.5 });
  learner.learnMany(XS, [0, 0, 10, 10]);
  const restored = GradientBoostedTrees.restore(learner.toArtifact());
  restored.learnMany(XS, [0, 0, 10, 10]);
  assert.equal(restored.treeCount, 2);
  // Second round: margins 5 ∓ 5/3 leave gradients ±10/3 on each side: G_L = 20/3, H_L = 2.
  const first = Math.fround(-5 / 3);
  const second = Math.fround((-(2 * (5 + first - 0)) / 3) * 0.5);
  assert.equal(restored.predictOne({ x: 1 }), 5 + first + second);
});

test('gbdt - restored again and again, a model keeps its first inheritance and refits the rest', () => {
  const candidate = new GradientBoostedTrees(ONE, 'estimation', { ...STUMP, nTrees: 3, learningRate: 0.5 });
  candidate.learnMany(XS, [0, 0, 10, 10]);
  assert.equal(candidate.treeCount, 3);
  let artifact = candidate.toArtifact();
  assert.equal(decodeGbdt(artifact).inheritedTrees, null);
  for (let restart = 0; restart < 4; restart++) {
    const going = GradientBoostedTrees.restore(artifact);
    // Before its first fit it serves every tree it was given.
    assert.equal(going.treeCount, restart === 0 ? 3 : 6);
    going.learnMany(XS, [0, 0, 10, 10]);
    assert.equal(going.treeCount, 6, `restart ${restart}: the 3 inherited trees plus one fit of 3`);
    artifact = going.toArtifact();
    assert.equal(decodeGbdt(artifact).inheritedTrees, 3);
  }
});

test('gbdt - an inheritedTrees count beyond the trees is refused', () => {
  const learner = new GradientBoostedTrees(ONE, 'estimation', STUMP);
  learner.learnMany(XS, [0, 0, 10, 10]);
  const { header, sections } = decodeArtifact(learner.toArtifact());
  const bad = encodeArtifact({ ...header, inheritedTrees: 2 }, [...sections]);
  assert.throws(() => decodeGbdt(bad), /inheritedTrees 2 is not a tree count from 0 to 1/);
});

test('gbdt - artifact trees whose children point backwards are refused', () => {
  const learner = new GradientBoostedTrees(ONE, 'estimation', STUMP);
  learner.learnMany(XS, [0, 0, 10, 10]);
  const { header, sections } = decodeArtifact(learner.toArtifact());
  const broken = [...sections].map(
    ([name, data]) => [name, name === 'nodes.left' ? Float32Array.from([0, -1, -1]) : data] as const,
  );
  assert.throws(() => loadScorer(encodeArtifact(header, broken)), {
    name: 'ArtifactError',
    message: 'model artifact: node 0 has an invalid feature or children',
  });
});

test('gbdt - hyper-parameters: every problem listed, each with what to do', () => {
  assert.equal(compileGbdtOptions({ maxDepth: 6 }).maxLeaves, 64, 'maxLeaves defaults to 2^maxDepth');
  assert.throws(() => new GradientBoostedTrees(ONE, 'estimation', { maxBins: 1, subsample: 0, depth: 3 } as never), {
    name: 'HyperParameterError',
    message: [
      'invalid gbdt hyper-parameters:',
      '  - unknown hyper-parameter "depth": gbdt knows nTrees, learningRate, maxDepth, maxLeaves, maxBins, lambda, minChildWeight, subsample, colsample, seed, validationFraction, earlyStoppingRounds, bufferSize, refitEvery, hashBuckets',
      '  - maxBins must be an integer from 2 to 256, got 1',
      '  - subsample must be a number in (0, 1], got 0',
    ].join('\n'),
  });
});

test('gbdt - the buffer keeps the most recent bufferSize examples', () => {
  const learner = new GradientBoostedTrees(ONE, 'estimation', { ...STUMP, bufferSize: 2, lambda: 0, learningRate: 1 });
  learner.learnMany(XS, [0, 0, 10, 10]);
  // Only x = 3 and x = 4 (labels 10) remain: base 10, no gain in splitting.
  assert.deepEqual(nodesOf(learner), {
    feature: [-1],
    threshold: [0],
    left: [-1],
    right: [-1],
    value: [0],
    baseScore: 10,
  });
  assert.equal(learner.examplesSeen, 4);
});

test('gbdt - trees grown on bins serve the same margins from raw-value thresholds', () => {
  const random = new SeededRandom(8);
  const rows = 300;
  const columns = 3;
  const data = Float32Array.from({ length: rows * columns }, (_, i) =>
    i % columns === 2 ? Math.floor(random.next() * 3) : random.normal() * 100,
  );
  const ys = Float64Array.from({ length: rows }, (_, r) => ((data[r * columns] as number) > 20 ? 1 : 0));
  const matrix = binMatrix(data, rows, columns, columnEdges(data, rows, columns, 8));
  const hyper = compileGbdtOptions({ nTrees: 5, maxDepth: 3, validationFraction: 0 });
  const result = boost({ task: 'classification', hyper, matrix, ys, ws: new Float64Array(rows).fill(1), start: null });
  const ensemble = joinTrees(result.baseScore, null, result.trees);
  for (let r = 0; r < rows; r++) {
    const binned = result.trees.reduce((m, tree) => m + binnedTreeValue(tree, matrix, r), result.baseScore);
    assert.equal(ensembleMargin(ensemble, data.subarray(r * columns, (r + 1) * columns)), binned, `row ${r}`);
  }
});

test('gbdt - maxLeaves caps a level-wise tree, the best gains of a level first', () => {
  // Base 13 (the mean). Root split x ≤ 4 (means 1 | 25); below it, x ≤ 6 gains ½·100 on the right, x ≤ 2 only ½·4 on the left.
  const grow = (maxLeaves: number) => {
    const learner = new GradientBoostedTrees(ONE, 'estimation', {
      nTrees: 1,
      maxDepth: 2,
      maxLeaves,
      validationFraction: 0,
      minChildWeight: 0,
      lambda: 0,
      learningRate: 1,
    });
    learner.learnMany(
      [1, 2, 3, 4, 5, 6, 7, 8].map((x) => ({ x })),
      [0, 0, 2, 2, 20, 20, 30, 30],
    );
    const { feature, threshold, value } = nodesOf(learner);
    return { feature, threshold, value };
  };
  assert.deepEqual(grow(3), { feature: [0, -1, 0, -1, -1], threshold: [4, 0, 6, 0, 0], value: [0, -12, 0, 7, 17] });
  assert.deepEqual(grow(4), {
    feature: [0, 0, 0, -1, -1, -1, -1],
    threshold: [4, 2, 6, 0, 0, 0, 0],
    value: [0, 0, 0, -13, -11, 7, 17],
  });
});
