import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertTrigger, dueReason, dueSearch, retrainDueReason, shiftRetrainDue } from './triggers.js';

const bp = (version: number, task = 'classification', policy = 'threshold') =>
  ({
    version,
    task,
    decision: { policy },
    automl: { families: [], budget: 30, scheduleMs: 6 * 3_600_000 },
  }) as unknown as Parameters<typeof dueReason>[0];
const none = { lastSearchAt: null, lastBlueprintVersion: null, notBefore: null, examples: 0 };
/** Counted examples well past what a search needs: the triggers after the first do not count them. */
const plenty = 4000;

test('triggers - a first search once 500 examples teach the score, then one per blueprint change and per schedule period', () => {
  assert.equal(dueReason(bp(1), { ...none, examples: 122 }, 1000), null);
  assert.equal(dueReason(bp(1), { ...none, examples: 499 }, 1000), null);
  assert.equal(
    dueReason(bp(1), { ...none, examples: 500 }, 1000),
    'first search for this blueprint: 500 examples teach its score, a search needs 500',
  );
  const searched = { lastSearchAt: 0, lastBlueprintVersion: 1, notBefore: null, examples: plenty };
  assert.equal(dueReason(bp(1), searched, 3_600_000), null);
  assert.equal(dueReason(bp(2), searched, 3_600_000), 'blueprint changed: version 2 after the search on version 1');
  assert.equal(dueReason(bp(1), searched, 6 * 3_600_000), 'schedule: last search 6 h ago, automl.schedule is 6h');
});

test('triggers - a retry waits for notBefore, and tasks AutoML does not search never trigger', () => {
  const ready = { ...none, examples: 640 };
  assert.equal(dueReason(bp(1), { ...ready, notBefore: 5000 }, 4999), null);
  assert.equal(
    dueReason(bp(1), { ...ready, notBefore: 5000 }, 5000),
    'first search for this blueprint: 640 examples teach its score, a search needs 500',
  );
  assert.equal(dueReason(bp(1, 'ranking'), ready, 1000), null);
  assert.equal(
    dueReason(bp(1, 'classification', 'argmax'), ready, 1000),
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
    'training.retrain is 1d: no retrain since the blueprint was registered 1 d ago',
  );
  assert.equal(retrainDueReason(bp, 86_400_000, null, 90_000_000), null);
  assert.equal(retrainDueReason(bp, 86_400_000, null, 2 * 86_400_000), 'training.retrain is 1d: last retrain 1 d ago');
  assert.equal(retrainDueReason(bp, null, 2 * 86_400_000, 86_400_000 + 1), null, 'waits out a failed attempt');
  assert.equal(
    retrainDueReason({ ...bp, decision: { ...bp.decision, policy: 'top_k' } }, null, null, 86_400_000),
    null,
    'a multi-class classification is not refitted',
  );
});

const M = 60_000;
const driftAlert = {
  rule: 'feature_drift',
  at: 60 * M,
  message: "feature hour drifted from the serving model's training data: PSI 0.412, above PSI 0.200",
  changeAt: null,
};

test('triggers - a drift alert raised after the last search starts one, and a search after it answers it', () => {
  const searched = { lastSearchAt: 0, lastBlueprintVersion: 1, notBefore: null, examples: plenty };
  const drift = { ...driftAlert, at: 60_000 };
  assert.equal(dueReason(bp(1), { ...searched, drift }, 29 * 60_000), `drift alert 28 min ago: ${drift.message}`);
  assert.deepEqual(dueSearch(bp(1), { ...searched, drift }, 30 * 60_000), {
    reason: `drift alert 29 min ago: ${drift.message}`,
    byAlert: true,
    sinceTs: null,
  });
  assert.equal(
    dueReason(bp(1), { ...searched, lastSearchAt: 120_000, drift }, 3_600_000),
    null,
    'the search after the alert answered it',
  );
  assert.equal(dueReason(bp(1), { ...searched, drift: null }, 3_600_000), null);
});

