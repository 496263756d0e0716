import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTally, figures, tallyAdd } from './measures.js';

describe('jitter bench measures', () => {
  it('measures - shares are of the truth (and the truth minus the threshold) where each policy sends', () => {
    const t = emptyTally();
    tallyAdd(t, 0.5, 0.5); // both send
    tallyAdd(t, 0.375, 0.125); // the model sends at a loss
    tallyAdd(t, 0.125, 0.75); // the oracle sends, the model misses
    tallyAdd(t, 0.25, 0.25); // neither
    const f = figures(t);
    assert.equal(f.n, 4);
    assert.equal(f.sendRate, 0.5);
    assert.equal(f.oracleSendRate, 0.5);
    assert.equal(f.gap, 0);
    assert.equal(f.share, (0.5 + 0.125) / (0.5 + 0.75));
    assert.equal(f.netShare, (0.5 - 0.3 + (0.125 - 0.3)) / (0.5 - 0.3 + (0.75 - 0.3)));
    assert.equal(f.bias, (1.25 - 1.625) / 4);
  });
});
