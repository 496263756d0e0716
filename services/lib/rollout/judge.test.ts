import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlueprintRollout } from '../schemas/generated.js';
import { SeededRandom } from '../learners/random.js';
import { constraintProblem, judgeCanary, judgeLive, judgeShadow, nextLook } from './judge.js';

const rollout: BlueprintRollout = {
  shadow: { minExamples: 300 },
  promoteIf: { metricGain: 0.01 },
  canary: 0,
  rollbackIf: { metricDrop: 0.05 },
};

/** Labels, and two models' scores: the live one sees the label through `liveSignal`, the candidate through `candidateSignal`. */
function paired(n: number, liveSignal: number, candidateSignal: number, seed = 1) {
  const r = new SeededRandom(seed);
  const labels: number[] = [];
  const live: number[] = [];
  const candidate: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r.next() < 0.4 ? 1 : 0;
    const shared = r.normal();
    labels.push(y);
    live.push(1 / (1 + Math.exp(-(liveSignal * y + shared + 0.5 * r.normal()))));
    candidate.push(1 / (1 + Math.exp(-(candidateSignal * y + shared + 0.5 * r.normal()))));
  }
  return { labels, live, candidate };
}

test('judge - shadow looks come at min_examples, twice and four times that, then never', () => {
  assert.deepEqual(
    [0, 1, 2, 3].map((k) => nextLook(300, k)),
    [300, 600, 1200, null],
  );
});

test('judge - a clearly better candidate is promoted, a clearly worse one rejected, with the numbers', () => {
  const better = judgeShadow('auc', paired(300, 0.5, 2.5), rollout, 0);
  assert.equal(better.kind, 'promote');
  assert.match(
    better.reason,
    /^better than live — auc 0\.\d{4} vs live 0\.\d{4}: \+0\.\d{4} \(98\.3 % CI \+0\.\d{4} to \+0\.\d{4}, DeLong.*\) on 300 paired shadow examples; promote_if.metric_gain 0.01$/,
  );
  const worse = judgeShadow('auc', paired(300, 2.5, 0.5), rollout, 0);
  assert.equal(worse.kind, 'reject');
  assert.match(worse.reason, /^cannot be better than live by 0.01 — auc .*: −0\.\d{4}/);
});

test('judge - an inconclusive candidate waits for the next look, and is rejected at the last', () => {
  const same = paired(300, 1.5, 1.5, 7);
  const first = judgeShadow('auc', same, rollout, 0);
  assert.equal(first.kind, 'wait', first.reason);
  assert.match(first.reason, /next look at 600 examples$/);
  const last = judgeShadow('auc', same, rollout, 2);
  assert.equal(last.kind, 'reject');
  assert.match(last.reason, /^no significant gain of 0.01 or more after the last look/);
});

test('judge - examples of one outcome only cannot be compared yet: wait, saying why', () => {
  const verdict = judgeShadow(
    'auc',
    { labels: [1, 1, 1], live: [0.1, 0.2, 0.3], candidate: [0.3, 0.2, 0.1] },
    rollout,
    0,
  );
  assert.equal(verdict.kind, 'wait');
  assert.match(verdict.reason, /^cannot compare yet on 3 examples: /);
});

test('judge - a canary goes live unless worse than live by more than metric_drop', () => {
  assert.equal(judgeCanary('auc', { value: 0.8, count: 40 }, { value: 0.8, count: 400 }, rollout, 50).kind, 'wait');
  assert.equal(judgeCanary('auc', { value: 0.76, count: 60 }, { value: 0.8, count: 400 }, rollout, 50).kind, 'promote');
  const worse = judgeCanary('logloss', { value: 0.56, count: 60 }, { value: 0.5, count: 400 }, rollout, 50);
  assert.equal(worse.kind, 'reject');
  assert.match(worse.reason, /^worse than live by 0\.0600, more than rollback_if.metric_drop 0.05/);
});

test("judge - a live model is rolled back when its metric drops past metric_drop and beyond the windows' noise", () => {
  const est = (value: number, se = 0.02) => ({ value, se, count: 200 });
  assert.equal(judgeLive('auc', est(0.8), est(0.76), rollout).kind, 'wait', 'a drop under metric_drop');
  const dropped = judgeLive('auc', est(0.8), est(0.7), rollout);
  assert.equal(dropped.kind, 'reject');
  assert.equal(
    dropped.reason,
    'dropped by 0.1000, past rollback_if.metric_drop 0.05 and beyond noise — auc 0.7000 over the last 200 examples vs 0.8000 when it went live (z = 3.5)',
  );
  // The same drop in windows too noisy to tell it from chance (z = 0.1/√(2·0.05²) = 1.4): no rollback.
  assert.equal(judgeLive('auc', est(0.8, 0.05), est(0.7, 0.05), rollout).kind, 'wait');
  assert.equal(judgeLive('rmse', est(1.0), est(1.04), rollout).kind, 'wait');
  assert.equal(judgeLive('rmse', est(1.0, 0.01), est(1.06, 0.01), rollout).kind, 'reject');
});

test('judge - constraints refuse a model too big or too slow before any shadow', () => {
  const limits = { modelSizeBytes: 1000, p99InferenceUs: 500 };
  assert.equal(constraintProblem({ sizeBytes: 1000, p99InferenceUs: 500 }, limits), null);
  assert.equal(
    constraintProblem({ sizeBytes: 1001, p99InferenceUs: null }, limits),
    'its artifact (1001 B) is over objective.constraints.model_size (1000 B)',
  );
  assert.equal(
    constraintProblem({ sizeBytes: 10, p99InferenceUs: 612.5 }, limits),
    'its p99 scoring time (612.5 µs) is over objective.constraints.p99_inference (500 µs)',
  );
});
