// Known-answer tests: models trained online on data whose best possible accuracy is known exactly.
// Accuracy is measured as expected accuracy on fresh steps: the true probability of the model's top-1
// class, averaged over the test contexts (exact in expectation, with far less noise than counting
// hits), and compared with the Bayes predictor's on the very same contexts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureValues } from '../feature-values.js';
import { WindowedClassMetrics } from './class-metrics.js';
import type { MulticlassScorer } from './contract.js';
import { LinearSoftmaxSource, Order2Chain, SequenceStream } from './generator.js';
import { NGramModel } from './markov.js';
import { SoftmaxRegression } from './softmax-regression.js';

const TRAIN_STEPS = 40_000;
const TEST_STEPS = 10_000;
/** How far below the Bayes rate a trained model may stay. */
const GAP = 0.03;

const chain = Order2Chain.random({ items: 20, seed: 7 });
const best = chain.bestAccuracies();

interface Figures {
  /** Mean true probability of the model's top-1 item. */
  readonly expected: number;
  /** Mean largest true probability on the same contexts: the Bayes rate of this sample. */
  readonly bayes: number;
  readonly top1: number;
  readonly top5: number;
  readonly mrr: number;
  readonly logLoss: number;
}

function evaluateSequence(model: MulticlassScorer, hideContext = false): Figures {
  const stream = new SequenceStream(chain, 99);
  const metrics = new WindowedClassMetrics({ window: TEST_STEPS, k: 5 });
  const proba = new Float64Array(model.rows);
  const top = new Int32Array(1);
  const topP = new Float64Array(1);
  let expected = 0;
  let bayes = 0;
  for (let i = 0; i < TEST_STEPS; i++) {
    const s = stream.next();
    const x: FeatureValues = hideContext ? {} : s.x;
    model.topK(x, 1, top, topP);
    const item = chain.items.indexOf(model.classNameAt(top[0] as number) ?? '');
    expected += item < 0 ? 0 : chain.probability(s.older, s.newest, item);
    bayes += chain.probability(s.older, s.newest, chain.bestNext(s.older, s.newest));
    model.predictProba(x, proba);
    metrics.observe(proba, model.rows, model.rowOf(s.label));
  }
  const m = metrics.summary();
  return {
    expected: expected / TEST_STEPS,
    bayes: bayes / TEST_STEPS,
    top1: m.top1Accuracy!,
    top5: m.topKAccuracy!,
    mrr: m.meanReciprocalRank!,
    logLoss: m.logLoss!,
  };
}

function trainOnChain<M extends { learnOne(x: FeatureValues, label: string): void }>(model: M): M {
  const stream = new SequenceStream(chain, 11);
  for (let i = 0; i < TRAIN_STEPS; i++) {
    const s = stream.next();
    model.learnOne(s.x, s.label);
  }
  return model;
}

const show = (name: string, f: Figures) =>
  `${name}: expected top-1 ${f.expected.toFixed(4)} (Bayes on these contexts ${f.bayes.toFixed(4)}, gap ${(f.bayes - f.expected).toFixed(4)}); ` +
  `counted top-1 ${f.top1.toFixed(4)}, top-5 ${f.top5.toFixed(4)}, MRR ${f.mrr.toFixed(4)}, log-loss ${f.logLoss.toFixed(4)}`;

test('sequence learning - the Bayes rate of the chain, from its stationary distribution', (t) => {
  t.diagnostic(
    `order-2 chain, 20 items: Bayes top-1 ${best.bayes.toFixed(4)}, best from the newest item only ${best.newestOnly.toFixed(4)}, best constant ${best.unigram.toFixed(4)}`,
  );
  assert.ok(best.bayes > 0.45 && best.bayes < 0.65, 'a mix of near-deterministic and spread contexts');
  assert.ok(best.newestOnly < best.bayes - 0.25, 'the older item matters: an order-1 model cannot get close');
  assert.ok(best.unigram < 0.1);
});

test('sequence learning - the order-2 n-gram reaches the Bayes rate within the gap; its unigram and order-1 parts do not', (t) => {
  const model = trainOnChain(new NGramModel({ sequenceFeature: 'recent' }));
  const order2 = evaluateSequence(model);
  const unigram = evaluateSequence(model, true);
  const order1 = evaluateSequence(trainOnChain(new NGramModel({ sequenceFeature: 'recent', order: 1 })));
  t.diagnostic(show('ngram order 2', order2));
  t.diagnostic(show('ngram order 1', order1));
  t.diagnostic(show('unigram (context hidden)', unigram));
  assert.ok(Math.abs(order2.bayes - best.bayes) < 0.02, 'the test contexts are representative');
  assert.ok(order2.bayes - order2.expected <= GAP, show('ngram order 2', order2));
  assert.ok(unigram.expected <= best.unigram + 0.01, show('unigram', unigram));
  assert.ok(order1.expected <= best.newestOnly + 0.01, show('order 1', order1));
  assert.ok(order2.top5 > order2.top1 && order2.mrr > order2.top1);
});

