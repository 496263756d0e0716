// The compiler's rules tying a task to its sections: ranking, sequence, multi-class classification and estimation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from './compile.js';
import { blueprintWith, messagesOf, minimalBlueprintOf, problemsOf, type RawBlueprint } from './test-blueprints.js';

const change = (bp: RawBlueprint, edit: (bp: RawBlueprint) => void) => {
  edit(bp);
  return bp;
};

describe('blueprint rules: tasks', () => {
  it('blueprint rules - ranking compiles with candidate features and top_k, no actions, default the request order', () => {
    const result = compileBlueprint(minimalBlueprintOf('ranking'));
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    assert.deepEqual(result.blueprint.features.candidates, [
      { name: 'price', type: 'float', values: [], period: null },
    ]);
    assert.deepEqual(
      [
        result.blueprint.decision.policy,
        result.blueprint.decision.k,
        result.blueprint.decision.actions,
        result.blueprint.decision.default,
      ],
      ['top_k', 3, [], ''],
    );
  });

  it('blueprint rules - ranking needs candidates and top_k, and takes neither actions nor default', () => {
    const bp = change(minimalBlueprintOf('ranking'), (b) => {
      b['features'] = {};
      b['decision'] = { policy: 'argmax', actions: ['a', 'b'], default: 'a' };
    });
    assert.deepEqual(messagesOf(bp), [
      'decision.actions: is only used by classification, estimation and planning',
      'decision.default: is only used by classification, estimation, planning and sequence',
      'features.candidates: is missing',
      'decision.policy: argmax does not fit task ranking',
    ]);
    assert.deepEqual(
      messagesOf(change(minimalBlueprintOf('ranking'), (b) => (b['label'] = { window: '10m', missing: 0.5 }))),
      ['label.missing: 0.5 is not 0 or 1'],
    );
  });

  it('blueprint rules - candidate features belong to ranking, and share one namespace with the others', () => {
    assert.deepEqual(
      messagesOf(blueprintWith((b) => (b['features'] = { candidates: [{ name: 'price', type: 'float' }] }))),
      ['features.candidates: is given for task classification'],
    );
    const clash = change(
      minimalBlueprintOf('ranking'),
      (b) =>
        (b['features'] = { context: [{ name: 'price', type: 'int' }], candidates: [{ name: 'price', type: 'float' }] }),
    );
    assert.deepEqual(messagesOf(clash), [
      'features.candidates[0].name: "price" is already the name of features.context[0]',
    ]);
  });

  it('blueprint rules - sequence reads a last_n feature and labels with the next item', () => {
    const result = compileBlueprint(minimalBlueprintOf('sequence'));
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    assert.deepEqual(result.blueprint.sequence, { feature: 'recent_pages', vocabulary: 1000 });
    assert.deepEqual(messagesOf(change(minimalBlueprintOf('sequence'), (b) => delete b['sequence'])), [
      'sequence: is missing',
    ]);
    const notLastN = change(
      minimalBlueprintOf('sequence'),
      (b) => (b['sequence'] = { feature: 'nope', vocabulary: 1 }),
    );
    assert.deepEqual(messagesOf(notLastN), [
      'sequence.vocabulary: 1 is not between 2 and 100000',
      'sequence.feature: "nope" is not a stream feature',
    ]);
    const byOutcome = change(minimalBlueprintOf('sequence'), (b) => (b['label'] = { window: '10m' }));
    assert.deepEqual(messagesOf(byOutcome), ['label: does not name the next item']);
    assert.deepEqual(messagesOf(blueprintWith((b) => (b['sequence'] = { feature: 'x' }))), [
      'sequence: is given for task classification',
    ]);
  });

  it('blueprint rules - multi-class classification names classes: at least two actions, a class-valued label, missing an index', () => {
    const multi = (
      decision: Record<string, unknown>,
      label: Record<string, unknown> = { source: 'app.orders', value: { field: 'category' }, window: '1h' },
    ) =>
      blueprintWith((b) => {
        b['decision'] = decision;
        b['label'] = label;
      });
    assert.ok(
      compileBlueprint(multi({ policy: 'top_k', k: 2, actions: ['books', 'games', 'music'], default: 'books' })).ok,
    );
    assert.deepEqual(messagesOf(multi({ policy: 'argmax', actions: ['books'], default: 'books' })), [
      'decision.actions: has 1 class',
    ]);
    assert.deepEqual(
      messagesOf(
        multi(
          { policy: 'top_k', k: 4, actions: ['a', 'b', 'c'], default: 'a' },
          { window: '1h', value: 1, missing: 3 },
        ),
      ),
      [
        'label.value: is a constant, which names no class',
        'label.missing: 3 is not the index of one of the 3 actions',
        'decision.k: 4 is more than the 3 classes',
      ],
    );
  });

  const estimation = (decision: Record<string, unknown>) =>
    change(minimalBlueprintOf('estimation'), (b) => {
      b['label'] = { window: '1h', value: { field: 'amount' }, missing: 0 };
      b['decision'] = decision;
    });
  /** What the fix of every refused policy starts with: the policy to write and what it gives. */
  const argmaxInstead = (without: string) =>
    `use policy: argmax${without}: the reply's score is the estimate, learned from every example whatever its action, and its action is the default (a random one of the actions in the explored share)`;

  it('blueprint rules - estimation takes policy argmax: the reply carries the estimate, with the default action', () => {
    const result = compileBlueprint(estimation({ policy: 'argmax', actions: ['estimate'], default: 'estimate' }));
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    assert.deepEqual(
      [result.blueprint.task, result.blueprint.decision.policy, result.blueprint.decision.actions],
      ['estimation', 'argmax', ['estimate']],
    );
    const unexplored = compileBlueprint(
      estimation({ policy: 'argmax', actions: ['show', 'hide'], default: 'show', explore: '0%' }),
    );
    assert.ok(unexplored.ok, 'every example teaches the estimate: exploration may be off');
  });

  it('blueprint rules - estimation refuses policy threshold, whose score learns only from the first action, with argmax as the fix', () => {
    assert.deepEqual(
      problemsOf(estimation({ policy: 'threshold', threshold: 0.5, actions: ['send', 'skip'], default: 'skip' })),
      [
        {
          path: 'decision.policy',
          message:
            'threshold does not fit task estimation: its score learns only from the decisions that took the first action, so an estimate kept below the threshold stops learning',
          fix: `${argmaxInstead(' without threshold')}; to act on the estimate, compare the reply's score with your cut-off where you call decide`,
        },
      ],
    );
    // A threshold on the estimate's own scale is not reported as outside 0..1: fixing that would keep the policy.
    assert.deepEqual(
      messagesOf(estimation({ policy: 'threshold', threshold: 50, actions: ['send', 'skip'], default: 'skip' })),
      [
        'decision.policy: threshold does not fit task estimation: its score learns only from the decisions that took the first action, so an estimate kept below the threshold stops learning',
      ],
    );
  });

  it('blueprint rules - estimation refuses the policies that choose among scores, pointing to ranking or planning', () => {
    const refused = (decision: Record<string, unknown>) => {
      const problems = problemsOf(estimation({ actions: ['a', 'b'], default: 'a', ...decision }));
      assert.equal(problems.length, 1, JSON.stringify(problems));
      return problems[0]!;
    };
    assert.deepEqual(refused({ policy: 'top_k', k: 2 }), {
      path: 'decision.policy',
      message:
        'top_k does not fit task estimation: it returns the k best-scored candidates, and an estimation model predicts one number per request',
      fix: `${argmaxInstead(' without k')}; to order candidates, use task: ranking with policy: top_k`,
    });
    const bandits: Array<[Record<string, unknown>, string]> = [
      [{ policy: 'epsilon_greedy', epsilon: 0.1 }, ' without epsilon'],
      [{ policy: 'softmax', temperature: 0.5 }, ' without temperature'],
      [{ policy: 'thompson' }, ''],
      [{ policy: 'linucb', alpha: 2 }, ' without alpha'],
    ];
    for (const [decision, without] of bandits) {
      const policy = decision['policy'] as string;
      assert.deepEqual(refused(decision), {
        path: 'decision.policy',
        message: `${policy} does not fit task estimation: it chooses among the actions by a score of each, and an estimation model predicts one number per request`,
        fix: `${argmaxInstead(without)}; to choose the action with the best predicted reward, use task: planning with policy: ${policy}`,
      });
    }
  });
  it('blueprint rules - a classifier under a bandit policy, and planning under threshold or top_k, are refused with the task that fits', () => {
    const decided = (task: string, decision: Record<string, unknown>) =>
      problemsOf(
        blueprintWith((bp) => {
          bp['task'] = task;
          bp['decision'] = { actions: ['send', 'skip'], default: 'skip', ...decision };
        }),
      );
    for (const policy of ['epsilon_greedy', 'softmax', 'thompson', 'linucb']) {
      const decision = policy === 'epsilon_greedy' ? { policy, epsilon: 0.1 } : { policy };
      assert.deepEqual(decided('classification', decision), [
        {
          path: 'decision.policy',
          message: `${policy} does not fit task classification: it chooses among the actions by a predicted reward of each, and a classifier predicts one probability`,
          fix: `use policy: threshold with threshold (the first action when the probability reaches it), or task: planning with policy: ${policy} to learn each action's reward`,
        },
      ]);
    }
    const bandits =
      'use a bandit policy: epsilon_greedy, softmax, thompson, linucb, argmax (epsilon_greedy with epsilon)';
    assert.deepEqual(decided('planning', { policy: 'threshold', threshold: 0.5 }), [
      {
        path: 'decision.policy',
        message:
          'threshold does not fit task planning: a planning blueprint learns a reward for each action and chooses by it',
        fix: `${bandits}; to act on one probability, use task: classification with policy: threshold`,
      },
    ]);
    assert.deepEqual(decided('planning', { policy: 'top_k', k: 2 }), [
      {
        path: 'decision.policy',
        message:
          'top_k does not fit task planning: a planning blueprint learns a reward for each action and chooses by it',
        fix: `${bandits}; to order candidates, use task: ranking with policy: top_k`,
      },
    ]);
  });
});
