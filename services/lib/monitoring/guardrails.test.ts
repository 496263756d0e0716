// Calibration of the guardrail degradation claim by simulation: how often a group no worse than
// its baseline is called degraded when the monitor judges it at every tick, and how soon a real
// degradation is. Each run grows a group and its baseline from 1,000 to 1,000,000 matured
// decisions (together) and judges them after every 1 % of growth (686 looks), with a side effect
// (an unsubscribe) on 2 % of the baseline's decisions. The side effects of each batch are drawn as
// one exact binomial count (by geometric gaps between events, so a run costs a draw per event, not
// per decision), and every look goes through compareToBaseline, as the monitor's does. The claim
// is checked per look; an alert also needs two breaching ticks in a row and its relative
// threshold, so it is raised no more often than the claim is made. Seeded: every run measures the
// same figures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { GUARDRAIL_DESIGN, GUARDRAIL_TUNING_N, boundsFromPublished, compareToBaseline } from './guardrails.js';
import { VERDICT_ALPHA, boundaryMultiplier } from '../stats/always-valid.js';
import type { ArmStats } from '../stats/moments.js';

const BASE_RATE = 0.02;
const FIRST_LOOK = 1_000;
const LAST_LOOK = 1_000_000;
const ALPHA = VERDICT_ALPHA.guardrail;

const LOOKS: readonly number[] = (() => {
  const looks = [FIRST_LOOK];
  while (looks.at(-1)! < LAST_LOOK) looks.push(Math.min(LAST_LOOK, Math.ceil(looks.at(-1)! * 1.01)));
  return looks;
})();

/** A Binomial(k, p) count, exactly: events are separated by Geometric(p) gaps (p ≤ 0.5). */
function binomial(random: SeededRandom, k: number, p: number): number {
  const logMiss = Math.log1p(-p);
  let events = 0;
  let at = 0;
  for (;;) {
    at += Math.floor(Math.log(1 - random.next()) / logMiss) + 1;
    if (at > k) return events;
    events++;
  }
}

/** A group's matured decisions, each with a side effect of 0 or 1. */
class Group implements ArmStats {
  n = 0;
  private events = 0;

  constructor(
    private readonly random: SeededRandom,
    private readonly rate: number,
  ) {}

  get mean(): number {
    return this.n === 0 ? 0 : this.events / this.n;
  }

  get variance(): number {
    return this.n < 2 ? 0 : (this.events - (this.events * this.events) / this.n) / (this.n - 1);
  }

  grow(k: number): void {
    if (k <= 0) return;
    this.events += binomial(this.random, k, this.rate);
    this.n += k;
  }
}

// No look's boundary lies closer than this many standard errors above the difference, so a look
// whose z is below it cannot claim anything; only the others need compareToBaseline (whose
// one-sided boundary is solved by bisection, the bulk of a look's cost).
const NEAREST = Math.min(...LOOKS.map((n) => boundaryMultiplier(n, GUARDRAIL_DESIGN)));

const claimsDegradation = (group: ArmStats, baseline: ArmStats, difference: number, se: number) =>
  difference > NEAREST * se && compareToBaseline(group, baseline).degraded;

/** The decisions (group and baseline together) at the first look claiming a degradation, or null. */
function firstDegradation(
  random: SeededRandom,
  groupRate: number,
  groupShare: number,
  claim = claimsDegradation,
): number | null {
  const group = new Group(random, groupRate);
  const baseline = new Group(random, BASE_RATE);
  for (const decisions of LOOKS) {
    group.grow(Math.round(decisions * groupShare) - group.n);
    baseline.grow(decisions - Math.round(decisions * groupShare) - baseline.n);
    const difference = group.mean - baseline.mean;
    const se = Math.sqrt(group.variance / group.n + baseline.variance / baseline.n);
    if (claim(group, baseline, difference, se)) return decisions;
  }
  return null;
}

const percent = (x: number) => `${(100 * x).toFixed(2)} %`;
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

