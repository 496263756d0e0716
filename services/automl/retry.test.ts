import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterAttempt, RETRY_AFTER_MS, retryWaitMs } from './retry.js';
import { dueReason, type SearchState } from './triggers.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const bp = (scheduleMs: number) =>
  ({
    version: 1,
    task: 'classification',
    decision: { policy: 'threshold' },
    automl: { families: [], budget: 30, scheduleMs },
  }) as unknown as Parameters<typeof dueReason>[0];
const fresh: SearchState = { lastSearchAt: null, lastBlueprintVersion: null, notBefore: null };

test('retry - the wait is 5 minutes, or the schedule when that is shorter', () => {
  assert.equal(RETRY_AFTER_MS, 5 * M);
  assert.equal(retryWaitMs(24 * H), 5 * M);
  assert.equal(retryWaitMs(5 * M), 5 * M);
  assert.equal(retryWaitMs(3 * M), 3 * M);
  assert.equal(retryWaitMs(90 * S), 90 * S);
});

test('retry - with automl.schedule 3m, no attempt before 500 examples, and a refused first search is retried 3 minutes later', () => {
  const schedule = 3 * M;
  // The examples the attempts ran on: too few to start one now.
  assert.equal(dueReason(bp(schedule), { ...fresh, examples: 122 }, 15 * S), null);
  assert.equal(dueReason(bp(schedule), { ...fresh, examples: 237 }, 30 * S), null);
  assert.equal(
    dueReason(bp(schedule), { ...fresh, examples: 503 }, 5 * M),
    'first search for this blueprint: 503 examples teach its score, a search needs 500',
  );
  // The split was refused (one entity held most examples) 20 s later.
  const refused = afterAttempt(fresh, { kind: 'failed' }, { now: 5 * M + 20 * S, examples: 540, scheduleMs: schedule });
  assert.deepEqual(refused, {
    state: { ...fresh, notBefore: 8 * M + 20 * S },
    next: 'next try in 3 min',
  });
  assert.equal(dueReason(bp(schedule), { ...refused.state, examples: 700 }, 8 * M + 20 * S - 1), null);
  assert.equal(
    dueReason(bp(schedule), { ...refused.state, examples: 700 }, 8 * M + 20 * S),
    'first search for this blueprint: 700 examples teach its score, a search needs 500',
  );
});

test('retry - with the default schedule a failed search waits 5 minutes', () => {
  const failed = afterAttempt(fresh, { kind: 'failed' }, { now: 10 * M, examples: 900, scheduleMs: 24 * H });
  assert.deepEqual(failed, { state: { ...fresh, notBefore: 15 * M }, next: 'next try in 5 min' });
});

test('retry - a search refused for too few examples waits for as many more examples as it lacked, and no time', () => {
  // The count said 500 when it started; the replay held 480, and 510 were counted when it was refused.
  const short = afterAttempt(
    { ...fresh, notBefore: 4 * M },
    { kind: 'too_few', sinceTs: null, examples: 480, needed: 500 },
    { now: 6 * M, examples: 510, scheduleMs: 3 * M },
  );
  assert.deepEqual(short, {
    state: { ...fresh, notBefore: null, short: { sinceTs: null, until: 530 } },
    next: 'next try once 20 more examples have arrived',
  });
  assert.equal(dueReason(bp(3 * M), { ...short.state, examples: 529 }, 6 * M + 15 * S), null);
  assert.equal(
    dueReason(bp(3 * M), { ...short.state, examples: 530 }, 6 * M + 15 * S),
    'first search for this blueprint: 530 examples teach its score, a search needs 500',
  );
});

test('retry - a search that ran clears every wait, and one without a candidate holds the next for the retry wait', () => {
  const waiting: SearchState = { ...fresh, short: { sinceTs: null, until: 530 } };
  const ran = { kind: 'ran', startedAt: 10 * M, blueprintVersion: 2, byAlert: false } as const;
  assert.deepEqual(
    afterAttempt(waiting, { ...ran, candidate: true }, { now: 11 * M, examples: 600, scheduleMs: 3 * M }),
    {
      state: { lastSearchAt: 10 * M, lastBlueprintVersion: 2, notBefore: null, lastAlertSearchAt: null, short: null },
      next: null,
    },
  );
  assert.deepEqual(
    afterAttempt(waiting, { ...ran, candidate: false }, { now: 11 * M, examples: 600, scheduleMs: 2 * M }),
    {
      state: { lastSearchAt: 10 * M, lastBlueprintVersion: 2, notBefore: 13 * M, lastAlertSearchAt: null, short: null },
      next: null,
    },
  );
});

test('retry - an alert-started search holds the next alert-started one 30 minutes, and a failed one does not count', () => {
  const searched: SearchState = { lastSearchAt: 0, lastBlueprintVersion: 1, notBefore: null };
  const ran = afterAttempt(
    searched,
    { kind: 'ran', startedAt: 60 * M, blueprintVersion: 1, candidate: true, byAlert: true },
    { now: 62 * M, examples: 4000, scheduleMs: 6 * H },
  );
  assert.equal(ran.state.lastAlertSearchAt, 60 * M);
  const drift = { rule: 'feature_drift', at: 70 * M, message: 'feature hour drifted', changeAt: null };
  const after = { ...ran.state, examples: 4000, drift };
  assert.equal(dueReason(bp(6 * H), after, 90 * M - 1), null);
  assert.equal(dueReason(bp(6 * H), after, 90 * M), 'drift alert 20 min ago: feature hour drifted');
  const failed = afterAttempt(ran.state, { kind: 'failed' }, { now: 91 * M, examples: 4100, scheduleMs: 6 * H });
  assert.deepEqual(failed.state, { ...ran.state, notBefore: 96 * M });
  assert.equal(dueReason(bp(6 * H), { ...failed.state, examples: 4100, drift }, 95 * M), null);
  assert.equal(
    dueReason(bp(6 * H), { ...failed.state, examples: 4100, drift }, 96 * M),
    'drift alert 26 min ago: feature hour drifted',
  );
});
