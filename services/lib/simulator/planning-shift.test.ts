import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PLANNING_ARMS, PlanningSimulator } from './planning.js';
import { oppositeArm, ShiftingPlanningSimulator } from './planning-shift.js';

const SIM = new ShiftingPlanningSimulator({ seed: 42, offer: 'sms', shiftAt: 5000 });

test('shifting planning simulator - both worlds have the same users with the same contexts, those of the unshifted simulator', () => {
  assert.deepEqual(SIM.after.users, SIM.before.users);
  assert.deepEqual(SIM.users, new PlanningSimulator({ seed: 42 }).users);
  assert.deepEqual(SIM.actions, ['email', 'push', 'sms']);
});

test('shifting planning simulator - steps before shiftAt are rewarded by the old world, from it on by the new one, and Infinity never shifts', () => {
  assert.equal(SIM.at(0), SIM.before);
  assert.equal(SIM.at(4999), SIM.before);
  assert.equal(SIM.at(5000), SIM.after);
  assert.equal(SIM.at(1e9), SIM.after);
  const steady = new ShiftingPlanningSimulator({ seed: 42, offer: 'sms', shiftAt: Infinity });
  assert.equal(steady.at(1e12), steady.before);
  assert.equal(new ShiftingPlanningSimulator({ seed: 42, offer: 'sms', shiftAt: 0 }).at(0).actions.length, 3);
});

test('shifting planning simulator - only the offer changes, turned to the opposite users with its base rate kept', () => {
  for (const { context } of SIM.users) {
    for (const action of ['email', 'push'])
      assert.equal(SIM.after.rewardProbability(context, action), SIM.before.rewardProbability(context, action));
    // Negated weights mirror the logit around the bias: the two logits average to it.
    const logit = (p: number) => Math.log(p / (1 - p));
    const mean =
      (logit(SIM.before.rewardProbability(context, 'sms')) + logit(SIM.after.rewardProbability(context, 'sms'))) / 2;
    assert.ok(Math.abs(mean - DEFAULT_PLANNING_ARMS['sms']!.bias) < 1e-9, `${JSON.stringify(context)}: ${mean}`);
  }
  assert.deepEqual(oppositeArm(oppositeArm(DEFAULT_PLANNING_ARMS['push']!)), DEFAULT_PLANNING_ARMS['push']);
});

test('shifting planning simulator - with the defaults the best action changes for about half of the users, as the header says', () => {
  assert.equal(SIM.changedShare().toFixed(2), '0.45');
  assert.equal(SIM.before.oracleValue().toFixed(3), '0.502');
  assert.equal(SIM.after.oracleValue().toFixed(3), '0.483');
  assert.equal(SIM.before.actionValue('sms').toFixed(3), '0.312');
  assert.equal(SIM.after.actionValue('sms').toFixed(3), '0.333');
  assert.equal(SIM.after.actionValue('email'), SIM.before.actionValue('email'));
});

test('shifting planning simulator - an unknown offer, a shiftAt or a step that is not a step are RangeErrors that say what to pass', () => {
  assert.throws(() => new ShiftingPlanningSimulator({ seed: 42, offer: 'letter', shiftAt: 10 }), {
    name: 'RangeError',
    message: 'shifting planning simulator offer: "letter" is not an action; the actions are email, push, sms',
  });
  for (const shiftAt of [-1, 2.5, NaN])
    assert.throws(() => new ShiftingPlanningSimulator({ seed: 42, offer: 'sms', shiftAt }), {
      name: 'RangeError',
      message: `shifting planning simulator shiftAt: ${shiftAt} is not a step; pass a whole number ≥ 0, or Infinity for a world that never changes`,
    });
  assert.throws(() => SIM.at(-1), {
    name: 'RangeError',
    message: 'step -1 is not a decision number; steps are whole numbers from 0',
  });
});
