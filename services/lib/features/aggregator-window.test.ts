// The windowed aggregates (count, sum, mean, min, max, distinct): buckets, expiry, lateness, caps.
// Windows are 60 s, so buckets are 1 s wide: bucket (T0 + k s, T0 + (k+1) s] is keyed T0 + k s.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, createFeatureState, featureValue } from './aggregator.js';
import { FeatureSpecError, FeatureStateMismatchError } from './errors.js';
import {
  BUCKETS_PER_WINDOW,
  DISTINCT_CAP,
  bucketStart,
  bucketWidthMs,
  type BucketState,
  type DistinctState,
} from './state.js';
import { Feed, T0, specOf } from './test-feed.js';

const MINUTE = 60_000;
const windowed = (aggregate: Parameters<typeof specOf>[0], latenessMs = 0) =>
  specOf(aggregate, { windowMs: MINUTE, latenessMs });

/** Events at T0 + 0.1 s, 0.5 s, 1 s (all in bucket T0) and 2.5 s (bucket T0 + 2 s). */
const EVENTS = [
  [4, 100],
  [-2, 500],
  [10, 1000],
  [0.5, 2500],
] as const;

describe('stream aggregates over a window', () => {
  it('buckets - a window is 60 buckets of W/60 ms rounded up, at least 1 ms', () => {
    assert.equal(BUCKETS_PER_WINDOW, 60);
    assert.equal(bucketWidthMs(MINUTE), 1000);
    assert.equal(bucketWidthMs(86_400_000), 1_440_000);
    assert.equal(bucketWidthMs(1000), 17);
    assert.equal(bucketWidthMs(30), 1);
    assert.equal(bucketWidthMs(1), 1);
  });

  it('buckets - the bucket keyed s holds the events with s < ts <= s + w', () => {
    assert.equal(bucketStart(T0 + 1, 1000), T0);
    assert.equal(bucketStart(T0 + 1000, 1000), T0);
    assert.equal(bucketStart(T0 + 1001, 1000), T0 + 1000);
    assert.equal(bucketStart(0, 1000), -1000);
    assert.equal(bucketStart(-1, 1000), -1000);
  });

  it('count - counts the events in the window, and a window empties without new events', () => {
    const feed = new Feed(windowed('count'));
    assert.deepEqual(feed.pushAll(EVENTS), ['applied', 'applied', 'applied', 'applied']);
    assert.equal(feed.at(2500), 4);
    assert.equal(feed.at(MINUTE), 4);
    assert.equal(feed.at(MINUTE + 999), 4, 'the oldest bucket counts whole until its end leaves the window');
    assert.equal(feed.at(MINUTE + 1000), 1, 'exact at a boundary: (T0 + 1 s, T0 + 61 s] holds only the event at 2.5 s');
    assert.equal(feed.at(MINUTE + 2999), 1);
    assert.equal(feed.at(MINUTE + 3000), 0);
    assert.equal(feed.at(10 * MINUTE), 0);
  });

  it('count - ignores the value, whatever it is', () => {
    const feed = new Feed(windowed('count'));
    assert.deepEqual(
      feed.pushAll([
        [null, 1],
        ['abc', 2],
        [Number.NaN, 3],
      ]),
      ['applied', 'applied', 'applied'],
    );
    assert.equal(feed.at(3), 3);
  });

  it('sum, mean, min, max - combine the buckets in the window', () => {
    const expected = {
      sum: [12.5, 0.5, 0],
      mean: [3.125, 0.5, null],
      min: [-2, 0.5, null],
      max: [10, 0.5, null],
    } as const;
    for (const [aggregate, [all, afterFirstBucket, empty]] of Object.entries(expected)) {
      const feed = new Feed(windowed(aggregate as keyof typeof expected));
      feed.pushAll(EVENTS);
      assert.equal(feed.at(2500), all, `${aggregate} of all four`);
      assert.equal(feed.at(MINUTE + 1000), afterFirstBucket, `${aggregate} once bucket T0 left the window`);
      assert.equal(feed.at(MINUTE + 3000), empty, `${aggregate} of the empty window`);
    }
  });

  it('empty window - count and sum are 0; mean, min and max are null', () => {
    for (const [aggregate, empty] of [
      ['count', 0],
      ['sum', 0],
      ['mean', null],
      ['min', null],
      ['max', null],
    ] as const) {
      const spec = windowed(aggregate);
      assert.equal(featureValue(createFeatureState(spec), spec, T0), empty, aggregate);
    }
  });

  it('numeric aggregates - ignore values that are not finite numbers and keep the state unchanged', () => {
    for (const aggregate of ['sum', 'mean', 'min', 'max'] as const) {
      const feed = new Feed(windowed(aggregate));
      feed.push(3, 1000);
      const before = structuredClone(feed.state);
      assert.deepEqual(
        feed.pushAll([
          ['abc', 1500],
          ['3', 1500],
          [null, 1500],
          [Number.NaN, 1500],
          [Infinity, 1500],
          [-Infinity, 1500],
        ]),
        ['ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored'],
      );
      assert.deepEqual(feed.state, before, aggregate);
    }
  });

  it('lateness - an out-of-order event within the lateness is applied into its own bucket', () => {
    const feed = new Feed(windowed('count', 5000));
    assert.equal(feed.push(null, 10_000), 'applied');
    assert.equal(feed.push(null, 5000), 'applied', '5 s behind the watermark, lateness 5 s');
    assert.equal(feed.at(10_000), 2);
    assert.equal(feed.at(MINUTE + 4999), 2);
    assert.equal(feed.at(MINUTE + 5000), 1, 'bucket (T0 + 4 s, T0 + 5 s] has left the window; bucket T0 + 9 s has not');
    assert.deepEqual((feed.state as BucketState).starts, [T0 + 4000, T0 + 9000]);
  });

  it('lateness - an event further behind the watermark than the lateness is late and not applied', () => {
    const feed = new Feed(windowed('sum', 5000));
    feed.push(1, 10_000);
    assert.equal(feed.push(100, 4999), 'late');
    assert.equal(feed.at(10_000), 1);
    const strict = new Feed(windowed('sum'));
    strict.push(1, 10_000);
    assert.equal(strict.push(100, 9999), 'late', 'lateness 0: anything behind the watermark is late');
    assert.equal(strict.push(100, 10_000), 'applied', 'an event at the watermark is on time');
    assert.equal(strict.at(10_000), 101);
  });

  it('lateness - an event whose bucket is already out of the window as of the watermark is late, whatever the lateness', () => {
    const feed = new Feed(windowed('count', 10 * MINUTE));
    feed.push(null, 100_000);
    assert.equal(feed.push(null, 39_000), 'late', 'bucket (38 s, 39 s] ended before 100 s - 60 s');
    assert.equal(feed.push(null, 40_000), 'late', 'bucket (39 s, 40 s] ended exactly at 100 s - 60 s');
    assert.equal(feed.push(null, 40_001), 'applied', 'bucket (40 s, 41 s] is still in the window');
    assert.equal(feed.at(100_000), 2);
  });

  it('lateness - the horizon is at least the newest event in the state, so a restart with a lower watermark reopens nothing', () => {
    const spec = windowed('count');
    const state = createFeatureState(spec);
    assert.equal(applyEvent(state, spec, null, T0 + 100_000, -Infinity), 'applied');
    assert.equal(applyEvent(state, spec, null, T0 + 50_000, -Infinity), 'late');
    assert.equal(applyEvent(state, spec, null, T0 + 100_000, T0), 'applied');
    assert.equal(featureValue(state, spec, T0 + 100_000), 2);
  });

  it('bounded state - buckets out of the window as of the newest event are dropped when applying', () => {
    const feed = new Feed(windowed('mean'));
    for (let second = 1; second <= 300; second++) feed.push(second, second * 1000);
    const state = feed.state as BucketState;
    assert.equal(state.starts.length, 60);
    assert.equal(state.starts[0], T0 + 240_000);
    assert.equal(state.counts.length, 60);
    assert.equal(state.values.length, 60);
    assert.equal(feed.at(300_000), (241 + 300) / 2);
  });

  it('bounded state - distinct forgets values last seen before the window of the newest event', () => {
    const feed = new Feed(windowed('distinct'));
    for (let second = 1; second <= 300; second++) feed.push(`v${second % 120}`, second * 1000);
    const state = feed.state as DistinctState;
    assert.equal(state.lastSeen.size, 60, 'v1 .. v60 were last seen at 241 s .. 300 s; the others before 240 s');
    assert.equal(feed.at(300_000), 60);
  });

  it('distinct - counts distinct values in the window; 1 and "1" differ', () => {
    const feed = new Feed(windowed('distinct'));
    assert.deepEqual(
      feed.pushAll([
        ['fr', 500],
        ['de', 500],
        ['fr', 700],
        [1, 800],
        ['1', 900],
        ['fr', 30_500],
      ]),
      ['applied', 'applied', 'applied', 'applied', 'applied', 'applied'],
    );
    assert.equal(feed.at(30_500), 4);
    assert.equal(feed.at(MINUTE + 1000), 1, 'only "fr", seen again at 30.5 s, is left');
    assert.equal(feed.at(MINUTE + 31_000), 0);
  });

  it('distinct - a value seen again out of order stays in its newer bucket', () => {
    const feed = new Feed(windowed('distinct', MINUTE));
    feed.pushAll([
      ['a', 30_000],
      ['b', 30_000],
      ['a', 5000],
    ]);
    const state = feed.state as DistinctState;
    assert.deepEqual(state.starts, [T0 + 29_000]);
    assert.deepEqual(state.sets, [new Set(['a', 'b'])]);
    assert.equal(feed.at(MINUTE + 29_999), 2);
    assert.equal(feed.at(MINUTE + 30_000), 0);
  });

  it('distinct - ignores values that are neither strings nor finite numbers', () => {
    const feed = new Feed(windowed('distinct'));
    assert.deepEqual(
      feed.pushAll([
        [null, 1],
        [Number.NaN, 2],
        [Infinity, 3],
        ['', 4],
      ]),
      ['ignored', 'ignored', 'ignored', 'applied'],
    );
    assert.equal(feed.at(4), 1);
  });

  it(`distinct - saturates at DISTINCT_CAP (${DISTINCT_CAP}) keeping the most recently seen values, and is exact again below it`, () => {
    const feed = new Feed(windowed('distinct'));
    // v1..v1500, one every 10 ms: 100 values per 1 s bucket, all within one window.
    for (let i = 1; i <= 1500; i++) feed.push(`v${i}`, i * 10);
    const state = feed.state as DistinctState;
    assert.equal(state.lastSeen.size, DISTINCT_CAP);
    assert.ok(state.lastSeen.has('v501') && state.lastSeen.has('v1500') && !state.lastSeen.has('v500'));
    assert.equal(feed.at(15_000), DISTINCT_CAP, '1500 distinct values read as the cap');
    assert.equal(feed.at(MINUTE + 6000), 900, 'v601..v1500 are in the window: exact again');
    assert.equal(feed.push('v1', 14_999), 'late');
    assert.equal(feed.push('old', 15_000), 'applied');
    assert.equal(feed.at(15_000), DISTINCT_CAP);
  });

  it('specs - a windowed aggregate without a window cannot make a state', () => {
    assert.throws(
      () => createFeatureState(specOf('count')),
      (error: unknown) => {
        assert.ok(error instanceof FeatureSpecError);
        assert.equal(error.message, 'stream feature spec (aggregate count): windowMs is required');
        return true;
      },
    );
    assert.throws(
      () => createFeatureState(specOf('sum', { windowMs: 1.5 })),
      /windowMs 1.5 is not a whole number of ms > 0/,
    );
    assert.throws(
      () => createFeatureState(specOf('last', { latenessMs: -1 })),
      /latenessMs -1 is not a whole number of ms >= 0/,
    );
  });

  it('specs - a state refuses a spec it was not made for, and event times must be whole ms', () => {
    const state = createFeatureState(windowed('count'));
    assert.throws(
      () => applyEvent(state, windowed('sum'), 1, T0, T0),
      (error: unknown) => {
        assert.ok(error instanceof FeatureStateMismatchError);
        assert.equal(
          error.message,
          'a count (buckets) feature state cannot serve a spec with aggregate sum: create the state from the same spec',
        );
        return true;
      },
    );
    assert.throws(() => applyEvent(state, windowed('count'), 1, T0 + 0.5, T0), RangeError);
  });
});
