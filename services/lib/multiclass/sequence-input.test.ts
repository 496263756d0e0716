import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FNV_OFFSET } from '../learners/hash.js';
import { foldItem } from './item-hash.js';
import { compileSequenceInput, SequenceEncoder, type SequenceInputOptions } from './sequence-input.js';

/** FNV-1a 32 over the UTF-8 bytes, written independently of hash.ts. */
function fnv(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

const slot = (text: string, buckets: number) => 1 + (fnv(text) % buckets);

function entries(options: SequenceInputOptions, x: Record<string, unknown>): [number, number][] {
  const encoder = new SequenceEncoder(compileSequenceInput(options as Record<string, unknown>));
  const input = encoder.createInput();
  const n = encoder.encode(x as never, input);
  return Array.from({ length: n }, (_, i) => [input.indices[i] as number, input.values[i] as number]);
}

test('sequence input - numbers hash as the text String() writes, integers without building it', () => {
  for (const n of [
    0,
    -0,
    7,
    42,
    -42,
    1234567890,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    0.5,
    -1.25,
    1e21,
    2 ** 60,
    1e-7,
  ]) {
    assert.equal(foldItem(FNV_OFFSET, n) >>> 0, fnv(String(n)), String(n));
  }
  assert.equal(foldItem(FNV_OFFSET, 'café') >>> 0, fnv('café'));
});

test('sequence input - slots are byte-exact fixtures another language can reproduce', () => {
  // 1 + fnv1a32(text) % 4096, the text as the file header documents it.
  const x = { recent: [42, 'i07', 'i03'], device: 'ios', x1: 0.5 };
  const got = entries({ sequenceFeature: 'recent', positions: 1, bagSize: 3, extraFeatures: ['device', 'x1'] }, x);
  const third = 1 / 3;
  assert.deepEqual(got, [
    [0, 1],
    [3038, 1], // recent␟p1␟i03
    [68, 1], // recent␟pair␟i07␟i03
    [871, third], // recent␟bag␟42
    [slot('recent\u001fbag\u001fi07', 4096), third],
    [slot('recent\u001fbag\u001fi03', 4096), third],
    [1818, 1], // device␟=␟ios
    [2381, 0.5], // x1␟#
  ]);
});

test('sequence input - writes bias, positions newest first, the pair, the bag and the extras', () => {
  const b = 1000;
  const got = entries(
    { sequenceFeature: 's', positions: 2, bagSize: 2, extraFeatures: ['country', 'price'], buckets: b },
    { s: ['a', 'b', 'c'], country: 'fr', price: 2.5 },
  );
  assert.deepEqual(got, [
    [0, 1],
    [slot('s\u001fp1\u001fc', b), 1],
    [slot('s\u001fp2\u001fb', b), 1],
    [slot('s\u001fpair\u001fb\u001fc', b), 1],
    [slot('s\u001fbag\u001fb', b), 0.5],
    [slot('s\u001fbag\u001fc', b), 0.5],
    [slot('country\u001f=\u001ffr', b), 1],
    [slot('price\u001f#', b), 2.5],
  ]);
});

test('sequence input - a missing item keeps its position but gets no slot, and breaks the pair', () => {
  const b = 1000;
  const got = entries({ sequenceFeature: 's', positions: 3, buckets: b }, { s: ['a', null, 'c'] });
  assert.deepEqual(got, [
    [0, 1],
    [slot('s\u001fp1\u001fc', b), 1],
    [slot('s\u001fp3\u001fa', b), 1],
    [slot('s\u001fbag\u001fa', b), 0.5],
    [slot('s\u001fbag\u001fc', b), 0.5],
  ]);
});

test('sequence input - a scalar reads as a one-item sequence; absent features give the bias alone', () => {
  const b = 64;
  assert.deepEqual(entries({ sequenceFeature: 's', buckets: b }, { s: 'z' }), [
    [0, 1],
    [slot('s\u001fp1\u001fz', b), 1],
    [slot('s\u001fbag\u001fz', b), 1],
  ]);
  assert.deepEqual(entries({ sequenceFeature: 's', extraFeatures: ['e'], buckets: b }, { other: 1, e: null }), [
    [0, 1],
  ]);
  assert.deepEqual(
    entries({ sequenceFeature: 's', extraFeatures: ['e'], buckets: b }, { s: [], e: [1, 2] }),
    [[0, 1]],
    'an array extra is ignored',
  );
});

test('sequence input - numeric items hash like their text; signed-log numbers read as sign·log(1 + |v|)', () => {
  assert.deepEqual(
    entries({ sequenceFeature: 's' }, { s: [12, 7] }),
    entries({ sequenceFeature: 's' }, { s: ['12', '7'] }),
  );
  const got = entries({ extraFeatures: ['n'], numbers: 'signed-log', buckets: 8 }, { n: -Math.E + 1 });
  assert.deepEqual(got, [
    [0, 1],
    [slot('n\u001f#', 8), -1],
  ]);
});

test('sequence input - reuses its buffers: a shorter input after a longer one has only its own entries', () => {
  const encoder = new SequenceEncoder(compileSequenceInput({ sequenceFeature: 's', bagSize: 4 }));
  const input = encoder.createInput();
  assert.equal(encoder.maxEntries, 1 + 3 + 1 + 4);
  assert.equal(encoder.encode({ s: ['a', 'b', 'c', 'd'] }, input), 9);
  assert.equal(encoder.encode({ s: ['a'] }, input), 3);
  assert.equal(input.length, 3);
});

test('sequence input - refuses bad options with every problem listed', () => {
  assert.throws(
    () =>
      compileSequenceInput({
        sequenceFeature: '',
        positions: -1,
        buckets: 0,
        pairs: 'yes',
        extraFeatures: ['a', 'a'],
        bag: 3,
      }),
    {
      name: 'MulticlassOptionsError',
      message: [
        'invalid sequence input options:',
        '  - unknown option "bag": a sequence input knows sequenceFeature, positions, pairs, bagSize, extraFeatures, numbers, buckets',
        '  - sequenceFeature must be the name of a last_n feature (or null), got ""',
        '  - positions must be an integer from 0 to 16, got -1',
        '  - buckets must be an integer from 1 to 4194304, got 0',
        '  - pairs must be true or false, got "yes"',
        '  - extraFeatures must list at most 256 distinct non-empty feature names, got ["a","a"]',
        '  - the model reads nothing: give a sequenceFeature, extraFeatures, or both',
      ].join('\n'),
    },
  );
  assert.throws(() => compileSequenceInput({ sequenceFeature: 's', positions: 0, pairs: false, bagSize: 0 }), {
    message: /nothing reads "s": set positions, pairs or bagSize/,
  });
  assert.throws(() => compileSequenceInput({ sequenceFeature: 's', extraFeatures: ['s'] }), {
    message: /"s" is the sequenceFeature: do not list it in extraFeatures too/,
  });
});
