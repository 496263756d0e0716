// The continuation gate of a threshold blueprint on a feedback loop, row by row: both criteria
// (the objective, AUC, and the value of the decisions at the threshold: continuation-value.ts)
// judged by the real ContinuationTest, on the sends the serving version's policy makes and the
// explored ones, weighted by 1/propensity as the trainer weighs them.
//
// The world is continuation-calibration.test.ts's: x ~ N(0, 1), a click with probability
// σ(2x − 1) (base rate 0.352); the serving version's signal is z = x + 0.7·ε and it sends to the top
// 30 % of it, with the default 5 % exploration. Its score is now a calibrated probability,
// σ(A·z + C) ≈ E[σ(2x − 1) | z] (the probit approximation; over 2,000,000 rows each tenth of the score
// range matched its click rate within 0.005), so the same decisions are those of threshold
// t = σ(A·TH + C) = 0.4714 — the threshold that suits this score, where a uniform shift in either
// direction loses value. Value per request at t: 0.0551; a shift of the logit by ±0.1 (±2.7 points
// of send rate, the demo's typical difference between versions) keeps 99.4 %, by +0.3 / −0.3
// (±8 points) 94.6 % / 95.2 %.
//
// A continuation is refused when its decisions are shown to keep less than 1 − δ of the serving
// version's value; it is not required to show that it keeps it (continuation-gate.ts,
// judgeWithValueCheck). Under that earlier rule, measured here (200 runs each), one as good as the
// serving version was published in 24 % at δ 5 %, 57 % at 10 %, 92 % at 20 % (by AUC alone 97 %),
// one keeping exactly 1 − δ in 2–5 %, one keeping 90 % by sending to more in 10 % of 40; and in a
// decision-loop run the serving version held at 33.7 % of sends (the oracle's 40.1 %) for the
// whole judged window; and a first version, required to show it too, waited for its 500-example last
// look and missed the scale-out test's 240 s. A first version now also waits while its value's
// estimate is below the margin (the last test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../lib/learners/random.js';
import { inverseWeight } from '../lib/stats/weighted-metrics.js';
import { normalCdf } from '../lib/stats/normal.js';
import { VERDICT_ALPHA } from '../lib/stats/always-valid.js';
import {
  CONTINUATION_HORIZON,
  CONTINUATION_HORIZON_ALPHA,
  CONTINUATION_MIN_EXAMPLES,
  FIRST_VERSION_HORIZON,
  ContinuationTest,
  continuationDesign,
} from './continuation-gate.js';
import { CONTINUATION_VALUE_MARGIN } from './continuation-value.js';

const SERVING_NOISE = 0.7;
const EXPLORE = 0.05;
/** The serving version's signal above which it sends: the 70th percentile of x + 0.7·ε. */
const TH = 0.5244 * Math.sqrt(1 + SERVING_NOISE ** 2);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const logit = (p: number) => Math.log(p / (1 - p));

/** σ(A·z + C) ≈ E[σ(2x − 1) | z] for z = x + noise·ε: x | z is normal, and E[σ(a)] ≈ σ(m/√(1 + πv/8)). */
function calibration(noise: number): { a: number; c: number } {
  const k = Math.sqrt(1 + ((Math.PI / 8) * 4 * noise ** 2) / (1 + noise ** 2));
  return { a: 2 / (1 + noise ** 2) / k, c: -1 / k };
}
const SERVING = calibration(SERVING_NOISE);
const THRESHOLD = sigmoid(SERVING.a * TH + SERVING.c);
const MARGIN = CONTINUATION_VALUE_MARGIN;
const ROLLOUT = { rollout: { rollbackIf: { metricDrop: 0.01 } } } as Parameters<typeof continuationDesign>[0];
const DESIGN = continuationDesign(ROLLOUT);
/** The design of a first version's test: tolerance 0. */
const FIRST_DESIGN = continuationDesign(ROLLOUT, 'no-model');
/** E[σ(2x − 1)] for x ~ N(0, 1): the click rate of all traffic, what serving no model scores. */
const BASE_RATE = 0.3522;
const TOTAL_ALPHA = VERDICT_ALPHA.continuation + CONTINUATION_HORIZON_ALPHA;

