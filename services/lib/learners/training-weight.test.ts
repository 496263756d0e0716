import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../blueprint/compile.js';
import { blueprintWith, minimalBlueprintOf } from '../blueprint/test-blueprints.js';
import type { Blueprint } from '../schemas/generated.js';
import { judgingWeight, learningWeight, selectedByAction } from './training-weight.js';

function compiled(raw: Record<string, unknown>): Blueprint {
  const result = compileBlueprint(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.blueprint;
}

describe('training weight', () => {
  const threshold = compiled(blueprintWith((bp) => (bp['training'] = { propensity_clip: 0.05 })));

  it('training weight - a threshold example weighs 1/propensity, capped at 1/propensity_clip', () => {
    assert.equal(selectedByAction(threshold), true);
    assert.equal(judgingWeight(threshold, { propensity: 0.975, weight: 1 }), 1 / 0.975);
    assert.equal(judgingWeight(threshold, { propensity: 0.1, weight: 1 }), 10);
    assert.equal(judgingWeight(threshold, { propensity: 0.025, weight: 1 }), 20, 'capped at 1/0.05');
    assert.equal(judgingWeight(threshold, { propensity: 0.1, weight: 0.5 }), 5, "times the example's own weight");
  });

  it('training weight - a missing or invalid propensity, or a bad own weight, weighs 1', () => {
    assert.equal(judgingWeight(threshold, { propensity: 0, weight: 1 }), 1);
    assert.equal(judgingWeight(threshold, { propensity: Number.NaN, weight: 1 }), 1);
    assert.equal(judgingWeight(threshold, { propensity: 1, weight: Number.NaN }), 1);
  });

  it('training weight - a threshold example is learned with the square root of its selection weight, times its own weight in full', () => {
    assert.equal(learningWeight(threshold, { propensity: 0.25, weight: 1 }), 2);
    assert.equal(
      learningWeight(threshold, { propensity: 0.01, weight: 1 }),
      Math.sqrt(20),
      'the square root of the capped 1/0.05',
    );
    assert.equal(learningWeight(threshold, { propensity: 0.25, weight: 0.5 }), 1, "times the example's own weight");
    assert.equal(
      learningWeight(threshold, { propensity: Number.NaN, weight: 3 }),
      3,
      'a missing propensity: its own weight',
    );
  });

  it('training weight - ranking and multi-class examples weigh their own weight: the action did not select them', () => {
    for (const task of ['ranking', 'classification']) {
      const bp = compiled(minimalBlueprintOf(task));
      assert.equal(selectedByAction(bp), false, task);
      assert.equal(judgingWeight(bp, { propensity: 0.001, weight: 1 }), 1, task);
      assert.equal(learningWeight(bp, { propensity: 0.001, weight: 1 }), 1, task);
    }
  });
});
