import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueReason, retrainDueReason } from './triggers.js';

const bp = (version: number, task = 'classification', policy = 'threshold') =>
  ({
    version,
    task,
    decision: { policy },
    automl: { families: [], budget: 30, scheduleMs: 6 * 3_600_000 },
  }) as unknown as Parameters<typeof dueReason>[0];
const none = { lastSearchAt: null, lastBlueprintVersion: null, notBefore: null };

test('triggers - a first search, then one per blueprint change and per schedule period', () => {
  assert.equal(dueReason(bp(1), none, 1000), 'first search for this blueprint');
  const searched = { lastSearchAt: 0, lastBlueprintVersion: 1, notBefore: null };
  assert.equal(dueReason(bp(1), searched, 3_600_000), null);
  assert.equal(dueReason(bp(2), searched, 3_600_000), 'blueprint changed: version 2 after the search on version 1');
  assert.equal(dueReason(bp(1), searched, 6 * 3_600_000), 'schedule: last search 6h ago, automl.schedule is 6h');
});

test('triggers - a retry waits for notBefore, and tasks AutoML does not search never trigger', () => {
  assert.equal(dueReason(bp(1), { ...none, notBefore: 5000 }, 4999), null);
  assert.equal(dueReason(bp(1), { ...none, notBefore: 5000 }, 5000), 'first search for this blueprint');
  assert.equal(dueReason(bp(1, 'ranking'), none, 1000), null);
  assert.equal(
    dueReason(bp(1, 'classification', 'argmax'), none, 1000),
    null,
    'a multi-class classification learns online only',
  );
});

test('triggers - a full retrain every training.retrain, counted from the last one or from registration', () => {
  const bp = {
    task: 'classification',
    decision: { policy: 'threshold' },
    training: { online: true, publishEveryMs: 30_000, retrainMs: 86_400_000 },
    registeredAt: 0,
  } as unknown as Parameters<typeof retrainDueReason>[0];
  assert.equal(retrainDueReason(bp, null, null, 86_399_999), null);
  assert.equal(
    retrainDueReason(bp, null, null, 86_400_000),
    'training.retrain is 24h: no retrain since the blueprint was registered 24h ago',
  );
  assert.equal(retrainDueReason(bp, 86_400_000, null, 90_000_000), null);
  assert.equal(retrainDueReason(bp, 86_400_000, null, 2 * 86_400_000), 'training.retrain is 24h: last retrain 24h ago');
  assert.equal(retrainDueReason(bp, null, 2 * 86_400_000, 86_400_000 + 1), null, 'waits out a failed attempt');
  assert.equal(
    retrainDueReason({ ...bp, decision: { ...bp.decision, policy: 'top_k' } }, null, null, 86_400_000),
    null,
    'a multi-class classification is not refitted',
  );
});

test('triggers - a drift alert raised after the last search starts one, at most once per 30 minutes', () => {
  const searched = { lastSearchAt: 0, lastBlueprintVersion: 1, notBefore: null };
  const drift = {
    at: 60_000,
    message: "feature hour drifted from the serving model's training data: PSI 0.412, above PSI 0.200",
  };
  assert.equal(dueReason(bp(1), { ...searched, drift }, 29 * 60_000), null, 'too soon after the last search');
  assert.equal(dueReason(bp(1), { ...searched, drift }, 30 * 60_000), `drift alert 29m ago: ${drift.message}`);
  assert.equal(
    dueReason(bp(1), { ...searched, lastSearchAt: 120_000, drift }, 3_600_000),
    null,
    'the search after the alert answered it',
  );
  assert.equal(dueReason(bp(1), { ...searched, drift: null }, 3_600_000), null);
});