test('triggers - a scheduled search 5 minutes ago does not hold back a drift search, an alert-started one 10 minutes ago does', () => {
  const now = 65 * M;
  const drift = { ...driftAlert, at: 64 * M };
  // The covariate-shift run: automl.schedule 6h, a scheduled search 5 minutes before the alert.
  assert.equal(
    dueReason(bp(1), { lastSearchAt: 60 * M, lastBlueprintVersion: 1, notBefore: null, examples: plenty, drift }, now),
    `drift alert 1 min ago: ${drift.message}`,
  );
  assert.equal(
    dueReason(
      bp(1),
      {
        lastSearchAt: 60 * M,
        lastBlueprintVersion: 1,
        notBefore: null,
        examples: plenty,
        lastAlertSearchAt: 20 * M,
        drift,
      },
      now,
    ),
    `drift alert 1 min ago: ${drift.message}`,
    'the last alert-started search was 45 minutes ago',
  );
  const afterDriftSearch = {
    lastSearchAt: 55 * M,
    lastBlueprintVersion: 1,
    notBefore: null,
    examples: plenty,
    lastAlertSearchAt: 55 * M,
  };
  assert.equal(dueReason(bp(1), { ...afterDriftSearch, drift }, now), null, 'an alert-started search 10 minutes ago');
  assert.equal(dueReason(bp(1), { ...afterDriftSearch, drift }, 85 * M - 1), null);
  assert.equal(dueReason(bp(1), { ...afterDriftSearch, drift }, 85 * M), `drift alert 21 min ago: ${drift.message}`);
});

const shiftAlert = {
  rule: 'quality_shift',
  at: 64 * M,
  message: 'online auc shifted: 0.612 against 0.741 before, with the features unmoved',
  changeAt: 62 * M,
};

test('triggers - a quality shift starts a search on the examples since its change point, whatever the schedule', () => {
  const searched = { lastSearchAt: 60 * M, lastBlueprintVersion: 1, notBefore: null, examples: plenty };
  assert.deepEqual(dueSearch(bp(1), { ...searched, shift: shiftAlert }, 65 * M), {
    reason: `quality_shift alert 1 min ago: ${shiftAlert.message}; searching on the examples recorded since its change point 3 min ago`,
    byAlert: true,
    sinceTs: 62 * M,
  });
  assert.deepEqual(
    dueSearch(bp(1), { ...searched, shift: { ...shiftAlert, changeAt: null }, drift: driftAlert }, 65 * M),
    {
      reason: `quality_shift alert 1 min ago: ${shiftAlert.message}; searching on the examples recorded since the alert`,
      byAlert: true,
      sinceTs: 64 * M,
    },
    'without a change point, from the alert; a drift alert beside it does not widen the window',
  );
  assert.equal(
    dueSearch(bp(1), { ...searched, lastAlertSearchAt: 50 * M, shift: shiftAlert }, 65 * M),
    null,
    'shares the drift alerts’ 30 minutes',
  );
  assert.equal(dueSearch(bp(1), { ...searched, lastSearchAt: 64.5 * M, shift: shiftAlert }, 65 * M), null);
  assert.equal(dueSearch(bp(1, 'ranking'), { ...searched, shift: shiftAlert }, 65 * M), null, 'no search for ranking');
});

test('triggers - after a first search refused for too few examples, the next waits for the shortfall, not for a time', () => {
  // Refused with 500 counted: the replay held 480 (the count had taken in repeats the replay drops).
  const refused = { ...none, short: { sinceTs: null, until: 520 } };
  assert.equal(dueReason(bp(1), { ...refused, examples: 519 }, 1000), null);
  assert.equal(
    dueReason(bp(1), { ...refused, examples: 520 }, 1000),
    'first search for this blueprint: 520 examples teach its score, a search needs 500',
  );
});

