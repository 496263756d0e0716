import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchableTaskOf } from './searchable.js';
import type { Blueprint } from '../schemas/generated.js';

const bp = (task: string, policy: string) =>
  ({ task, decision: { policy } }) as unknown as Pick<Blueprint, 'task' | 'decision'>;

test('searchableTaskOf - binary classification and estimation are searched; multi-class, ranking, sequence and planning say why not', () => {
  assert.deepEqual(searchableTaskOf(bp('classification', 'threshold')), { ok: true, task: 'classification' });
  assert.deepEqual(searchableTaskOf(bp('estimation', 'argmax')), { ok: true, task: 'estimation' });
  assert.deepEqual(searchableTaskOf(bp('classification', 'argmax')), {
    ok: false,
    reason:
      'it is a multi-class classification (decision.policy argmax), whose models learn online only: AutoML and scheduled retraining fit binary classification and estimation models so far',
  });
  for (const [task, policy] of [
    ['ranking', 'top_k'],
    ['sequence', 'top_k'],
    ['planning', 'thompson'],
  ]) {
    const result = searchableTaskOf(bp(task!, policy!));
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, new RegExp(`^it is a ${task} task, whose models learn online only`));
  }
});
