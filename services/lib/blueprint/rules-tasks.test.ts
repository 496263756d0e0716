// The compiler's rules tying a task to its sections: ranking, sequence and multi-class classification.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from './compile.js';
import { blueprintWith, messagesOf, minimalBlueprintOf, type RawBlueprint } from './test-blueprints.js';

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
});
