import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choose, dominates, paretoFront } from './pareto.js';

const c = (name: string, objective: number, sizeBytes: number, p99Us: number) => ({
  name,
  objective,
  sizeBytes,
  p99Us,
});

test('pareto - dominance needs no worse everywhere and better somewhere', () => {
  assert.equal(dominates(c('a', 0.8, 100, 2), c('b', 0.8, 100, 2)), false);
  assert.equal(dominates(c('a', 0.8, 100, 2), c('b', 0.8, 100, 3)), true);
  assert.equal(dominates(c('a', 0.81, 100, 2), c('b', 0.8, 50, 2)), false);
});

test('pareto - the front keeps every trade-off, best quality first, and never an infeasible trial', () => {
  const trials = [
    c('best', 0.82, 40_000, 9),
    c('small', 0.8, 2_000, 1),
    c('dominated', 0.79, 3_000, 2),
    c('fast-but-big', 0.78, 90_000, 0.5),
    c('infeasible', Number.NEGATIVE_INFINITY, 10, 0.1),
    c('failed', Number.NaN, 10, 0.1),
  ];
  assert.deepEqual(
    paretoFront(trials).map((t) => t.name),
    ['best', 'small', 'fast-but-big'],
  );
});

test('pareto - choice: the best objective, ties to the smaller then the faster, none when nothing is feasible', () => {
  assert.equal(choose([c('a', 0.8, 100, 2), c('b', 0.82, 900, 9)])!.name, 'b');
  assert.equal(choose([c('a', 0.8, 100, 2), c('b', 0.8, 90, 9)])!.name, 'b');
  assert.equal(choose([c('a', 0.8, 100, 2), c('b', 0.8, 100, 1)])!.name, 'b');
  assert.equal(choose([c('a', Number.NEGATIVE_INFINITY, 1, 1)]), null);
});