/** Value per request of sending when the signal x + noise·ε is at least `cut`: ∫ φ(x)·Φ((x − cut)/noise)·(σ(2x − 1) − t) dx. */
function valueAbove(cut: number, noise = SERVING_NOISE): number {
  let value = 0;
  const step = 0.002;
  for (let x = -9; x <= 9; x += step)
    value += step * Math.exp(-0.5 * x * x) * normalCdf((x - cut) / noise) * (sigmoid(2 * x - 1) - THRESHOLD);
  return value / Math.sqrt(2 * Math.PI);
}
/** The serving version's scores shifted by `shift` on the logit: same ranking, sends from signal TH − shift/A. */
const valueOfShift = (shift: number) => valueAbove(TH - shift / SERVING.a);
/** The shift (of the sign given) that keeps `keep` of the serving version's value, by bisection. */
function shiftKeeping(keep: number, sign: 1 | -1): number {
  const target = keep * valueOfShift(0);
  let low = 0;
  let high = 3;
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (valueOfShift(sign * mid) > target) low = mid;
    else high = mid;
  }
  return (sign * (low + high)) / 2;
}

const click = (random: SeededRandom, x: number) => (random.next() < sigmoid(2 * x - 1) ? 1 : 0);

/** A pending version: the serving version's logit shifted, its signal's noise following the serving one's at `follows` (1: the same). */
interface Pending {
  readonly shift: number;
  readonly follows: number;
}

/** One pending continuation's test against the live serving version, fed until its verdict. */
function run(seed: number, pending: Pending): { kind: string; atHorizon: boolean; decidedBy?: string } {
  const random = new SeededRandom(seed);
  const gate = new ContinuationTest('auc', DESIGN, 0, CONTINUATION_HORIZON, 'serving', {
    threshold: THRESHOLD,
    margin: MARGIN,
  });
  let nextLook = CONTINUATION_MIN_EXAMPLES;
  for (;;) {
    const x = random.normal();
    const noise = random.normal();
    const served = sigmoid(SERVING.a * (x + SERVING_NOISE * noise) + SERVING.c);
    const intended = served >= THRESHOLD;
    const explored = random.next() < EXPLORE;
    const sent = explored ? random.next() < 0.5 : intended;
    if (!sent) continue; // a notification not sent cannot be clicked: it teaches the score nothing
    const own =
      pending.follows === 1 ? noise : pending.follows * noise + Math.sqrt(1 - pending.follows ** 2) * random.normal();
    const score = sigmoid(SERVING.a * (x + SERVING_NOISE * own) + SERVING.c + pending.shift);
    const propensity = EXPLORE / 2 + (sent === intended ? 1 - EXPLORE : 0);
    gate.observe(click(random, x), score, served, inverseWeight(propensity));
    if (gate.n < nextLook) continue;
    const verdict = gate.judge();
    if (verdict.kind !== 'wait')
      return {
        kind: verdict.kind,
        atHorizon: gate.full,
        ...(verdict.figures?.decidedBy ? { decidedBy: verdict.figures.decidedBy } : {}),
      };
    nextLook = Math.min(CONTINUATION_HORIZON, Math.ceil(nextLook * 1.25));
  }
}

/** How often a continuation is refused on the value of its decisions (alone or with the objective), over `runs` seeds. */
function valueRefusalRate(pending: Pending, runs: number, seed: number): number {
  let refused = 0;
  for (let r = 0; r < runs; r++) {
    const verdict = run(seed + r, pending);
    if (verdict.kind === 'refuse' && verdict.decidedBy !== 'objective') refused++;
  }
  return refused / runs;
}

/** How often a continuation is published, before the horizon and in all, over `runs` seeds (each run's pending from `pendingOf`). */
function publicationRate(
  pendingOf: (run: number) => Pending,
  runs: number,
  seed: number,
): { early: number; total: number } {
  let early = 0;
  let total = 0;
  for (let r = 0; r < runs; r++) {
    const verdict = run(seed + r, pendingOf(r));
    if (verdict.kind !== 'publish') continue;
    total++;
    if (!verdict.atHorizon) early++;
  }
  return { early: early / runs, total: total / runs };
}

const percent = (share: number) => `${(100 * share).toFixed(1)} %`;
const kept = (shift: number) => percent(valueOfShift(shift) / valueOfShift(0));

