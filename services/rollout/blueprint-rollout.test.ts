import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/compile.js';
import { blueprintWith } from '../lib/blueprint/test-blueprints.js';
import { SeededRandom } from '../lib/learners/random.js';
import { initialDeployment, toLive } from '../lib/rollout/transitions.js';
import type { Blueprint, Decision, Deployment, Example } from '../lib/schemas/generated.js';
import { BlueprintRollout, LABEL_COMPLETE_SLACK_MS, type VersionFacts } from './blueprint-rollout.js';
import { exampleRecord } from '../lib/joiner/test-records.js';

function blueprint(): Blueprint {
  const result = compileBlueprint(
    blueprintWith(
      (bp) =>
        (bp['rollout'] = {
          shadow: { min_examples: 200 },
          promote_if: { metric_gain: 0.01 },
          canary: '0%',
          rollback_if: { metric_drop: 0.05 },
        }),
    ),
  );
  assert.ok(result.ok);
  return { ...result.blueprint, version: 1 };
}

const candidate = (modelVersion: string, sizeBytes = 1000): VersionFacts => ({
  modelVersion,
  role: 'candidate',
  parentVersion: null,
  sizeBytes,
  p99InferenceUs: 2,
  metrics: { auc: 0.8 },
});

function example(
  label: number,
  score: number,
  modelVersion: string,
  shadowScores: Record<string, number> | null,
  action = 'send',
): Example {
  return exampleRecord({ label, score, modelVersion, shadowScores, action });
}

test('blueprint rollout - a candidate enters shadow, is judged at min_examples on paired examples, and goes live', () => {
  const r = new BlueprintRollout(blueprint(), () => null);
  let d: Deployment = toLive(initialDeployment('notification_send'), 'bp/1', 'first', 1);
  d = r.admit(d, candidate('bp/automl-2'), 2)!;
  assert.deepEqual([d.shadow, d.transition?.to], [['bp/automl-2'], 'shadow']);
  assert.match(
    d.transition!.reason,
    /^new candidate \(offline auc 0\.8000\): scored beside live on every request until 200 paired examples are labelled$/,
  );
  assert.equal(
    r.admit(d, candidate('bp/automl-2'), 3),
    null,
    'a version already in the deployment is not admitted twice',
  );
  const random = new SeededRandom(1);
  for (let i = 0; i < 199; i++) {
    const y = random.next() < 0.4 ? 1 : 0;
    r.observe(example(y, random.next(), 'bp/1', { 'bp/automl-2': 0.3 + 0.4 * y + 0.2 * random.next() }), d);
    // Examples that do not teach the score (the other action) are not evidence.
    r.observe(example(y, random.next(), 'bp/1', { 'bp/automl-2': 1 - y }, 'skip'), d);
  }
  assert.equal(r.step(d, 4), null, '199 paired examples: no look yet');
  r.observe(example(1, 0.5, 'bp/1', { 'bp/automl-2': 0.9 }), d);
  const next = r.step(d, 5)!;
  assert.deepEqual(
    [next.live, next.previous, next.transition?.from, next.transition?.to],
    ['bp/automl-2', 'bp/1', 'shadow', 'live'],
  );
  assert.match(next.transition!.reason, /on 200 paired shadow examples/);
});

test('blueprint rollout - a candidate over the size limit is refused before shadow', () => {
  const r = new BlueprintRollout(blueprint(), () => null);
  const d = r.admit(initialDeployment('notification_send'), candidate('bp/automl-9', 10_000_000), 1)!;
  assert.deepEqual([d.shadow, d.retired, d.transition?.to], [[], ['bp/automl-9'], 'retired']);
  assert.match(
    d.transition!.reason,
    /^refused before shadow: its artifact \(10000000 B\) is over objective.constraints.model_size/,
  );
});

