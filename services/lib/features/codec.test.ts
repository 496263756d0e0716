// The feature state codec: byte-exact fixtures, exact round trips of every aggregate, versioning
// and corrupt input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, featureValue } from './aggregator.js';
import {
  CODEC_VERSION,
  decodeEntityStates,
  decodeFeatureState,
  encodeEntityStates,
  encodeFeatureState,
} from './codec.js';
import { FeatureStateDecodeError } from './errors.js';
import type { FeatureScalar } from '../feature-values.js';
import type { AggregatorSpec, FeatureState } from './state.js';
import { Feed, T0, specOf } from './test-feed.js';

const MINUTE = 60_000;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

/** Numbers that only float64 holds exactly, and strings UTF-8 alone cannot carry. */
const NUMBERS = [3, -2.5, 0.1, -0, 1e300, 2 ** 53 - 1, -(2 ** 60), 5e-324];
const STRINGS = ['fr', '', 'día', '日本', '🙂', 'lone \ud800 surrogate', 'x'.repeat(300)];

/** One spec per state kind and every aggregate, each fed values it accepts (others are ignored). */
const CASES: ReadonlyArray<[string, AggregatorSpec]> = [
  ['count', specOf('count', { windowMs: MINUTE })],
  ['sum', specOf('sum', { windowMs: MINUTE })],
  ['mean', specOf('mean', { windowMs: 7 * 86_400_000 })],
  ['min', specOf('min', { windowMs: MINUTE })],
  ['max', specOf('max', { windowMs: 1000 })],
  ['distinct', specOf('distinct', { windowMs: MINUTE })],
  ['last', specOf('last')],
  ['last with a window', specOf('last', { windowMs: MINUTE })],
  ['last_n', specOf('last_n', { n: 4 })],
  ['last_n with a window', specOf('last_n', { n: 10, windowMs: MINUTE })],
  ['ewma', specOf('ewma', { halfLifeMs: 1000 })],
  ['ewma with a window', specOf('ewma', { halfLifeMs: 1000, windowMs: MINUTE })],
];

function fedFeed(spec: AggregatorSpec): Feed {
  const feed = new Feed({ ...spec, latenessMs: MINUTE });
  const values: FeatureScalar[] = [...NUMBERS, ...STRINGS];
  values.forEach((value, i) => feed.push(value, 10_000 + i * 1700));
  feed.push(7, 9000);
  feed.push('late-ish', 9500);
  return feed;
}

