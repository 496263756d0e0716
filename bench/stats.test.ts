import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, summarize } from './stats.js';

describe('bench stats', () => {
  it('bench stats - nearest-rank percentiles of a known sample', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile(values, 0), 1);
  });

  it('bench stats - summarize sorts its samples first', () => {
    assert.deepEqual(summarize([5, 1, 4, 2, 3]), { count: 5, p50: 3, p99: 5, max: 5 });
  });
});
