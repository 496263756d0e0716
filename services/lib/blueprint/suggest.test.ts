import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from './suggest.js';

describe('suggest', () => {
  it('suggest - edit distance counts inserts, deletes and substitutions', () => {
    assert.equal(editDistance('clasification', 'classification'), 1);
    assert.equal(editDistance('windw', 'window'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });

  it('suggest - names the nearest candidate for a near miss', () => {
    assert.equal(closest('clasification', ['classification', 'estimation', 'ranking']), 'classification');
    assert.equal(closest('deadlne', ['policy', 'default', 'deadline']), 'deadline');
    assert.equal(closest('tresholt', ['threshold', 'top_k', 'argmax']), 'threshold');
  });

  it('suggest - ignores case and separators, so camelCase finds snake_case', () => {
    assert.equal(closest('publishEvery', ['online', 'publish_every', 'retrain']), 'publish_every');
    assert.equal(closest('AUC', ['auc', 'logloss']), 'auc');
    assert.equal(closest('half-life', ['window', 'half_life']), 'half_life');
  });

  it('suggest - says nothing when no candidate is close', () => {
    assert.equal(closest('banana', ['classification', 'estimation', 'ranking']), undefined);
    assert.equal(closest('xyz', ['count', 'sum']), undefined);
  });
});