test('triggers - a quality_shift search short of examples in its window waits for them, and lets a drift or scheduled search run meanwhile', () => {
  const searched = { lastSearchAt: 60 * M, lastBlueprintVersion: 1, notBefore: null, examples: plenty };
  // Refused at 65m with 4000 counted: the 130 examples since the change point lacked 370.
  const short = { sinceTs: 62 * M, until: 4370 };
  assert.equal(dueSearch(bp(1), { ...searched, short, shift: shiftAlert, examples: 4369 }, 66 * M), null);
  assert.deepEqual(dueSearch(bp(1), { ...searched, short, shift: shiftAlert, examples: 4370 }, 66 * M), {
    reason: `quality_shift alert 2 min ago: ${shiftAlert.message}; searching on the examples recorded since its change point 4 min ago`,
    byAlert: true,
    sinceTs: 62 * M,
  });
  const drift = { ...driftAlert, at: 65.5 * M };
  assert.deepEqual(
    dueSearch(bp(1), { ...searched, short, shift: shiftAlert, drift, examples: 4100 }, 66 * M),
    { reason: `drift alert 30 s ago: ${drift.message}`, byAlert: true, sinceTs: null },
    'the drift search replays every retained example, which the shortfall does not concern',
  );
  assert.equal(
    dueReason(bp(1), { ...searched, short, shift: shiftAlert, examples: 4100 }, 60 * M + 6 * 3_600_000),
    'schedule: last search 6 h ago, automl.schedule is 6h',
  );
  assert.deepEqual(
    dueSearch(bp(1), { ...searched, short, shift: { ...shiftAlert, at: 70 * M, changeAt: 69 * M } }, 71 * M)?.sinceTs,
    69 * M,
    'a newer shift has a window of its own',
  );
});

test('triggers - a quality shift retrains the serving configuration on the examples since the shift, once per 30 minutes', () => {
  const classifier = bp(1);
  const fresh = { lastShiftRetrainAt: null, notBefore: null };
  assert.deepEqual(shiftRetrainDue(classifier, fresh, shiftAlert, 65 * M), {
    reason: `quality_shift alert 1 min ago: ${shiftAlert.message}; retraining on the examples recorded since its change point 3 min ago`,
    sinceTs: 62 * M,
  });
  assert.equal(shiftRetrainDue(classifier, fresh, null, 65 * M), null);
  assert.equal(shiftRetrainDue(classifier, { ...fresh, notBefore: 66 * M }, shiftAlert, 65 * M), null, 'retry later');
  assert.equal(
    shiftRetrainDue(classifier, { ...fresh, lastShiftRetrainAt: 64.5 * M }, shiftAlert, 100 * M),
    null,
    'the retrain after the alert answered it',
  );
  const later = { ...shiftAlert, at: 80 * M, changeAt: null };
  assert.equal(shiftRetrainDue(classifier, { ...fresh, lastShiftRetrainAt: 65 * M }, later, 94 * M), null);
  assert.deepEqual(shiftRetrainDue(classifier, { ...fresh, lastShiftRetrainAt: 65 * M }, later, 95 * M), {
    reason: `quality_shift alert 15 min ago: ${shiftAlert.message}; retraining on the examples recorded since the alert`,
    sinceTs: 80 * M,
  });
  assert.equal(
    shiftRetrainDue(bp(1, 'ranking', 'top_k'), fresh, shiftAlert, 65 * M),
    null,
    'a ranking model learns online only',
  );
});

test('triggers - which raised alerts start something, and the change point a quality_shift alert carries', () => {
  const raised = { state: 'raised', ts: 64 * M, message: 'm', labels: {} } as const;
  assert.deepEqual(alertTrigger({ ...raised, rule: 'prediction_drift' }), {
    kind: 'drift',
    alert: { rule: 'prediction_drift', at: 64 * M, message: 'm', changeAt: null },
  });
  assert.deepEqual(alertTrigger({ ...raised, rule: 'quality_shift', labels: { changeAt: String(62 * M) } }), {
    kind: 'shift',
    alert: { rule: 'quality_shift', at: 64 * M, message: 'm', changeAt: 62 * M },
  });
  assert.equal(alertTrigger({ ...raised, rule: 'quality_shift', labels: { changeAt: 'soon' } })?.alert.changeAt, null);
  assert.equal(
    alertTrigger({ ...raised, rule: 'quality_shift', labels: { changeAt: String(70 * M) } })?.alert.changeAt,
    64 * M,
    'never after the alert',
  );
  assert.equal(alertTrigger({ ...raised, rule: 'quality_shift', state: 'cleared' }), null);
  assert.equal(alertTrigger({ ...raised, rule: 'decide_p99' }), null);
});