test('sequence learning - softmax regression with the pair slot reaches the Bayes rate within the gap', (t) => {
  const started = process.hrtime.bigint();
  const model = trainOnChain(new SoftmaxRegression('sequence', { sequenceFeature: 'recent' }));
  const trainMs = Number(process.hrtime.bigint() - started) / 1e6;
  const f = evaluateSequence(model);
  t.diagnostic(show('softmax', f));
  t.diagnostic(
    `softmax: learned ${TRAIN_STEPS} steps in ${trainMs.toFixed(0)} ms (${((trainMs * 1000) / TRAIN_STEPS).toFixed(1)} µs per example)`,
  );
  assert.ok(f.bayes - f.expected <= GAP, show('softmax', f));
  assert.ok(f.expected > best.newestOnly + 0.25);
});

test('sequence learning - multi-class softmax regression reaches the Bayes accuracy of a linear softmax source', (t) => {
  const model = new SoftmaxRegression('classification', {
    extraFeatures: ['x1', 'x2', 'device'],
    classes: ['red', 'green', 'blue', 'gold'],
  });
  const train = new LinearSoftmaxSource(3);
  for (let i = 0; i < 30_000; i++) {
    const e = train.next();
    model.learnOne(e.x, e.label);
  }
  const source = new LinearSoftmaxSource(4);
  const proba = new Float64Array(model.rows);
  const top = new Int32Array(1);
  const topP = new Float64Array(1);
  let expected = 0;
  let bayes = 0;
  let modelLoss = 0;
  let trueLoss = 0;
  for (let i = 0; i < TEST_STEPS; i++) {
    const e = source.next();
    model.topK(e.x, 1, top, topP);
    expected += e.truth[source.classes.indexOf(model.classNameAt(top[0] as number) as never)] as number;
    bayes += Math.max(...e.truth);
    model.predictProba(e.x, proba);
    modelLoss -= Math.log(proba[model.rowOf(e.label)] as number);
    trueLoss -= Math.log(e.truth[source.classes.indexOf(e.label as never)] as number);
  }
  const f = {
    expected: expected / TEST_STEPS,
    bayes: bayes / TEST_STEPS,
    modelLoss: modelLoss / TEST_STEPS,
    trueLoss: trueLoss / TEST_STEPS,
  };
  t.diagnostic(
    `classification: expected accuracy ${f.expected.toFixed(4)}, Bayes ${f.bayes.toFixed(4)}; log-loss ${f.modelLoss.toFixed(4)} vs the truth's ${f.trueLoss.toFixed(4)}`,
  );
  assert.ok(f.bayes - f.expected <= 0.01, JSON.stringify(f));
  assert.ok(f.modelLoss - f.trueLoss <= 0.02, JSON.stringify(f));
});

test('sequence learning - scoring cost per call (printed, not asserted)', (t) => {
  const softmax = trainOnChain(new SoftmaxRegression('sequence', { sequenceFeature: 'recent' }));
  const ngram = trainOnChain(new NGramModel({ sequenceFeature: 'recent' }));
  const xs = Array.from(
    { length: 256 },
    (
      (s) => () =>
        s.next().x
    )(new SequenceStream(chain, 5)),
  );
  // 1000 classes in use: a softmax over the full default vocabulary.
  const wide = new SoftmaxRegression('sequence', { sequenceFeature: 'recent' });
  for (let i = 0; i < 3000; i++) wide.learnOne(xs[i % xs.length] as FeatureValues, `c${i % 1000}`);
  const rows = new Int32Array(5);
  const probs = new Float64Array(5);
  for (const [name, model] of [
    ['softmax, 21 classes', softmax],
    ['ngram, 21 classes', ngram],
    ['softmax, 1000 classes', wide],
  ] as const) {
    const calls = 20_000;
    for (let i = 0; i < 2000; i++) model.topK(xs[i % xs.length] as FeatureValues, 5, rows, probs);
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) model.topK(xs[i % xs.length] as FeatureValues, 5, rows, probs);
    const us = Number(process.hrtime.bigint() - started) / 1000 / calls;
    t.diagnostic(`${name}: topK(5) ${us.toFixed(2)} µs per call`);
  }
});
