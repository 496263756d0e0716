import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom, deriveSeed, mulberry32 } from './random.js';

const draws = (next: () => number, n: number) => Array.from({ length: n }, next);

describe('simulator random', () => {
  it('simulator random - the same seed gives the same draws, another seed others', () => {
    assert.deepEqual(draws(mulberry32(42), 5), draws(mulberry32(42), 5));
    assert.notDeepEqual(draws(mulberry32(42), 5), draws(mulberry32(43), 5));
    // mulberry32's reference output for seed 42, so the generator cannot drift unnoticed.
    assert.deepEqual(
      draws(mulberry32(42), 3).map((x) => Math.round(x * 2 ** 32)),
      [2581720956, 1925393290, 3661312704],
    );
  });

  it('simulator random - uniform draws lie in [0, 1) with mean one half', () => {
    const xs = draws(createRandom(1).next, 100_000);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.005, String(mean));
  });

  it('simulator random - normal, exponential and weighted draws have their moments', () => {
    const r = createRandom(7);
    const normals = Array.from({ length: 50_000 }, () => r.normal(2, 3));
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((s, x) => s + (x - mean) ** 2, 0) / normals.length);
    assert.ok(Math.abs(mean - 2) < 0.05 && Math.abs(sd - 3) < 0.05, `${mean} ${sd}`);
    const exps = Array.from({ length: 50_000 }, () => r.exponential(5));
    assert.ok(Math.abs(exps.reduce((a, b) => a + b, 0) / exps.length - 5) < 0.1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.weighted([1, 0, 2])]!++;
    assert.equal(counts[1], 0);
    assert.ok(Math.abs(counts[2]! / counts[0]! - 2) < 0.1, String(counts));
    assert.ok([...Array(1000)].every(() => r.int(3) < 3));
    assert.throws(() => r.pick([]), RangeError);
  });

  it('simulator random - a fork depends on the seed and its name, not on the draws made before', () => {
    const a = createRandom(5);
    const b = createRandom(5);
    draws(a.next, 10);
    assert.deepEqual(draws(a.fork('users').next, 3), draws(b.fork('users').next, 3));
    assert.notDeepEqual(draws(b.fork('users').next, 3), draws(b.fork('events').next, 3));
    assert.notEqual(deriveSeed(5, 'x'), deriveSeed(6, 'x'));
  });
});
