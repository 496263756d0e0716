// Coverage by simulation of the A/B intervals over 2000 seeded experiments with 2000 entities per
// arm (a standard error of ≈ 0.5 % on a measured coverage near 95 %). The measured values are
// printed as diagnostics; the seeds make every run measure the same ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunningMoments, confidenceSequence, fixedHorizonInterval, type Interval } from './sequential.js';
import { sequentialDesign } from './always-valid.js';
import { cupedAdjust, type CupedObservation } from './cuped.js';
import { SeededRandom } from '../learners/random.js';

const EXPERIMENTS = 2000;
const PER_ARM = 2000;
const LOOKS = 20;

const covers = (interval: Interval, truth: number) => interval.low <= truth && truth <= interval.high;

test('ab coverage - peeking breaks the fixed-horizon interval but not the confidence sequence', (t) => {
  // Conversion 10 % in arm a, 11 % in arm b; a look after every 100 entities per arm. A miss at
  // ANY look counts: that is what an experimenter who stops at the first "significant" look risks.
  const [rateA, rateB] = [0.1, 0.11];
  const truth = rateB - rateA;
  const random = new SeededRandom(2024);
  // Tuned for the planned size, fixed before the first look.
  const design = sequentialDesign({ alpha: 0.05, tuningN: 2 * PER_ARM, minEffect: 0, sides: 'two-sided' });
  let fixedAtEnd = 0;
  let fixedAtEveryLook = 0;
  let sequenceAtEveryLook = 0;
  for (let e = 0; e < EXPERIMENTS; e++) {
    const a = new RunningMoments();
    const b = new RunningMoments();
    let fixedHeld = true;
    let sequenceHeld = true;
    let last: Interval | undefined;
    for (let look = 0; look < LOOKS; look++) {
      for (let i = 0; i < PER_ARM / LOOKS; i++) {
        a.add(random.next() < rateA ? 1 : 0);
        b.add(random.next() < rateB ? 1 : 0);
      }
      last = fixedHorizonInterval(a, b);
      fixedHeld &&= covers(last, truth);
      sequenceHeld &&= covers(confidenceSequence(a, b, design), truth);
    }
    if (last && covers(last, truth)) fixedAtEnd++;
    if (fixedHeld) fixedAtEveryLook++;
    if (sequenceHeld) sequenceAtEveryLook++;
  }
  const [once, peeked, anytime] = [fixedAtEnd, fixedAtEveryLook, sequenceAtEveryLook].map((c) => c / EXPERIMENTS) as [
    number,
    number,
    number,
  ];
  t.diagnostic(`fixed-horizon interval, one look at the end: coverage ${once.toFixed(4)}`);
  t.diagnostic(`fixed-horizon interval, ${LOOKS} looks: coverage ${peeked.toFixed(4)}`);
  t.diagnostic(`95 % always-valid interval (confidence sequence), ${LOOKS} looks: coverage ${anytime.toFixed(4)}`);
  assert.ok(once >= 0.93 && once <= 0.97, `one look: ${once}`);
  assert.ok(peeked < 0.9, `peeking should break the fixed interval: ${peeked}`);
  assert.ok(anytime >= 0.93, `the confidence sequence should survive peeking: ${anytime}`);
});

test('ab coverage - CUPED with a covariate correlated at 0.7 removes ≈ 0.49 of the variance and still covers', (t) => {
  // x ~ N(0, 1); y = μ + 0.7x + √0.51·ε, so corr(x, y) = 0.7; μ = 0 in arm a, 0.1 in arm b.
  const [rho, effect] = [0.7, 0.1];
  const noise = Math.sqrt(1 - rho * rho);
  const random = new SeededRandom(77);
  const arm = (mu: number): CupedObservation[] =>
    Array.from({ length: PER_ARM }, () => {
      const x = random.normal();
      return { x, y: mu + rho * x + noise * random.normal() };
    });
  const design = sequentialDesign({ alpha: 0.05, tuningN: 2 * PER_ARM, minEffect: 0, sides: 'two-sided' });
  let covered = 0;
  let coveredAlwaysValid = 0;
  let reduction = 0;
  const adjusted: number[] = [];
  const raw: number[] = [];
  for (let e = 0; e < EXPERIMENTS; e++) {
    const a = arm(0);
    const b = arm(effect);
    const r = cupedAdjust({ a, b });
    const interval = fixedHorizonInterval(r.a, r.b);
    if (covers(interval, effect)) covered++;
    if (covers(confidenceSequence(r.a, r.b, design), effect)) coveredAlwaysValid++;
    reduction += r.varianceReduction;
    adjusted.push(interval.estimate);
    raw.push(RunningMoments.of(b.map((o) => o.y)).mean - RunningMoments.of(a.map((o) => o.y)).mean);
  }
  const coverage = covered / EXPERIMENTS;
  const alwaysValidCoverage = coveredAlwaysValid / EXPERIMENTS;
  const meanReduction = reduction / EXPERIMENTS;
  // The reduction also shows in the spread of the estimates themselves, across experiments.
  const observedReduction = 1 - RunningMoments.of(adjusted).variance / RunningMoments.of(raw).variance;
  t.diagnostic(
    `CUPED: mean reported variance reduction ${meanReduction.toFixed(4)} (ρ² = ${(rho * rho).toFixed(2)}); observed across experiments ${observedReduction.toFixed(4)}`,
  );
  t.diagnostic(`CUPED: fixed-horizon coverage ${coverage.toFixed(4)}`);
  t.diagnostic(
    `CUPED: 95 % always-valid coverage ${alwaysValidCoverage.toFixed(4)} (the adjusted moments, same boundary)`,
  );
  assert.ok(
    Math.abs(meanReduction - rho * rho) <= 0.01,
    `reported reduction ${meanReduction} should be within 0.01 of ${rho * rho}`,
  );
  assert.ok(
    Math.abs(observedReduction - rho * rho) <= 0.05,
    `observed reduction ${observedReduction} should be within 0.05 of ${rho * rho}`,
  );
  assert.ok(coverage >= 0.93 && coverage <= 0.97, `CUPED coverage ${coverage}`);
  assert.ok(alwaysValidCoverage >= 0.95, `CUPED always-valid coverage ${alwaysValidCoverage}`);
});
