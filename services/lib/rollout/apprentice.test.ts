import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlueprintDecision } from '../schemas/generated.js';
import { AgreementWindow, judgeTakeover } from './apprentice.js';

const bp = {
  decision: {
    policy: 'threshold',
    threshold: 0.5,
    k: null,
    epsilon: null,
    temperature: null,
    alpha: null,
    actions: ['send', 'skip'],
    default: 'skip',
    deadlineMs: 20,
    explore: 0.1,
  } as BlueprintDecision,
};

test("apprentice - agreement counts the model's policy action against the caller's, over the latest decisions only", () => {
  const w = new AgreementWindow(4);
  w.observe(bp, { apprenticeAction: 'send', score: 0.7 }); // send = send
  w.observe(bp, { apprenticeAction: 'skip', score: 0.7 }); // send ≠ skip
  w.observe(bp, { apprenticeAction: null, score: 0.7 }); // no caller action: not counted
  w.observe(bp, { apprenticeAction: 'skip', score: null }); // no model: not counted
  w.observe(bp, { apprenticeAction: 'skip', score: 0.2 }); // skip = skip
  assert.deepEqual([w.count, w.share], [3, 2 / 3]);
  w.observe(bp, { apprenticeAction: 'send', score: 0.9 });
  w.observe(bp, { apprenticeAction: 'send', score: 0.9 }); // the window of 4 drops the first
  assert.deepEqual([w.count, w.share], [4, 3 / 4]);
});

test('apprentice - the model takes over at take_over_at over min_decisions, not before', () => {
  const rule = { takeOverAt: 0.75, minDecisions: 4 };
  const w = new AgreementWindow(4);
  for (let i = 0; i < 3; i++) w.observe(bp, { apprenticeAction: 'send', score: 0.9 });
  assert.deepEqual(judgeTakeover(w, rule), {
    kind: 'wait',
    reason: 'the model agrees with the caller on 100.0 % of the last 3 decisions; 4 are needed',
  });
  w.observe(bp, { apprenticeAction: 'skip', score: 0.9 });
  assert.deepEqual(judgeTakeover(w, rule), {
    kind: 'promote',
    reason:
      'apprentice: the model agrees with the caller on 75.0 % of the last 4 decisions (take_over_at 75.0 %): the model decides from now on',
  });
  w.observe(bp, { apprenticeAction: 'skip', score: 0.9 });
  assert.equal(
    judgeTakeover(w, rule).reason,
    'the model agrees with the caller on 50.0 % of the last 4 decisions, under take_over_at 75.0 %',
  );
});
