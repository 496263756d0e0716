// The compiler's rules for apprentice: only a model that chooses one action of its own can be
// measured against the caller's currentAction.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from './compile.js';
import { blueprintWith, minimalBlueprintOf, problemsOf, type RawBlueprint } from './test-blueprints.js';

const apprentice = { take_over_at: '90%', min_decisions: 500 };
const withApprentice = (bp: RawBlueprint): RawBlueprint => ({ ...bp, apprentice });
const FITS =
  'apprentice mode is for classification with policy threshold and for planning, whose models choose an action of their own';
const problemOf = (bp: RawBlueprint) =>
  problemsOf(withApprentice(bp)).map((p) => ({ path: p.path, message: p.message, fix: p.fix }));

describe('blueprint rules: apprentice', () => {
  it('blueprint rules - apprentice compiles for binary classification (policy threshold) and planning, with its defaults', () => {
    const planning = blueprintWith((bp) => {
      bp['task'] = 'planning';
      bp['decision'] = { policy: 'linucb', actions: ['push', 'sms'], default: 'push' };
    });
    for (const bp of [blueprintWith(() => undefined), planning]) {
      const result = compileBlueprint(withApprentice(bp));
      assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
      assert.deepEqual(result.blueprint.apprentice, { takeOverAt: 0.9, minDecisions: 500 });
    }
    const defaults = compileBlueprint({ ...planning, apprentice: {} });
    assert.ok(defaults.ok);
    assert.deepEqual(defaults.blueprint.apprentice, { takeOverAt: 0.9, minDecisions: 1000 });
  });

  it('blueprint rules - ranking refuses apprentice: its answer is an order, not one action', () => {
    assert.deepEqual(problemOf(minimalBlueprintOf('ranking')), [
      {
        path: 'apprentice',
        message: 'is given for task ranking',
        fix: `remove it: a ranking answers with an order of candidates, not one action a caller could send as currentAction; ${FITS}`,
      },
    ]);
  });

  it('blueprint rules - sequence and multi-class classification refuse apprentice: what they predict does not depend on the answer', () => {
    assert.deepEqual(problemOf(minimalBlueprintOf('sequence')), [
      {
        path: 'apprentice',
        message: 'is given for task sequence',
        fix: `remove it: the next item is predicted, not chosen, so the model learns it whoever answers, and answers from its first version; ${FITS}`,
      },
    ]);
    const topK = blueprintWith(
      (bp) => (bp['decision'] = { policy: 'top_k', k: 2, actions: ['a', 'b', 'c'], default: 'a' }),
    );
    for (const [bp, policy] of [
      [minimalBlueprintOf('classification'), 'argmax'],
      [topK, 'top_k'],
    ] as const) {
      assert.deepEqual(problemOf(bp), [
        {
          path: 'apprentice',
          message: `is given for multi-class classification (policy ${policy})`,
          fix: `remove it: the class is predicted, not chosen, so the model learns it whoever answers, and answers from its first version; ${FITS}`,
        },
      ]);
    }
  });

  it('blueprint rules - estimation refuses apprentice: the model chooses no action, so any caller sending the default would agree', () => {
    const estimation = blueprintWith((bp) => {
      bp['task'] = 'estimation';
      bp['decision'] = { policy: 'argmax', actions: ['send', 'skip'], default: 'skip' };
    });
    assert.deepEqual(problemOf(estimation), [
      {
        path: 'apprentice',
        message: 'is given for task estimation',
        fix: `remove it: an estimation model predicts a number and chooses no action (the reply's action is the default), so it would agree with every caller that sends the default; ${FITS}`,
      },
    ]);
  });

  it('blueprint rules - a refused apprentice section is reported once, its keys unread', () => {
    const bp = { ...minimalBlueprintOf('ranking'), apprentice: { take_over: 2 } };
    assert.deepEqual(
      problemsOf(bp).map((p) => p.path),
      ['apprentice'],
    );
  });
});
