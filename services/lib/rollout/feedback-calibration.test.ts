// The feedback-loop case, row by row: a live threshold model acts on its own scores, so only the
// requests it chose to act on (and the few explored) carry a label, and a shadow candidate is
// judged on them by the real judgeShadow. Before examples were weighted by 1/propensity, two
// equal models looked 0.04 AUC apart on this traffic and the candidate was always promoted.
//
// The world: x ~ N(0, 1), a click with probability σ(2x − 1); each model scores x plus its own
// noise, whose size sets its AUC on all traffic (0.7925 for the live model; the noises of the
// worse and better candidates were found by bisection on 400,000 rows to give −0.01 and +0.02).
// The live model sends to the top 30 % of its scores, with 10 % exploration (propensity 0.95 or
// 0.05 for a send), as decision.explore does in the demo's blueprint. Looks come at every 25 % of
// growth (the service looks every 2 %: the boundary allows any schedule; fewer looks keep this
// file within its time), and each case runs as many times as the file's time allows: 1,000 runs
// would be the bound's own precision, so the bounds here are asserted without slack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlueprintRollout } from '../schemas/generated.js';
import { SeededRandom } from '../learners/random.js';
import { inverseWeight, weightedMetric } from '../stats/weighted-metrics.js';
import { judgeShadow, shadowDesign, SHADOW_HORIZON_FACTOR } from './judge.js';

const LIVE_NOISE = 0.7;
const CANDIDATES = { equal: 0.7, worse: 0.7682, better: 0.5638 } as const;
const EXPLORE = 0.1;
/** The live model's score above which it sends: the 70th percentile of x + 0.7·ε (sd √1.49). */
const THRESHOLD = 0.5244 * Math.sqrt(1 + LIVE_NOISE ** 2);

const rollout: BlueprintRollout = {
  shadow: { minExamples: 1000 },
  promoteIf: { metricGain: 0.002 },
  canary: 0,
  rollbackIf: { metricDrop: 0.02 },
};

const click = (random: SeededRandom, x: number) => (random.next() < 1 / (1 + Math.exp(-(2 * x - 1))) ? 1 : 0);

/** One run: logged traffic until the verdict; the verdict's kind. */
function run(seed: number, candidateNoise: number): string {
  const random = new SeededRandom(seed);
  const evidence = { labels: [] as number[], live: [] as number[], candidate: [] as number[], weights: [] as number[] };
  const design = shadowDesign(rollout);
  let nextLook = rollout.shadow.minExamples;
  for (;;) {
    const x = random.normal();
    const live = x + LIVE_NOISE * random.normal();
    const intended = live > THRESHOLD;
    const explored = random.next() < EXPLORE;
    const sent = explored ? random.next() < 0.5 : intended;
    if (!sent) continue; // a notification not sent cannot be clicked: no label for the score
    const candidate = x + candidateNoise * random.normal();
    const label = click(random, x);
    const propensity = EXPLORE / 2 + (sent === intended ? 1 - EXPLORE : 0);
    evidence.labels.push(label);
    evidence.live.push(live);
    evidence.candidate.push(candidate);
    evidence.weights.push(inverseWeight(propensity));
    if (evidence.labels.length < nextLook) continue;
    const verdict = judgeShadow('auc', evidence, rollout, design);
    if (verdict.kind !== 'wait') return verdict.kind;
    nextLook = Math.ceil(nextLook * 1.25);
  }
}

function promotionRate(noise: number, runs: number, seed: number): number {
  let promoted = 0;
  for (let r = 0; r < runs; r++) if (run(seed + r, noise) === 'promote') promoted++;
  return promoted / runs;
}

test('feedback calibration - the simulated candidates are as far from the live model as stated, on all traffic', () => {
  const random = new SeededRandom(5);
  const n = 200_000;
  const labels = new Float64Array(n);
  const scores = Object.fromEntries(
    Object.keys({ live: 0, ...CANDIDATES }).map((k) => [k, new Float64Array(n)]),
  ) as Record<'live' | keyof typeof CANDIDATES, Float64Array>;
  for (let i = 0; i < n; i++) {
    const x = random.normal();
    labels[i] = click(random, x);
    scores.live[i] = x + LIVE_NOISE * random.normal();
    for (const [k, noise] of Object.entries(CANDIDATES))
      scores[k as keyof typeof CANDIDATES][i] = x + noise * random.normal();
  }
  const auc = (s: Float64Array) => weightedMetric('auc', labels, s).value;
  const live = auc(scores.live);
  const gaps = { equal: auc(scores.equal) - live, worse: auc(scores.worse) - live, better: auc(scores.better) - live };
  console.log(`feedback calibration: live AUC ${live.toFixed(4)}; candidates ${JSON.stringify(gaps)}`);
  assert.ok(
    Math.abs(gaps.equal) < 0.003 && Math.abs(gaps.worse + 0.01) < 0.003 && Math.abs(gaps.better - 0.02) < 0.003,
  );
});

test('feedback calibration - a live threshold model acting on its own scores: an equal candidate is promoted at most α of the time', () => {
  const rate = promotionRate(CANDIDATES.equal, 200, 1_000);
  console.log(`feedback calibration: equal candidate promoted in ${(100 * rate).toFixed(1)} % of 200 runs (α 2 %)`);
  assert.ok(rate <= shadowDesign(rollout).alpha, `promoted ${rate}`);
});

test('feedback calibration - a candidate worse by 0.01 AUC is promoted at most α of the time', () => {
  const rate = promotionRate(CANDIDATES.worse, 150, 2_000);
  console.log(
    `feedback calibration: candidate worse by 0.01 AUC promoted in ${(100 * rate).toFixed(1)} % of 150 runs (α 2 %)`,
  );
  assert.ok(rate <= shadowDesign(rollout).alpha, `promoted ${rate}`);
});

test('feedback calibration - a candidate better by 0.02 AUC is promoted in most runs within the shadow horizon', () => {
  const rate = promotionRate(CANDIDATES.better, 150, 3_000);
  console.log(
    `feedback calibration: candidate better by 0.02 AUC promoted in ${(100 * rate).toFixed(1)} % of 150 runs ` +
      `(horizon ${SHADOW_HORIZON_FACTOR * rollout.shadow.minExamples} effective examples)`,
  );
  assert.ok(rate > 0.5, `promoted ${rate}`);
});
