import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auc, summarize, type ScoredDecision } from './scoreboard.js';

describe('demo scoreboard', () => {
  it('scoreboard - AUC counts ties as half and needs both classes', () => {
    assert.equal(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
    assert.equal(auc([0.5, 0.5], [0, 1]), 0.5);
    assert.equal(auc([0.2, 0.3], [1, 1]), null);
  });

  it('scoreboard - the lift share compares expected net clicks of the served policy with the oracle', () => {
    const d = (sent: boolean, oracleSends: boolean, truth: number, at: number): ScoredDecision => ({
      at,
      fallback: false,
      score: truth,
      sent,
      truth,
      oracleSends,
      outcome: 0,
      explored: false,
    });
    const board = summarize(
      [d(true, true, 0.5, 0), d(false, true, 0.4, 500), d(true, false, 0.2, 1000), d(false, false, 0.05, 2000)],
      2000,
      0.3,
    );
    assert.equal(board.decisions, 4);
    assert.equal(board.perSecond, 2);
    // policy: (0.5 − 0.3) + (0.2 − 0.3) = 0.1; oracle: (0.5 − 0.3) + (0.4 − 0.3) = 0.3
    assert.ok(Math.abs(board.policyRate - 0.1 / 4) < 1e-12);
    assert.ok(Math.abs(board.oracleRate - 0.3 / 4) < 1e-12);
    assert.ok(Math.abs(board.liftShare! - 1 / 3) < 1e-12);
  });

  it('scoreboard - sending to everybody is worse than the oracle once a send has its cost', () => {
    const truths = [0.9, 0.5, 0.2, 0.1, 0.05];
    const all = truths.map((truth, i): ScoredDecision => ({
      at: i,
      fallback: false,
      score: truth,
      sent: true,
      truth,
      oracleSends: truth >= 0.3,
      outcome: 0,
      explored: false,
    }));
    assert.ok(summarize(all, 5, 0.3).liftShare! < 1);
  });

  it("scoreboard - the model's own choices are measured apart from the explored decisions", () => {
    const d = (sent: boolean, oracleSends: boolean, truth: number, explored: boolean): ScoredDecision => ({
      at: 0,
      fallback: false,
      score: truth,
      sent,
      truth,
      oracleSends,
      outcome: 0,
      explored,
    });
    // Own choices: the oracle's sends exactly (lift 1). Explored: a send the oracle would not make
    // (0.1 − 0.3) and a skip it would have sent (0.6 − 0.3 lost).
    const board = summarize(
      [d(true, true, 0.5, false), d(false, false, 0.1, false), d(true, false, 0.1, true), d(false, true, 0.6, true)],
      1000,
      0.3,
    );
    assert.ok(Math.abs(board.ownLiftShare! - 1) < 1e-12);
    // All: policy 0.2 − 0.2 = 0, oracle 0.2 + 0.3 = 0.5.
    assert.ok(Math.abs(board.liftShare! - 0) < 1e-12);
    assert.equal(board.exploredShare, 0.5);
  });
});
