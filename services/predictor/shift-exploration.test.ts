import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert, BlueprintDecision } from '../lib/schemas/generated.js';
import { choose, explorePlanned } from '../lib/decide/policy.js';
import { exploreShare, ShiftAlerts } from './shift-exploration.js';

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
  explore: 0.05,
  exploreOnShift: 0.2,
};

const alert = (blueprint: string, alertId: string, state: Alert['state'], rule = 'quality_shift') => ({
  alertId,
  blueprint,
  rule,
  state,
});

describe('exploration on a suspected shift', () => {
  it('shift exploration - explore_on_shift applies while a shift is suspected, explore otherwise; a record without it doubles explore', () => {
    assert.equal(exploreShare(decision, false), 0.05);
    assert.equal(exploreShare(decision, true), 0.2);
    assert.equal(exploreShare({ explore: 0.05, exploreOnShift: null }, true), 0.1, 'twice explore');
    assert.equal(exploreShare({ explore: 0.15, exploreOnShift: null }, true), 0.2, 'at most 20%');
    assert.equal(exploreShare({ explore: 0.3, exploreOnShift: null }, true), 0.3, 'never below explore');
  });

  it('shift exploration - a blueprint is suspected while any of its quality_shift alerts is raised and not cleared', () => {
    const shifts = new ShiftAlerts();
    assert.equal(shifts.suspected('shop'), false);
    assert.equal(shifts.observe(alert('shop', 'a1', 'raised', 'feature_drift')), false, 'other rules do not count');
    assert.equal(shifts.suspected('shop'), false);
    assert.equal(shifts.observe(alert('shop', 'q1', 'raised')), true, 'the live lineage shifted');
    assert.equal(shifts.observe(alert('shop', 'q1', 'raised')), false, 'a record read twice');
    assert.equal(shifts.observe(alert('shop', 'q2', 'raised')), false, 'a shadow lineage shifted too');
    assert.deepEqual([shifts.suspected('shop'), shifts.suspected('other')], [true, false]);
    assert.equal(shifts.observe(alert('shop', 'q1', 'cleared')), false, 'one still open');
    assert.equal(shifts.suspected('shop'), true);
    assert.equal(shifts.observe(alert('shop', 'q9', 'cleared')), false, 'a clear of an alert never seen');
    assert.equal(shifts.observe(alert('shop', 'q2', 'cleared')), true, 'the last one cleared');
    assert.deepEqual([shifts.suspected('shop'), shifts.blueprints()], [false, []]);
    // The share a decision applies follows: 20 % while the alert is open, 5 % after.
    shifts.observe(alert('shop', 'q3', 'raised'));
    assert.equal(exploreShare(decision, shifts.suspected('shop')), 0.2);
    shifts.observe(alert('shop', 'q3', 'cleared'));
    assert.equal(exploreShare(decision, shifts.suspected('shop')), 0.05);
  });

  it('shift exploration - the propensity logged is that of the raised share, and each action is taken as often as its propensity says', () => {
    const seq =
      (...values: number[]) =>
      () =>
        values.shift() ?? 0;
    // Threshold: the policy sends at 0.8; at a share of 20 %, 0.15 < 0.2 explores and 0.9 picks skip.
    assert.deepEqual(choose(decision, 0.8, seq(0.15, 0.9), 0.2), { action: 'skip', propensity: 0.1, explored: true });
    assert.deepEqual(choose(decision, 0.8, seq(0.25), 0.2), { action: 'send', propensity: 0.9, explored: false });
    assert.deepEqual(
      choose(decision, 0.8, seq(0.15, 0.9)),
      { action: 'send', propensity: 0.975, explored: false },
      'at 5 % 0.15 does not explore',
    );
    // Planning: explore/K + (1 − explore)·P_policy(action), K = 3.
    const planned = { action: 'push', probabilities: { email: 0.1, push: 0.7, sms: 0.2 } };
    const three = { ...decision, actions: ['email', 'push', 'sms'] };
    const chosen = explorePlanned(three, planned, seq(0.5), 0.2);
    assert.equal(chosen.action, 'push');
    assert.ok(Math.abs(chosen.propensity - (0.2 / 3 + 0.8 * 0.7)) < 1e-15);
    // Over many decisions each action's frequency matches the propensity logged with it (within 4
    // standard errors), so inverse-propensity weights stay unbiased at the raised share.
    let state = 7;
    const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const n = 100_000;
    const taken = new Map<string, { count: number; propensity: number }>();
    for (let i = 0; i < n; i++) {
      const c = choose(decision, 0.8, random, 0.2);
      const seen = taken.get(c.action) ?? { count: 0, propensity: c.propensity };
      assert.equal(c.propensity, seen.propensity, 'one propensity per action');
      taken.set(c.action, { ...seen, count: seen.count + 1 });
    }
    for (const [action, { count, propensity }] of taken) {
      const se = Math.sqrt((propensity * (1 - propensity)) / n);
      assert.ok(Math.abs(count / n - propensity) < 4 * se, `${action}: ${count / n} vs ${propensity}`);
    }
    assert.deepEqual([...taken.keys()].sort(), ['send', 'skip']);
  });
});
