import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlueprintDecision } from '../schemas/generated.js';
import { AgreementWindow, judgeTakeover, modelActionOf } from './apprentice.js';

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

const planning = {
  decision: {
    ...bp.decision,
    policy: 'linucb',
    threshold: null,
    alpha: 1,
    actions: ['push', 'email', 'sms'],
    default: 'push',
  } as BlueprintDecision,
};

/** A decision as the predictor logs it since Decision v2: the model's own action beside the caller's. */
const logged = (apprenticeAction: string | null, modelAction: string | null, score: number | null = 0.5) => ({
  apprenticeAction,
  modelAction,
  score,
});

test("apprentice - agreement counts the model's own action against the caller's, over the latest decisions only", () => {
  const w = new AgreementWindow(4);
  w.observe(bp, logged('send', 'send')); // agree
  w.observe(bp, logged('skip', 'send')); // disagree
  w.observe(bp, logged(null, 'send')); // no caller action: not counted
  w.observe(bp, logged('skip', null, null)); // no model: not counted
  w.observe(bp, logged('skip', 'skip')); // agree
  assert.deepEqual([w.count, w.share], [3, 2 / 3]);
  w.observe(bp, logged('send', 'send'));
  w.observe(bp, logged('send', 'send')); // the window of 4 drops the first
  assert.deepEqual([w.count, w.share], [4, 3 / 4]);
});

test('apprentice - a planning caller that always sends the default agrees only where the bandit chose the default', () => {
  // The bandit's choices: push twice, email three times (LinUCB's bound, not the best mean). The
  // caller answers push, the default, every time: 2 of 5, where comparing with the default gave 5 of 5.
  const w = new AgreementWindow(10);
  for (const own of ['push', 'email', 'email', 'push', 'email']) w.observe(planning, logged('push', own, 0.25));
  assert.deepEqual([w.count, w.share], [5, 2 / 5]);
  assert.deepEqual(judgeTakeover(w, { takeOverAt: 0.9, minDecisions: 5 }), {
    kind: 'wait',
    reason: 'the model agrees with the caller on 40.0 % of the last 5 decisions, under take_over_at 90.0 %',
  });
});

test("apprentice - the logged model action is the model's, even where the best mean or the score would say otherwise", () => {
  // A Thompson sample or a LinUCB bound may choose an action whose mean is not the best.
  assert.equal(modelActionOf(planning, { modelAction: 'sms', score: 0.1 }), 'sms');
  assert.equal(modelActionOf(bp, { modelAction: 'skip', score: 0.9 }), 'skip');
});

test('apprentice - a record written before modelAction counts under a threshold policy (from its score), never for a bandit', () => {
  // Decision v1 records read modelAction as null.
  assert.equal(modelActionOf(bp, { modelAction: null, score: 0.7 }), 'send');
  assert.equal(modelActionOf(bp, { modelAction: null, score: 0.2 }), 'skip');
  assert.equal(modelActionOf(bp, { modelAction: null, score: null }), null);
  assert.equal(modelActionOf(planning, { modelAction: null, score: 0.25 }), null);
  const w = new AgreementWindow(4);
  w.observe(bp, logged('send', null, 0.7)); // send = send
  w.observe(bp, logged('send', null, 0.2)); // skip ≠ send
  w.observe(planning, logged('push', null, 0.25)); // the bandit's choice is unknown: not counted
  assert.deepEqual([w.count, w.share], [2, 1 / 2]);
});

test('apprentice - the model takes over at take_over_at over min_decisions, not before', () => {
  const rule = { takeOverAt: 0.75, minDecisions: 4 };
  const w = new AgreementWindow(4);
  for (let i = 0; i < 3; i++) w.observe(bp, logged('send', 'send'));
  assert.deepEqual(judgeTakeover(w, rule), {
    kind: 'wait',
    reason: 'the model agrees with the caller on 100.0 % of the last 3 decisions; 4 are needed',
  });
  w.observe(bp, logged('skip', 'send'));
  assert.deepEqual(judgeTakeover(w, rule), {
    kind: 'promote',
    reason:
      'apprentice: the model agrees with the caller on 75.0 % of the last 4 decisions (take_over_at 75.0 %): the model decides from now on',
  });
  w.observe(bp, logged('skip', 'send'));
  assert.equal(
    judgeTakeover(w, rule).reason,
    'the model agrees with the caller on 50.0 % of the last 4 decisions, under take_over_at 75.0 %',
  );
});
