import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureValues } from '../feature-values.js';
import { featureSchema } from './feature-schema.js';
import { fnv1a32 } from './hash.js';
import { EncodingPlan, Preprocessor } from './preprocess.js';

const schema = featureSchema([
  { name: 'hour', kind: 'numeric' },
  { name: 'platform', kind: 'category', values: ['ios', 'android'] },
  { name: 'country', kind: 'category', values: [] },
  { name: 'last', kind: 'mixed' },
]);
const B = 4;

function vector(p: Preprocessor, x: FeatureValues): number[] {
  const out = new Float32Array(p.width).fill(9); // stale contents must be overwritten
  p.vectorize(x, out);
  return Array.from(out);
}

test('preprocess - the layout: numeric 2, one-hot values + unknown, hashed B, mixed 2 + B', () => {
  const plan = new EncodingPlan(schema, B);
  assert.equal(plan.width, 2 + 3 + 4 + 6);
  assert.deepEqual(plan.columnNames(), [
    'hour',
    'hour:missing',
    'platform=ios',
    'platform=android',
    'platform=?',
    'country#0',
    'country#1',
    'country#2',
    'country#3',
    'last',
    'last:missing',
    'last#0',
    'last#1',
    'last#2',
    'last#3',
  ]);
});

test('preprocess - numbers are standardised by the frozen snapshot of the running moments', () => {
  const p = new Preprocessor(schema, B);
  assert.equal(vector(p, { hour: 8 })[0], 8, 'nothing observed: centred at 0, scale 1');
  for (const hour of [2, 4, 6, 8]) p.observe({ hour }); // mean 5, population variance 5
  assert.equal(vector(p, { hour: 8 })[0], 8, 'observing alone does not change the snapshot');
  p.freeze();
  assert.equal(vector(p, { hour: 8 })[0], Math.fround(3 / Math.sqrt(5)));
  assert.equal(vector(p, { hour: 5 })[0], 0);
});

test('preprocess - missing, null, NaN, Infinity and non-numbers set the missing indicator and value 0', () => {
  const p = new Preprocessor(schema, B);
  for (const x of [
    {},
    { hour: null },
    { hour: NaN },
    { hour: Infinity },
    { hour: 'seven' },
    { hour: [1, 2] },
  ] as FeatureValues[]) {
    assert.deepEqual(vector(p, x).slice(0, 2), [0, 1], JSON.stringify(x));
  }
  assert.deepEqual(vector(p, { hour: 0 }).slice(0, 2), [0, 0]);
});

test('preprocess - missing values do not move the running moments', () => {
  const p = new Preprocessor(schema, B);
  for (const x of [{ hour: 1 }, { hour: null }, {}, { hour: 3 }] as FeatureValues[]) p.observe(x);
  assert.deepEqual(Array.from(p.snapshot().count), [2, 0]);
  assert.deepEqual(Array.from(p.snapshot().mean), [2, 0]);
});

test('preprocess - declared categories are one-hot, others land in the unknown slot, null in none', () => {
  const p = new Preprocessor(schema, B);
  assert.deepEqual(vector(p, { platform: 'ios' }).slice(2, 5), [1, 0, 0]);
  assert.deepEqual(vector(p, { platform: 'android' }).slice(2, 5), [0, 1, 0]);
  assert.deepEqual(vector(p, { platform: 'tv' }).slice(2, 5), [0, 0, 1]);
  assert.deepEqual(vector(p, { platform: null }).slice(2, 5), [0, 0, 0]);
});

test('preprocess - strings without declared values are hashed into B buckets by FNV-1a', () => {
  const p = new Preprocessor(schema, B);
  const expected = [0, 0, 0, 0];
  expected[fnv1a32('fr') % B] = 1;
  assert.deepEqual(vector(p, { country: 'fr' }).slice(5, 9), expected);
  assert.deepEqual(vector(p, { country: null }).slice(5, 9), [0, 0, 0, 0]);
});

test('preprocess - a mixed feature reads a number as numeric and a string as hashed', () => {
  const p = new Preprocessor(schema, B);
  p.observe({ last: 10 });
  p.observe({ last: 'x' });
  p.observe({ last: 20 });
  p.freeze(); // mean 15, std 5 over the numbers only
  assert.deepEqual(vector(p, { last: 25 }).slice(9), [2, 0, 0, 0, 0, 0]);
  const bucket = [0, 0, 0, 0];
  bucket[fnv1a32('x') % B] = 1;
  assert.deepEqual(vector(p, { last: 'x' }).slice(9), [0, 1, ...bucket]);
  assert.deepEqual(vector(p, { last: null }).slice(9), [0, 1, 0, 0, 0, 0]);
});

test('preprocess - key order does not matter and extra features are ignored', () => {
  const p = new Preprocessor(schema, B);
  const a = vector(p, { hour: 3, platform: 'ios', country: 'de', last: 'q' });
  const b = vector(p, { extra: 'whatever', last: 'q', country: 'de', platform: 'ios', hour: 3, another: [1, 2] });
  assert.deepEqual(a, b);
});

test('preprocess - writes at an offset and leaves the rest of the buffer alone', () => {
  const p = new Preprocessor(schema, B);
  const out = new Float32Array(p.width * 2).fill(7);
  p.vectorize({ hour: 1 }, out, p.width);
  assert.deepEqual(Array.from(out.subarray(0, p.width)), new Array(p.width).fill(7));
  assert.equal(out[p.width], 1);
});

test('preprocess - restored moments give the same vectors', () => {
  const p = new Preprocessor(schema, B);
  for (const hour of [1, 5, 9]) p.observe({ hour, last: hour * 2 });
  p.freeze();
  const q = new Preprocessor(schema, B, p.snapshot());
  assert.deepEqual(vector(q, { hour: 4, last: 3 }), vector(p, { hour: 4, last: 3 }));
});

test('preprocess - a log-scaled numeric reads sign(x)·log(1 + |x|) before standardising', () => {
  const p = new Preprocessor(featureSchema([{ name: 'opens', kind: 'numeric', log: true }]));
  p.observe({ opens: Math.E - 1 });
  p.observe({ opens: -(Math.E - 1) });
  p.freeze();
  const at = (v: number) => {
    const out = new Float32Array(p.width);
    p.vectorize({ opens: v }, out);
    return out[0]!;
  };
  assert.ok(Math.abs(at(Math.E - 1) + at(-(Math.E - 1))) < 1e-6, 'symmetric around the log-scale mean 0');
  assert.ok(Math.abs(at(Math.E ** 3 - 1) / at(Math.E - 1) - 3) < 1e-5, 'e³ − 1 sits three times as far as e − 1');
});