test('guardrails - a group no worse than its baseline, judged at every 1 % of growth, is called degraded at most α + 1 % of the time', (t) => {
  const RUNS = 4_000;
  // Half the traffic each (an experiment arm), and a canary's tenth against its baseline: the
  // small group's rare events make its rate skewed early on, the case a normal boundary fits worst.
  for (const [share, seed] of [
    [0.5, 11],
    [0.1, 12],
  ] as const) {
    const random = new SeededRandom(seed);
    let called = 0;
    for (let r = 0; r < RUNS; r++) if (firstDegradation(random, BASE_RATE, share) !== null) called++;
    const rate = called / RUNS;
    t.diagnostic(
      `A/A at ${percent(BASE_RATE)} side effects, the group ${percent(share)} of the decisions, ${LOOKS.length} looks from ${FIRST_LOOK} to ${LAST_LOOK}, ${RUNS} runs: called degraded in ${percent(rate)} (± ${percent(Math.sqrt((rate * (1 - rate)) / RUNS))}; α ${percent(ALPHA)})`,
    );
    assert.ok(rate <= ALPHA + 0.01, `false degradation rate ${rate} with the group at ${share} of the decisions`);
  }
  // For contrast, the rule this replaced: a Welch z ≥ 2.326 (one-sided 1 %) at any look.
  const CONTRAST_RUNS = 1_000;
  const random = new SeededRandom(14);
  let fixedZ = 0;
  for (let r = 0; r < CONTRAST_RUNS; r++)
    if (firstDegradation(random, BASE_RATE, 0.5, (_g, _b, difference, se) => difference >= 2.326 * se) !== null)
      fixedZ++;
  t.diagnostic(
    `for contrast, z ≥ 2.326 at any of the same looks: ${percent(fixedZ / CONTRAST_RUNS)} of ${CONTRAST_RUNS} runs`,
  );
});

test('guardrails - a 25 % rise in side effects is called degraded in at least 95 % of runs by 10⁶ decisions', (t) => {
  const RUNS = 1_000;
  const RISE = 0.25;
  const random = new SeededRandom(13);
  const found: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const at = firstDegradation(random, BASE_RATE * (1 + RISE), 0.5);
    if (at !== null) found.push(at);
  }
  const power = found.length / RUNS;
  const by = (n: number) => percent(found.filter((x) => x <= n).length / RUNS);
  t.diagnostic(
    `${percent(BASE_RATE)} → ${percent(BASE_RATE * (1 + RISE))} side effects, half the decisions each, ${RUNS} runs: power ${percent(power)} by ${LAST_LOOK} decisions (${by(50_000)} by 50,000, ${by(100_000)} by 100,000); median decisions at the claim ${median(found)}`,
  );
  assert.ok(power >= 0.95, `power ${power}`);
  assert.ok(median(found) <= 150_000, `median decisions at the claim ${median(found)}`);
});

test('guardrails - a degradation is claimed when the 99.5 % always-valid lower bound of the difference is above 0', () => {
  assert.deepEqual(GUARDRAIL_DESIGN, {
    alpha: 0.005,
    tuningN: GUARDRAIL_TUNING_N,
    minEffect: 0,
    sides: 'one-sided',
  });
  // se of the difference √(0.1875/100 + 0.09/100) at 200 decisions in all.
  const baseline = { n: 100, mean: 0.1, variance: 0.09 };
  const se = Math.sqrt(0.001875 + 0.0009);
  const multiplier = boundaryMultiplier(200, GUARDRAIL_DESIGN);
  const more = compareToBaseline({ n: 100, mean: 0.25, variance: 0.1875 }, baseline);
  assert.ok(Math.abs(more.difference!.low - (0.15 - multiplier * se)) < 1e-12);
  assert.ok(Math.abs(more.difference!.multiplier - multiplier) < 1e-15);
  assert.equal(more.degraded, false, '2.5 times the rate on 100 decisions each is not yet a claim');
  assert.ok(more.z! > 2.576, 'though a single one-sided look at 0.5 % would call it');
  const much = compareToBaseline({ n: 100, mean: 0.5, variance: 0.25 }, baseline);
  assert.ok(much.difference!.low > 0);
  assert.equal(much.degraded, true);
  assert.equal(compareToBaseline({ n: 100, mean: 0.05, variance: 0.05 }, baseline).degraded, false, 'a fall never is');
  const alone = compareToBaseline({ n: 100, mean: 0.5, variance: 0.25 }, null);
  assert.deepEqual([alone.difference, alone.degraded, alone.z, alone.relative], [null, false, null, null]);
});

test('guardrails - the bounds rebuilt from what the monitor publishes are the ones it judged', () => {
  const group = { n: 2000, mean: 0.031, variance: 0.031 * 0.969 };
  const baseline = { n: 8000, mean: 0.02, variance: 0.02 * 0.98 };
  const judged = compareToBaseline(group, baseline);
  const rebuilt = boundsFromPublished(
    { rate: group.mean, decisions: group.n },
    { rate: baseline.mean, decisions: baseline.n },
    Number(judged.z!.toFixed(3)),
  )!;
  assert.ok(Math.abs(rebuilt.low - judged.difference!.low) < 1e-5, `${rebuilt.low} vs ${judged.difference!.low}`);
  assert.equal(
    boundsFromPublished({ rate: 0.02, decisions: 10 }, { rate: 0.02, decisions: 10 }, 0),
    null,
    'no standard error to recover at z = 0',
  );
});
