import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearSoftmaxSource, Order2Chain, SequenceStream } from './generator.js';

function near(actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);
}

function table(size: number, p: (a: number, b: number, c: number) => number): Float64Array {
  const t = new Float64Array(size ** 3);
  for (let a = 0; a < size; a++)
    for (let b = 0; b < size; b++) for (let c = 0; c < size; c++) t[(a * size + b) * size + c] = p(a, b, c);
  return t;
}

test('generator - a chain that ignores its context: every predictor does as well as the most frequent item', () => {
  const chain = new Order2Chain(
    2,
    table(2, (_a, _b, c) => (c === 0 ? 0.7 : 0.3)),
  );
  const best = chain.bestAccuracies();
  near(best.bayes, 0.7);
  near(best.newestOnly, 0.7);
  near(best.unigram, 0.7);
  const pi = chain.stationaryContexts();
  [0.49, 0.21, 0.21, 0.09].forEach((p, s) => near(pi[s] as number, p));
});

test('generator - next = older XOR newest: both items give certainty, one gives a coin flip', () => {
  const chain = new Order2Chain(
    2,
    table(2, (a, b, c) => (c === (a ^ b) ? 1 : 0)),
  );
  assert.deepEqual(chain.bestAccuracies(), { bayes: 1, newestOnly: 0.5, unigram: 0.5 });
  assert.equal(chain.bestNext(1, 0), 1);
});

test('generator - the stationary context distribution is a fixed point of the chain', () => {
  const chain = Order2Chain.random({ items: 20, seed: 7 });
  const n = chain.size;
  const pi = chain.stationaryContexts();
  near(
    pi.reduce((a, b) => a + b, 0),
    1,
    1e-12,
  );
  const next = new Float64Array(n * n);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      for (let c = 0; c < n; c++)
        next[b * n + c] = (next[b * n + c] as number) + (pi[a * n + b] as number) * chain.probability(a, b, c);
  next.forEach((p, s) => near(p, pi[s] as number, 1e-14));
});

test('generator - the Bayes rate is what the best predictor reaches on a long walk', () => {
  const chain = Order2Chain.random({ items: 20, seed: 7 });
  const stream = new SequenceStream(chain, 1);
  let hits = 0;
  const steps = 40_000;
  for (let i = 0; i < steps; i++) {
    const s = stream.next();
    if (chain.bestNext(s.older, s.newest) === s.next) hits++;
  }
  const { bayes } = chain.bestAccuracies();
  near(hits / steps, bayes, 4 * Math.sqrt((bayes * (1 - bayes)) / steps));
});

test('generator - seeded: the same seed gives the same chain and walk, another seed another', () => {
  assert.deepEqual(Order2Chain.random({ seed: 3 }).transition, Order2Chain.random({ seed: 3 }).transition);
  assert.notDeepEqual(Order2Chain.random({ seed: 3 }).transition, Order2Chain.random({ seed: 4 }).transition);
  const chain = Order2Chain.random({ items: 5 });
  const walk = (seed: number) =>
    Array.from(
      { length: 50 },
      (
        (s) => () =>
          s.next().label
      )(new SequenceStream(chain, seed)),
    );
  assert.deepEqual(walk(2), walk(2));
  assert.notDeepEqual(walk(2), walk(3));
});

test('generator - a step shows the last `window` items, newest last, and the next step ends with its label', () => {
  const chain = Order2Chain.random({ items: 6, seed: 2 });
  const stream = new SequenceStream(chain, 5, 'recent', 4);
  const first = stream.next();
  const second = stream.next();
  const recent = first.x['recent'] as string[];
  assert.equal(recent.length, 4);
  assert.equal(recent[3], chain.items[first.newest]);
  assert.equal(recent[2], chain.items[first.older]);
  assert.deepEqual(second.x['recent'], [...recent.slice(1), first.label]);
});

test('generator - linear softmax examples carry true probabilities that the labels follow', () => {
  const source = new LinearSoftmaxSource(1);
  const counts = [0, 0, 0, 0];
  const expected = [0, 0, 0, 0];
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    const e = source.next();
    near(
      e.truth.reduce((a, b) => a + b, 0),
      1,
    );
    counts[source.classes.indexOf(e.label as never)]!++;
    e.truth.forEach((p, c) => (expected[c]! += p));
  }
  counts.forEach((count, c) => near(count / n, (expected[c] as number) / n, 0.015));
  assert.deepEqual(new LinearSoftmaxSource(9).next(), new LinearSoftmaxSource(9).next());
});
