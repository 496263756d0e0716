import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeDecision } from './decide-report.js';

const ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

describe('decide report', () => {
  it("decide report - a model's decision: the action, the id, the model and its score", () => {
    assert.deepEqual(
      describeDecision({
        decisionId: ID,
        blueprint: 'notification_send',
        version: 3,
        model: 'notification_send-0007',
        family: 'gbdt',
        score: 0.412345,
        action: 'send',
        propensity: 0.95,
        fallback: false,
      }),
      [
        'action       send',
        `decision id  ${ID}`,
        'blueprint    notification_send v3',
        'model        notification_send-0007 (gbdt)',
        'score        0.4123',
        'fallback     no',
        'propensity   0.95',
        '',
        `report what happened: npx looper outcome ${ID} <value>`,
      ],
    );
  });

  it('decide report - a fallback says its reason and what it means; exploration and rankings are shown', () => {
    assert.deepEqual(
      describeDecision({
        decisionId: ID,
        blueprint: 'shop_ranking',
        version: 1,
        model: null,
        family: null,
        score: null,
        action: 'item-2',
        ranking: ['item-2', 'item-1'],
        propensity: 0.5,
        fallback: true,
        fallbackReason: 'no_model',
        explored: true,
      }),
      [
        'action       item-2',
        `decision id  ${ID}`,
        'blueprint    shop_ranking v1',
        'model        none',
        'score        —',
        'ranking      item-2, item-1',
        'fallback     yes: no_model (no model serves yet)',
        'propensity   0.5',
        'explored     yes: a random action, so that every action keeps being tried',
        '',
        `report what happened: npx looper outcome ${ID} <value>`,
      ],
    );
    const unexplored = describeDecision({
      decisionId: ID,
      blueprint: 'notification_send',
      version: 3,
      model: null,
      family: null,
      score: null,
      action: 'skip',
      propensity: 0.95,
      fallback: true,
      fallbackReason: 'deadline',
    });
    assert.equal(unexplored[5], 'fallback     yes: deadline (the deadline passed), the default action');
  });
});
