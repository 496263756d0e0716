import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auc, summarize, type ScoredDecision } from './scoreboard.js';

describe('demo scoreboard', () => {
  it('scoreboard - AUC counts ties as half and needs both classes', () => {
    assert.equal(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
    assert.equal(auc([0.5, 0.5], [0, 1]), 0.5);
    assert.equal(auc([0.2, 0.3], [1, 1]), null);
  });

  it('scoreboard - the lift share compares expected clicks of the served policy with the oracle', () => {
    const d = (sent: boolean, oracleSends: boolean, truth: number, at: number): ScoredDecision => ({ at, fallback: false, score: truth, sent, truth, oracleSends, outcome: 0 });
    const board = summarize([d(true, true, 0.6, 0), d(false, true, 0.4, 500), d(true, false, 0.1, 1000), d(false, false, 0.05, 2000)], 2000);
    assert.equal(board.decisions, 4);
    assert.equal(board.perSecond, 2);
    assert.equal(board.policyRate, (0.6 + 0.1) / 4);
    assert.equal(board.oracleRate, (0.6 + 0.4) / 4);
    assert.equal(board.liftShare, 0.7);
  });
});