test('blueprint rollout - the live lineage is rolled back when the examples of its newest continuation drop past metric_drop', () => {
  const parents = new Map<string, string | null>([
    ['bp/2', null],
    ['bp/3', 'bp/2'],
  ]);
  const r = new BlueprintRollout(blueprint(), (v) => parents.get(v));
  const d = toLive(toLive(initialDeployment('notification_send'), 'bp/1', 'first', 1), 'bp/2', 'better', 2);
  const random = new SeededRandom(2);
  let i = 0;
  // One decision a second; each window counts once a label window (and the joiner's slack) has passed.
  const feed = (modelVersion: string, good: boolean, n: number) => {
    for (let k = 0; k < n; k++, i++) {
      const y = random.next() < 0.5 ? 1 : 0;
      const score = good ? 0.25 + 0.5 * y + 0.2 * random.next() : random.next();
      r.observe({ ...example(y, score, modelVersion, null), decisionTs: i * 1000 }, d);
    }
  };
  const completeUpTo = (decisions: number) =>
    r.observe(
      { ...example(0, 0.5, 'elsewhere', null), decisionTs: decisions * 1000 + windowMs + LABEL_COMPLETE_SLACK_MS },
      d,
    );
  const windowMs = blueprint().label.windowMs;
  assert.equal(r.step(d, 3), null);
  feed('bp/2', true, 200);
  assert.equal(r.step(d, 4), null);
  assert.deepEqual(r.liveWindows(), { live: 'bp/2', baseline: 0, current: 0, held: 200 }, 'held until complete');
  completeUpTo(200);
  assert.equal(r.step(d, 4), null, 'the first full window is the baseline');
  feed('bp/3', false, 200); // a continuation of bp/2 that learned nothing: same lineage, so it counts
  completeUpTo(400);
  const next = r.step(d, 5)!;
  assert.deepEqual(
    [next.live, next.retired, next.transition?.modelVersion, next.transition?.from, next.transition?.to],
    ['bp/1', ['bp/2'], 'bp/2', 'live', 'retired'],
  );
  assert.match(
    next.transition!.reason,
    /^rolled back to bp\/1: dropped past rollback_if.metric_drop 0.05, beyond noise — auc 0\.\d{4} over 200 examples of the version serving now vs 1\.0000 in the lineage's first window: drop \+0\.\d{4}, lower bound \+0\.\d{4} \(99\.5 % always-valid one-sided; α 0\.005 one-sided, tuned for \d+ examples, min effect 0\.05\)$/,
  );
});

test("blueprint rollout - the live test's windows are windows of decisions: clicks that arrive at once wait for the non-clicks of decisions as old", () => {
  const r = new BlueprintRollout(blueprint(), () => null);
  const d = toLive(initialDeployment('notification_send'), 'bp/2', 'better', 2);
  const windowMs = blueprint().label.windowMs;
  assert.equal(r.step(d, 3), null);
  // Decisions 0..399, twenty to a label window, every other one clicked: a click's example arrives
  // at once, a non-click's when its window closes (a window later), as the joiner emits them.
  const gap = windowMs / 20;
  const arrivals: Array<{ at: number; label: number; ts: number }> = [];
  for (let k = 0; k < 400; k++) {
    const clicked = k % 2 === 0;
    arrivals.push({ at: clicked ? k * gap : k * gap + windowMs, label: clicked ? 1 : 0, ts: k * gap });
  }
  arrivals.sort((a, b) => a.at - b.at);
  let baselineLabels: number[] | null = null;
  for (const a of arrivals) {
    r.observe({ ...example(a.label, a.label === 1 ? 0.7 : 0.3, 'bp/2', null), decisionTs: a.ts }, d);
    r.step(d, 4);
    const w = r.liveWindows()!;
    if (baselineLabels === null && w.baseline === 200)
      baselineLabels = [(r as unknown as { live: { baseline: { labels: number[] } } }).live.baseline.labels].flat();
  }
  // In arrival order the first 200 would have been the clicks of decisions 0..~218 and the
  // non-clicks of decisions 0..~180 only; held, they are decisions 0..199 exactly.
  assert.ok(baselineLabels !== null, 'the baseline filled');
  assert.deepEqual(
    baselineLabels,
    Array.from({ length: 200 }, (_, k) => (k % 2 === 0 ? 1 : 0)),
  );
});

test('blueprint rollout - apprentice mode: the model takes over once it agrees with the caller at take_over_at', () => {
  const bp = { ...blueprint(), apprentice: { takeOverAt: 0.8, minDecisions: 10 } };
  const r = new BlueprintRollout(bp, () => null);
  const d = initialDeployment('notification_send');
  const decision = (i: number, score: number, apprenticeAction: string) =>
    ({
      decisionId: `d${i}`,
      blueprint: 'notification_send',
      modelVersion: 'bp/3',
      score,
      apprenticeAction,
      modelAction: score >= 0.5 ? 'send' : 'skip', // the threshold is 0.5
    }) as unknown as Decision;
  for (let i = 0; i < 8; i++) r.observeDecision(decision(i, 0.9, 'send'), d); // send = send
  for (let i = 8; i < 10; i++) r.observeDecision(decision(i, 0.9, 'skip'), d);
  const next = r.step(d, 7)!;
  assert.deepEqual(
    [next.tookOverAt, next.transition?.modelVersion, next.transition?.from, next.transition?.to],
    [7, 'bp/3', 'live', 'live'],
  );
  assert.equal(
    next.transition!.reason,
    'apprentice: the model agrees with the caller on 80.0 % of the last 10 decisions (take_over_at 80.0 %): the model decides from now on',
  );
  assert.equal(r.step(next, 8), null, 'once taken over, never again');
});
