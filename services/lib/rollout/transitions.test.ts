import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialDeployment, stageOf, toCanary, toLive, toRetired, toShadow } from './transitions.js';

test('transitions - a candidate goes shadow → canary → live, each record whole, numbered and explained', () => {
  let d = initialDeployment('bp');
  d = toLive(d, 'bp/1', 'first model', 10);
  d = toShadow(d, 'bp/automl-2', 'new candidate', 20);
  assert.deepEqual(d.shadow, ['bp/automl-2']);
  assert.equal(stageOf(d, 'bp/automl-2'), 'shadow');
  d = toCanary(d, 'bp/automl-2', 0.1, 'better than live', 30);
  assert.deepEqual([d.shadow, d.canary], [[], { modelVersion: 'bp/automl-2', share: 0.1 }]);
  d = toLive(d, 'bp/automl-2', 'holds up', 40);
  assert.deepEqual(
    {
      revision: d.revision,
      live: d.live,
      previous: d.previous,
      canary: d.canary,
      retired: d.retired,
      updatedAt: d.updatedAt,
    },
    { revision: 4, live: 'bp/automl-2', previous: 'bp/1', canary: null, retired: [], updatedAt: 40 },
  );
  assert.deepEqual(d.transition, {
    modelVersion: 'bp/automl-2',
    from: 'canary',
    to: 'live',
    reason: 'holds up',
    at: 40,
  });
});

test('transitions - a rollback returns to the previous live version and retires the one rolled back', () => {
  let d = toLive(toLive(initialDeployment('bp'), 'bp/a', 'first', 1), 'bp/b', 'better', 2);
  d = toRetired(d, 'bp/b', 'metric dropped', 3);
  assert.deepEqual(
    { live: d.live, previous: d.previous, retired: d.retired },
    { live: 'bp/a', previous: null, retired: ['bp/b'] },
  );
  assert.deepEqual(d.transition, {
    modelVersion: 'bp/b',
    from: 'live',
    to: 'retired',
    reason: 'metric dropped',
    at: 3,
  });
  // With nothing before it, a rollback leaves live empty: the newest trained version serves.
  const only = toRetired(toLive(initialDeployment('bp'), 'bp/a', 'first', 1), 'bp/a', 'dropped', 2);
  assert.equal(only.live, null);
});

test('transitions - two promotions back is retired, so it is never shadowed again; a rejected shadow is retired too', () => {
  let d = toLive(toLive(toLive(initialDeployment('bp'), 'bp/a', '', 1), 'bp/b', '', 2), 'bp/c', '', 3);
  assert.deepEqual(
    { live: d.live, previous: d.previous, retired: d.retired },
    { live: 'bp/c', previous: 'bp/b', retired: ['bp/a'] },
  );
  d = toRetired(toShadow(d, 'bp/x', '', 4), 'bp/x', 'no better', 5);
  assert.deepEqual(
    { shadow: d.shadow, retired: d.retired, from: d.transition?.from },
    { shadow: [], retired: ['bp/a', 'bp/x'], from: 'shadow' },
  );
});
