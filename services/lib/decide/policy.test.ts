import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { choose, exploreIntended, policyAction } from './policy.js';
import type { BlueprintDecision } from '../schemas/generated.js';

const decision: BlueprintDecision = {
  policy: 'threshold',
  threshold: 0.3,
  k: null,
  epsilon: null,
  temperature: null,
  alpha: null,
  actions: ['send', 'skip'],
  default: 'skip',
  deadlineMs: 20,
  explore: 0.1,
  exploreOnShift: null,
};

const sequence =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

function assertChoice(actual: ReturnType<typeof choose>, expected: ReturnType<typeof choose>): void {
  assert.equal(actual.action, expected.action);
  assert.equal(actual.explored, expected.explored);
  assert.ok(
    Math.abs(actual.propensity - expected.propensity) < 1e-12,
    `propensity ${actual.propensity} != ${expected.propensity}`,
  );
}

describe('decide policy', () => {
  it('policy - threshold takes the first action from the threshold on, the second below it', () => {
    assert.equal(policyAction(decision, 0.3), 'send');
    assert.equal(policyAction(decision, 0.29), 'skip');
  });

  it('policy - no score gives the default action', () => {
    assert.equal(policyAction(decision, null), 'skip');
  });

  it('policy - without exploration the propensity of the chosen action is 0.9 + 0.05', () => {
    assertChoice(choose(decision, 0.8, sequence(0.5)), { action: 'send', propensity: 0.95, explored: false });
  });

  it('policy - an explored action that differs from the policy has propensity explore / actions', () => {
    assertChoice(choose(decision, 0.8, sequence(0.05, 0.9)), { action: 'skip', propensity: 0.05, explored: true });
  });

  it('policy - exploring into the intended action keeps its full propensity', () => {
    assertChoice(choose(decision, 0.8, sequence(0.05, 0.1)), { action: 'send', propensity: 0.95, explored: true });
  });

  it('policy - exploration off means propensity 1', () => {
    assertChoice(choose({ ...decision, explore: 0 }, null, sequence()), {
      action: 'skip',
      propensity: 1,
      explored: false,
    });
  });

  it('policy - exploreIntended keeps the action it is given at 1 − explore + explore / actions, and explores into another at explore / actions', () => {
    assertChoice(exploreIntended(decision, 'skip', sequence(0.5)), {
      action: 'skip',
      propensity: 0.95,
      explored: false,
    });
    assertChoice(exploreIntended(decision, 'skip', sequence(0.05, 0.2)), {
      action: 'send',
      propensity: 0.05,
      explored: true,
    });
    assertChoice(exploreIntended(decision, 'send', sequence(0.05, 0.2)), {
      action: 'send',
      propensity: 0.95,
      explored: true,
    });
  });

  it('policy - exploreIntended applies the share it is given; none, or a single action, means propensity 1', () => {
    assertChoice(exploreIntended(decision, 'send', sequence(0.3, 0.9), 0.4), {
      action: 'skip',
      propensity: 0.2,
      explored: true,
    });
    assert.deepEqual(exploreIntended(decision, 'send', sequence(), 0), {
      action: 'send',
      propensity: 1,
      explored: false,
    });
    assert.deepEqual(exploreIntended({ ...decision, actions: ['send'] }, 'send', sequence()), {
      action: 'send',
      propensity: 1,
      explored: false,
    });
  });

  it("policy - choose is exploreIntended on policyAction's action, for every score, share and draw", () => {
    for (const score of [null, 0, 0.29, 0.3, 0.8])
      for (const explore of [0, 0.05, 0.1, 1])
        for (const draws of [[0.01, 0.99], [0.05, 0.4], [0.5], [0.99]])
          assert.deepEqual(
            choose(decision, score, sequence(...draws), explore),
            exploreIntended(decision, policyAction(decision, score), sequence(...draws), explore),
            `score ${score}, explore ${explore}, draws ${draws.join(' ')}`,
          );
  });
});
