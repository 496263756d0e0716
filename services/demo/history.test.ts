import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { historyGap } from './history.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 29, 12);

describe('demo history', () => {
  it('history - new topics get the whole span, a stack last run an hour ago gets that hour, one running now gets none', () => {
    assert.deepEqual(historyGap(null, NOW, 24), { fromMs: NOW - 24 * HOUR, toMs: NOW });
    assert.deepEqual(historyGap(NOW - 3 * 24 * HOUR, NOW, 24), { fromMs: NOW - 24 * HOUR, toMs: NOW });
    assert.deepEqual(historyGap(NOW - HOUR, NOW, 24), { fromMs: NOW - HOUR + 1, toMs: NOW });
    assert.equal(historyGap(NOW - 30_000, NOW, 24), null);
  });
});