describe('feature state codec', () => {
  it('codec - writes a count state byte for byte as the format says', () => {
    const feed = new Feed(specOf('count', { windowMs: MINUTE }));
    feed.pushAll([
      [null, 100],
      [null, 2500],
    ]);
    // version 1, kind count, width 1000, newest T0+2.5 s, 2 buckets: T0/1000 then +2, counts 1 1.
    const bytes = encodeFeatureState(feed.state);
    assert.equal(hex(bytes), '0101e8070188c7abfef9620280c49fd50c020101');
    assert.deepEqual(decodeFeatureState(bytes), feed.state);
  });

  it('codec - writes a last_n state byte for byte: delta times, then tagged values', () => {
    const feed = new Feed(specOf('last_n', { n: 3 }));
    feed.pushAll([
      ['a', 0],
      [1.5, 1],
      [-3, 1],
    ]);
    // version 1, kind last_n, 3 items, times T0 +1 +0, "a" (utf8), 1.5 (float64), -3 (zig-zag 5).
    const bytes = encodeFeatureState(feed.state);
    assert.equal(hex(bytes), '01080380a0abfef962010000016103000000000000f83f0205');
    assert.deepEqual(decodeFeatureState(bytes), feed.state);
  });

  for (const [name, spec] of CASES) {
    it(`codec - round-trips a ${name} state exactly, and the copy goes on like the original`, () => {
      const feed = fedFeed(spec);
      const copy = decodeFeatureState(encodeFeatureState(feed.state));
      assert.deepEqual(copy, feed.state);
      for (const dt of [0, 25_000, 30_000, MINUTE + 20_000, 10 * MINUTE]) {
        assert.deepEqual(
          featureValue(copy, feed.spec, T0 + dt),
          featureValue(feed.state, feed.spec, T0 + dt),
          `value at T0 + ${dt}`,
        );
      }
      for (const [value, dt] of [
        [2, 40_000],
        ['z', 41_000],
        [1.25, 90_000],
      ] as const) {
        assert.equal(applyEvent(copy, feed.spec, value, T0 + dt, feed.watermark), feed.push(value, dt));
      }
      assert.deepEqual(copy, feed.state);
    });

    it(`codec - round-trips an empty ${name} state`, () => {
      const feed = new Feed(spec);
      assert.deepEqual(decodeFeatureState(encodeFeatureState(feed.state)), feed.state);
    });
  }

  it('codec - keeps -0 and the exact bits of every float', () => {
    const feed = new Feed(specOf('last_n', { n: NUMBERS.length }));
    NUMBERS.forEach((value, i) => feed.push(value, i));
    const copy = decodeFeatureState(encodeFeatureState(feed.state));
    assert.ok(copy.kind === 'last_n');
    copy.values.forEach((value, i) => assert.ok(Object.is(value, NUMBERS[i]), `value ${i}`));
  });

  it('codec - is compact: a full minute of 1 s count buckets is 136 bytes, a small whole-number sum column one byte per bucket', () => {
    const count = new Feed(specOf('count', { windowMs: MINUTE }));
    const sum = new Feed(specOf('sum', { windowMs: MINUTE }));
    for (let s = 1; s <= 60; s++) {
      count.push(null, s * 1000);
      sum.push(s, s * 1000);
    }
    // version, kind, width (2), newest (7), bucket count, first start (5), 59 one-byte steps, 60 one-byte counts.
    assert.equal(encodeFeatureState(count.state).length, 1 + 1 + 2 + 7 + 1 + 5 + 59 + 60);
    assert.equal(encodeFeatureState(sum.state).length, 136 + 1 + 60);
  });

  it('codec - round-trips all the states of an entity under one key, in map order', () => {
    const states = new Map<string, FeatureState>(CASES.map(([name, spec]) => [name, fedFeed(spec).state]));
    const copy = decodeEntityStates(encodeEntityStates(states));
    assert.deepEqual(copy, states);
    assert.deepEqual([...copy.keys()], [...states.keys()]);
    assert.deepEqual(decodeEntityStates(encodeEntityStates(new Map())), new Map());
  });

  it('codec - refuses bytes of an unknown format version, saying which versions it reads', () => {
    const bytes = encodeFeatureState(new Feed(specOf('last')).state);
    assert.equal(bytes[0], CODEC_VERSION);
    bytes[0] = 2;
    assert.throws(
      () => decodeFeatureState(bytes),
      (error: unknown) => {
        assert.ok(error instanceof FeatureStateDecodeError);
        assert.equal(error.code, 'feature_state_decode');
        assert.equal(error.retriable, false);
        assert.equal(
          error.message,
          'cannot decode feature state at byte 0: format version 2 is not known (this build reads version 1)',
        );
        return true;
      },
    );
  });

  it('codec - refuses truncated, trailing, unknown and mixed-up bytes with the offset and reason', () => {
    const full = encodeFeatureState(fedFeed(specOf('sum', { windowMs: MINUTE })).state);
    for (let length = 0; length < full.length; length++) {
      assert.throws(() => decodeFeatureState(full.subarray(0, length)), FeatureStateDecodeError, `cut at ${length}`);
    }
    assert.throws(
      () => decodeFeatureState(new Uint8Array([...full, 0])),
      /unexpected bytes after the end of the state/,
    );
    assert.throws(() => decodeFeatureState(fromHex('0163')), /at byte 1: unknown state kind 99/);
    assert.throws(() => decodeFeatureState(fromHex('0107')), /at byte 2: truncated: 1 more byte\(s\) needed, 0 left/);
    assert.throws(() => decodeFeatureState(fromHex('0107010209')), /at byte 4: unknown value tag 9/);
    assert.throws(() => decodeFeatureState(fromHex('01070102000261ff')), /invalid UTF-8/);
    assert.throws(() => decodeFeatureState(fromHex('0106e80700010000')), /at byte 7: an empty distinct bucket/);
    assert.throws(
      () => decodeFeatureState(fromHex('0106e80700020001010202010202')),
      /at byte 12: a distinct value kept twice/,
    );
    assert.throws(() => decodeFeatureState(encodeEntityStates(new Map())), /read them with decodeEntityStates/);
    assert.throws(() => decodeEntityStates(full), /read them with decodeFeatureState/);
  });

  it('codec - names the feature whose state is broken inside an entity record', () => {
    const bytes = encodeEntityStates(
      new Map<string, FeatureState>([['opens_1d', new Feed(specOf('count', { windowMs: MINUTE })).state]]),
    );
    bytes[bytes.length - 2] = 7; // the newest-time flag of the only state (kind, width, flag, bucket count)
    assert.throws(
      () => decodeEntityStates(bytes),
      (error: unknown) => {
        assert.ok(error instanceof FeatureStateDecodeError);
        assert.match(
          error.message,
          /^cannot decode feature state at byte \d+: feature "opens_1d": unknown newest-time flag 7$/,
        );
        return true;
      },
    );
  });
});