test('continuation value calibration - a continuation equal to the serving version is published in most runs', () => {
  const same = publicationRate(() => ({ shift: 0, follows: 1 }), 100, 30_000);
  const asGood = publicationRate(() => ({ shift: 0, follows: 0.99 }), 100, 31_000);
  console.log(
    `continuation value calibration (δ ${MARGIN}, threshold ${THRESHOLD.toFixed(4)}): the same scores published in ` +
      `${percent(same.total)} of 100 runs (${percent(same.early)} before the horizon); as good, its noise following ` +
      `the serving version's at 0.99, in ${percent(asGood.total)} of 100 (${percent(asGood.early)} before the horizon)`,
  );
  assert.ok(same.total > 0.9, `the same published ${same.total}`);
  assert.ok(asGood.total > 0.5, `as good published ${asGood.total}`);
});

test('continuation value calibration - a continuation as good as the serving version is refused on its decisions at most α + 1 % of the time', () => {
  const runs = 500;
  const same = valueRefusalRate({ shift: 0, follows: 1 }, runs / 2, 40_000);
  const asGood = valueRefusalRate({ shift: 0, follows: 0.99 }, runs / 2, 41_000);
  const rate = (same + asGood) / 2;
  console.log(
    `continuation value calibration: as good as the serving version (the same scores, or noise following its noise ` +
      `at 0.99), refused on its decisions in ${percent(rate)} of ${runs} runs (the same ${percent(same)}, as good ` +
      `${percent(asGood)}; α ${percent(TOTAL_ALPHA)})`,
  );
  assert.ok(rate <= TOTAL_ALPHA + 0.01, `refused on its decisions ${rate}`);
});

test('continuation value calibration - a calibration collapse to sending too few is refused on its decisions; one to sending too many is measured, and mostly is not', () => {
  // Same ranking, shifted until it keeps half the value; and shifted far enough to send to nobody.
  const halfDown = shiftKeeping(0.5, -1);
  const halfUp = shiftKeeping(0.5, 1);
  const down = valueRefusalRate({ shift: halfDown, follows: 1 }, 100, 50_000);
  const nobody = valueRefusalRate({ shift: -20, follows: 1 }, 100, 51_000);
  const up = valueRefusalRate({ shift: halfUp, follows: 1 }, 100, 52_000);
  const margin = valueRefusalRate({ shift: shiftKeeping(1 - MARGIN, -1), follows: 1 }, 100, 53_000);
  const sendShare = (shift: number) =>
    percent(1 - normalCdf((TH - shift / SERVING.a) / Math.sqrt(1 + SERVING_NOISE ** 2)));
  console.log(
    `continuation value calibration: refused on its decisions — keeping half the value by sending to fewer ` +
      `(${sendShare(halfDown)} of requests against 30.0 %) in ${percent(down)} of 100 runs, sending to nobody in ` +
      `${percent(nobody)}; keeping half by sending to more (${sendShare(halfUp)}) in only ${percent(up)}: the requests it ` +
      `adds are seen only when explored, and its objective clears first; keeping exactly 80 % by sending to fewer in ` +
      `${percent(margin)}: the gate refuses what it shows worse, it does not require a continuation to show it keeps 80 %`,
  );
  assert.ok(down >= 0.9, `keeping half by sending to fewer, refused ${down}`);
  assert.ok(nobody >= 0.99, `sending to nobody, refused ${nobody}`);
});

test('continuation value calibration - a calibration shift within the margin is mostly published, whether it sends to fewer or to more', () => {
  const halfDown = shiftKeeping(1 - MARGIN / 2, -1);
  const halfUp = shiftKeeping(1 - MARGIN / 2, 1);
  const down = publicationRate(() => ({ shift: halfDown, follows: 1 }), 100, 60_000);
  const jitter = publicationRate(() => ({ shift: 0.1, follows: 1 }), 100, 61_000);
  const up = publicationRate(() => ({ shift: halfUp, follows: 1 }), 100, 62_000);
  console.log(
    `continuation value calibration: logit ${halfDown.toFixed(3)} (keeps ${kept(halfDown)}) published in ${percent(down.total)} ` +
      `of 100 runs; +0.1 (keeps ${kept(0.1)}) in ${percent(jitter.total)}; ${halfUp.toFixed(3)} (keeps ${kept(halfUp)}) in ` +
      `${percent(up.total)}`,
  );
  assert.ok(down.total > 0.9, `sending less, published ${down.total}`);
  assert.ok(jitter.total > 0.9, `sending a little more, published ${jitter.total}`);
  assert.ok(up.total > 0.9, `sending more, published ${up.total}`);
});

