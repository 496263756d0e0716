// The aggregates of recent values: last, last_n and ewma, with and without a window.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeatureState, featureValue } from './aggregator.js';
import type { EwmaBucketState, LastNState } from './state.js';
import { Feed, T0, specOf } from './test-feed.js';

const MINUTE = 60_000;
const SECOND = 1000;

describe('stream aggregates of recent values', () => {
  it('last - is the value of the newest event by event time', () => {
    const feed = new Feed(specOf('last', { latenessMs: 10_000 }));
    assert.equal(feed.at(0), null);
    assert.deepEqual(
      feed.pushAll([
        ['fr', 1000],
        ['de', 5000],
      ]),
      ['applied', 'applied'],
    );
    assert.equal(feed.at(5000), 'de');
  });

  it('last - an out-of-order older event is applied but does not overwrite a newer one', () => {
    const feed = new Feed(specOf('last', { latenessMs: 10_000 }));
    feed.push('de', 5000);
    assert.equal(feed.push('fr', 2000), 'applied');
    assert.equal(feed.at(5000), 'de');
    assert.equal(feed.push('it', 5000), 'applied');
    assert.equal(feed.at(5000), 'it', 'of two events at the same time, the later applied wins');
    assert.equal(feed.push('es', -5001), 'late');
    assert.equal(feed.at(5000), 'it');
  });

  it('last - with a window, is null once the newest event is W old or older', () => {
    const feed = new Feed(specOf('last', { windowMs: MINUTE }));
    feed.push(42, 5000);
    assert.equal(feed.at(MINUTE + 4999), 42);
    assert.equal(feed.at(MINUTE + 5000), null);
    const late = new Feed(specOf('last', { windowMs: MINUTE, latenessMs: 10 * MINUTE }));
    late.push('new', 100_000);
    assert.equal(
      late.push('old', 40_000),
      'late',
      'already out of the window as of the watermark, whatever the lateness',
    );
    assert.equal(late.push('older but in the window', 40_001), 'applied');
    assert.equal(late.at(100_000), 'new');
  });

  it('last - keeps strings and finite numbers, ignores anything else', () => {
    const feed = new Feed(specOf('last'));
    assert.deepEqual(
      feed.pushAll([
        [null, 1],
        [Number.NaN, 2],
        [-Infinity, 3],
        [0, 4],
      ]),
      ['ignored', 'ignored', 'ignored', 'applied'],
    );
    assert.equal(feed.at(4), 0);
  });

  it('last_n - keeps the newest n values by event time, newest last', () => {
    const feed = new Feed(specOf('last_n', { n: 3, latenessMs: 10_000 }));
    assert.deepEqual(feed.at(0), []);
    feed.pushAll([
      ['a', 1000],
      ['b', 2000],
      ['c', 3000],
      ['d', 4000],
    ]);
    assert.deepEqual(feed.at(4000), ['b', 'c', 'd']);
    assert.equal(feed.push('x', 2500), 'applied');
    assert.deepEqual(feed.at(4000), ['x', 'c', 'd'], 'an out-of-order event goes to its place by event time');
    assert.equal(feed.push('y', 1500), 'applied');
    assert.deepEqual(feed.at(4000), ['x', 'c', 'd'], 'older than the n kept: no change');
    feed.push('e', 4000);
    assert.deepEqual(feed.at(4000), ['c', 'd', 'e'], 'same time: after the one applied earlier');
    assert.deepEqual((feed.state as LastNState).ts, [T0 + 3000, T0 + 4000, T0 + 4000]);
  });

  it('last_n - the value is a copy: changing it changes no state', () => {
    const feed = new Feed(specOf('last_n', { n: 2 }));
    feed.pushAll([
      [1, 1],
      [2, 2],
    ]);
    const value = feed.at(2) as number[];
    value.push(99);
    assert.deepEqual(feed.at(2), [1, 2]);
  });

  it('last_n - with a window, keeps only the values newer than now - W', () => {
    const feed = new Feed(specOf('last_n', { n: 5, windowMs: MINUTE }));
    feed.pushAll([
      ['a', 1000],
      ['b', 30_000],
      ['c', 50_000],
    ]);
    assert.deepEqual(feed.at(MINUTE + 999), ['a', 'b', 'c']);
    assert.deepEqual(feed.at(MINUTE + 1000), ['b', 'c']);
    assert.deepEqual(feed.at(MINUTE + 50_000), []);
    feed.push('d', MINUTE + 20_000);
    assert.deepEqual(
      (feed.state as LastNState).values,
      ['b', 'c', 'd'],
      'a is dropped from the state once the newest event is W after it',
    );
    assert.equal(feed.push('too old', 20_000), 'late', 'lateness 0');
  });

  it('ewma - weights each value by 2^(-age/half-life): 10 then 40 two half-lives later is (10/4 + 40)/(1/4 + 1) = 34', () => {
    const feed = new Feed(specOf('ewma', { halfLifeMs: SECOND }));
    assert.equal(feed.at(0), null);
    feed.push(10, 0);
    assert.equal(feed.at(0), 10);
    feed.push(40, 2 * SECOND);
    assert.equal(feed.at(2 * SECOND), 34);
    assert.equal(feed.at(MINUTE), 34, 'a weighted mean does not drift without events: all weights decay alike');
  });

  it('ewma - events at the same time share the weight: 8, then 8 and 2 one half-life later is (4 + 8 + 2)/(0.5 + 2) = 5.6', () => {
    const feed = new Feed(specOf('ewma', { halfLifeMs: SECOND }));
    feed.pushAll([
      [8, 0],
      [8, SECOND],
      [2, SECOND],
    ]);
    assert.equal(feed.at(SECOND), 5.6);
  });

  it('ewma - is the same whatever the arrival order within the lateness', () => {
    const feed = new Feed(specOf('ewma', { halfLifeMs: SECOND, latenessMs: 5 * SECOND }));
    feed.push(40, 2 * SECOND);
    assert.equal(feed.push(10, 0), 'applied');
    assert.equal(feed.at(2 * SECOND), 34);
    assert.equal(feed.push(1000, -3001), 'late');
    assert.equal(feed.push('abc', 2 * SECOND), 'ignored');
    assert.equal(feed.at(2 * SECOND), 34);
  });

  it('ewma - a value many half-lives older weighs nothing, and the next value takes over', () => {
    const feed = new Feed(specOf('ewma', { halfLifeMs: 1 }));
    feed.pushAll([
      [5, 0],
      [7, 10 * MINUTE],
    ]);
    assert.equal(feed.at(10 * MINUTE), 7);
  });

  it('ewma - with a window, covers only the buckets in the window and is null once it is empty', () => {
    const feed = new Feed(specOf('ewma', { halfLifeMs: SECOND, windowMs: MINUTE }));
    assert.equal(feed.at(0), null);
    feed.pushAll([
      [10, 1000],
      [40, 3000],
      [20, 3000],
    ]);
    assert.equal(feed.at(3000), 62.5 / 2.25, '(10/4 + 40 + 20)/(1/4 + 2)');
    assert.equal(feed.at(MINUTE + 999), 62.5 / 2.25);
    assert.equal(feed.at(MINUTE + 1000), 30, 'bucket (T0, T0 + 1 s] has left the window');
    assert.equal(feed.at(MINUTE + 3000), null);
    const state = feed.state as EwmaBucketState;
    assert.deepEqual(
      [state.starts, state.refTs, state.weightedSums, state.weights],
      [
        [T0, T0 + 2000],
        [T0 + 1000, T0 + 3000],
        [10, 60],
        [1, 2],
      ],
    );
  });

  it('ewma - with a window, out-of-order values, in their bucket or in an older one, give the same state as in order', () => {
    const spec = specOf('ewma', { halfLifeMs: SECOND, windowMs: MINUTE, latenessMs: MINUTE });
    const inOrder = new Feed(spec);
    inOrder.pushAll([
      [30, 800],
      [10, 1000],
      [40, 3000],
    ]);
    const outOfOrder = new Feed(spec);
    outOfOrder.pushAll([
      [40, 3000],
      [10, 1000],
      [30, 800],
    ]);
    assert.deepEqual(outOfOrder.state, inOrder.state);
    assert.equal(featureValue(createFeatureState(spec), spec, T0), null);
  });
});
