import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SHOWN, showValue } from './show-value.js';

/** A list nested `depth` deep, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('showValue', () => {
  it('showValue - shows scalars, small lists and objects as JSON, and non-finite numbers by name', () => {
    assert.equal(showValue(1), '1');
    assert.equal(showValue('nine'), '"nine"');
    assert.equal(showValue(true), 'true');
    assert.equal(showValue(null), 'null');
    assert.equal(showValue(Infinity), 'Infinity');
    assert.equal(showValue(Number.NaN), 'NaN');
    assert.equal(showValue([1]), '[1]');
    assert.equal(showValue({ a: 1, b: 'x' }), '{"a":1,"b":"x"}');
    assert.equal(showValue(undefined), 'undefined');
  });

  it('showValue - a 10,000-deep value is shown three levels deep, without recursing into the rest', () => {
    assert.equal(showValue(nested(10_000)), '[[[[…]]]]');
    assert.equal(showValue(JSON.parse(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`)), '{"a":{"a":{"a":{…}}}}');
  });

  it('showValue - a long string, list or object is cut at MAX_SHOWN characters with an ellipsis', () => {
    assert.equal(showValue('x'.repeat(100_000)), `"${'x'.repeat(MAX_SHOWN - 1)}…`);
    const long = showValue(Array.from({ length: 100_000 }, (_, i) => i));
    assert.equal(long.length, MAX_SHOWN + 1);
    assert.ok(long.startsWith('[0,1,2,') && long.endsWith('…'));
    assert.equal(showValue({ ['k'.repeat(10_000)]: 1 }), `{"${'k'.repeat(MAX_SHOWN - 2)}…`);
  });
});