/**
 * A first version's test against serving no model: nothing serves, so a request is sent only when
 * explored (propensity 0.025, every example weighs alike), and the constant scores the base rate,
 * below the threshold: it sends to nobody and is worth 0. The first version is calibrated on a
 * noisier signal x + noise·ε, its logit shifted by `shift`.
 */
function firstVersion(seed: number, noise: number, shift: number): string {
  const random = new SeededRandom(seed);
  const { a, c } = calibration(noise);
  const gate = new ContinuationTest('auc', FIRST_DESIGN, 0, FIRST_VERSION_HORIZON, 'no-model', {
    threshold: THRESHOLD,
    margin: MARGIN,
  });
  let nextLook = CONTINUATION_MIN_EXAMPLES;
  for (;;) {
    const x = random.normal();
    const z = x + noise * random.normal();
    if (!(random.next() < EXPLORE && random.next() < 0.5)) continue;
    gate.observe(click(random, x), sigmoid(a * z + c + shift), BASE_RATE, inverseWeight(EXPLORE / 2));
    if (gate.n < nextLook) continue;
    const verdict = gate.judge();
    if (verdict.kind !== 'wait') return verdict.kind;
    nextLook = Math.min(FIRST_VERSION_HORIZON, Math.ceil(nextLook * 1.25));
  }
}

test('continuation value calibration - a first version that decides better than serving no model is published; one that sends to far too many is not', () => {
  const share = (noise: number, shift: number, runs: number, seed: number) => {
    let published = 0;
    for (let r = 0; r < runs; r++) if (firstVersion(seed + r, noise, shift) === 'publish') published++;
    return published / runs;
  };
  const cut = (noise: number, shift: number) =>
    (logit(THRESHOLD) - calibration(noise).c - shift) / calibration(noise).a;
  const good = share(1, 0, 100, 60_000);
  const weak = share(1.5, 0, 100, 61_000);
  const eager = share(1, 1, 100, 62_000);
  const between = share(1, 2, 100, 64_000);
  const flood = share(1, 3, 100, 63_000);
  console.log(
    `continuation value calibration: a first version on x + 1.0·ε (worth ${valueAbove(cut(1, 0), 1).toFixed(4)} a ` +
      `request, the serving version 0.0551) published in ${percent(good)} of 100 runs within ${FIRST_VERSION_HORIZON} ` +
      `examples; on x + 1.5·ε (${valueAbove(cut(1.5, 0), 1.5).toFixed(4)}) in ${percent(weak)}; on x + 1.0·ε shifted ` +
      `+1 (${valueAbove(cut(1, 1), 1).toFixed(4)}, a little worse than sending to nobody, not shown so) in ` +
      `${percent(eager)}; shifted +2 (${valueAbove(cut(1, 2), 1).toFixed(4)}) in ${percent(between)}; shifted +3 ` +
      `(${valueAbove(cut(1, 3), 1).toFixed(4)}) in ${percent(flood)} — every one of ` +
      `them ranks better than the constant`,
  );
  // Until 45ef3e1 this test held a first version "a little worse than sending to nobody" (shifted
  // +1) to publication in at most α + 1 % of runs (1 % then): a first version had to *show* its
  // decisions worth more than serving no model. That claim cost the cold start its first model: all
  // its evidence is explored requests, so showing it took the 500-example last look, and in a cold
  // CI run the scale-out test (about 3 teaching examples a second) waited past its 240 s for one.
  // The guarantee is now the continuations' harm check: refused once *shown* worse, and waiting
  // while its estimate is below the margin. What that lets through is printed above: the +1 version
  // (−0.0015 a request, 4 % of the good version's worth the other way) is not told apart and is
  // published; measured here, one at −0.079 a request (+2) is published in 7 % of 100 runs and one
  // at −0.114 (+3) in 0 %. The bar moves to what the check does guarantee: a version far worse refused.
  assert.ok(good > 0.9, `a first version worth 0.04 a request published ${good}`);
  assert.ok(flood <= 0.1, `a first version sending to far too many published ${flood}`);
});
