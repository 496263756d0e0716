// Calibration of the experiment verdict by simulation: the false winner rate of A/A tests looked at
// as often as anyone would, the power and time to a verdict of a known effect, and the coverage of
// the printed interval at the moment someone stops because of it. Each run grows two arms of
// per-entity outcomes (normal, mean 0.1 and standard deviation 0.3, like a click rate per
// decision) from 1,000 to 1,000,000 entities and looks after every 1 % of growth (686 looks).
// Arms grow by batches of sufficient statistics drawn from their exact distributions (a batch of
// k outcomes has a mean N(μ, σ²/k) and, independently, a sum of squared deviations σ²·χ²ₖ₋₁), so
// a run costs a few hundred draws instead of a million. Every verdict goes through the code the
// report uses (compareMoments, verdictOf); the figures are printed and seeded, so every run
// measures the same ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { compareMoments, experimentDesign, verdictOf, type Verdict } from './analysis.js';
import { fixedHorizonInterval, type Interval } from '../stats/sequential.js';
import type { ArmStats } from '../stats/moments.js';

const MEAN = 0.1;
const SD = 0.3;
const FIRST_LOOK = 1_000;
const LAST_LOOK = 1_000_000;
const GROWTH = 1.01;
const DESIGN = experimentDesign(2).perComparison;
const ALPHA = DESIGN.alpha;

/** Entities in both arms at each look: every 1 % of growth, even so that the arms split equally. */
const LOOKS: readonly number[] = (() => {
  const looks = [FIRST_LOOK];
  while (looks.at(-1)! < LAST_LOOK) looks.push(Math.min(LAST_LOOK, 2 * Math.ceil((looks.at(-1)! * GROWTH) / 2)));
  return looks;
})();

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), exact; shape < 1 through Gamma(shape + 1)·U^(1/shape). */
function gamma(random: SeededRandom, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * Math.pow(1 - random.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - random.next()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One arm's running n, mean and sum of squared deviations, grown by whole batches. */
class Arm implements ArmStats {
  n = 0;
  mean = 0;
  private squares = 0;

  constructor(
    private readonly random: SeededRandom,
    private readonly mu: number,
  ) {}

  get variance(): number {
    return this.n < 2 ? 0 : this.squares / (this.n - 1);
  }

  /** k more entities, merged as Chan et al. (1979) combine two samples' moments. */
  grow(k: number): void {
    if (k <= 0) return;
    const batchMean = this.mu + (SD / Math.sqrt(k)) * this.random.normal();
    const batchSquares = k > 1 ? SD * SD * 2 * gamma(this.random, (k - 1) / 2) : 0;
    const total = this.n + k;
    const delta = batchMean - this.mean;
    this.squares += batchSquares + (delta * delta * this.n * k) / total;
    this.mean += (delta * k) / total;
    this.n = total;
  }
}

interface Run {
  /** The first look's verdict other than 'undecided', and the entities then; null if none by the last look. */
  readonly verdict: Verdict | null;
  readonly entities: number | null;
  /** Whether the interval printed at the stopping look (the first verdict, else the last look) covered the truth. */
  readonly coveredAtStop: boolean;
  /** Whether the interval covered the truth at every look (then `throughout` was asked for). */
  readonly coveredThroughout: boolean;
}

const alwaysValid = (control: ArmStats, treatment: ArmStats): Interval =>
  compareMoments(control, treatment, DESIGN).difference;

/** One experiment looked at on LOOKS: stopped at its first verdict on `interval`, or followed to the last look. */
function runExperiment(random: SeededRandom, effect: number, interval = alwaysValid, throughout = false): Run {
  const control = new Arm(random, MEAN);
  const treatment = new Arm(random, MEAN + effect);
  let first: { verdict: Verdict; entities: number; covered: boolean } | null = null;
  let coveredThroughout = true;
  for (const entities of LOOKS) {
    control.grow(entities / 2 - control.n);
    treatment.grow(entities / 2 - treatment.n);
    const difference = interval(control, treatment);
    const verdict = verdictOf(difference, DESIGN);
    const covered = difference.low <= effect && effect <= difference.high;
    coveredThroughout &&= covered;
    if (first === null && verdict !== 'undecided') first = { verdict, entities, covered };
    if (first !== null && !throughout) break;
    if (entities === LAST_LOOK && first === null)
      return { verdict: null, entities: null, coveredAtStop: covered, coveredThroughout };
  }
  return { verdict: first!.verdict, entities: first!.entities, coveredAtStop: first!.covered, coveredThroughout };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

test('experiments - an A/A test looked at every 1 % of growth calls a winner at most α + 1 % of the time', (t) => {
  const RUNS = 2_000;
  const random = new SeededRandom(20_241);
  let called = 0;
  let treatmentCalled = 0;
  for (let r = 0; r < RUNS; r++) {
    const run = runExperiment(random, 0);
    if (run.verdict !== null) called++;
    if (run.verdict === 'better') treatmentCalled++;
  }
  // For contrast, what the same looks do to the one-look 95 % interval (nothing acts on it).
  const PEEKING_RUNS = 500;
  const peekingRandom = new SeededRandom(20_242);
  let peekingCalled = 0;
  for (let r = 0; r < PEEKING_RUNS; r++) {
    if (runExperiment(peekingRandom, 0, (a, b) => fixedHorizonInterval(a, b, ALPHA)).verdict !== null) peekingCalled++;
  }
  const rate = called / RUNS;
  t.diagnostic(
    `A/A, ${LOOKS.length} looks from ${FIRST_LOOK} to ${LAST_LOOK} entities, ${RUNS} runs, α ${ALPHA}: a winner (either arm) called in ${percent(rate)} (± ${percent(Math.sqrt((rate * (1 - rate)) / RUNS))}), the treatment in ${percent(treatmentCalled / RUNS)}`,
  );
  t.diagnostic(
    `for contrast, the one-look ${Math.round(100 * (1 - ALPHA))} % interval on the same looks: a winner called in ${percent(peekingCalled / PEEKING_RUNS)} of ${PEEKING_RUNS} runs`,
  );
  assert.ok(rate <= ALPHA + 0.01, `false winner rate ${rate} above α + 1 % = ${ALPHA + 0.01}`);
});

test('experiments - a known lift of 6 % is called in at least 95 % of runs by 10⁶ entities, at a median under 150,000', (t) => {
  // 0.006 on a mean of 0.1 with σ 0.3: a one-look test at 95 % with 80 % power would need
  // 4σ²(1.96 + 0.84)²/δ² ≈ 78,400 entities, fixed in advance and looked at once.
  const RUNS = 1_000;
  const EFFECT = 0.006;
  const random = new SeededRandom(31_337);
  const found: number[] = [];
  let wrongWay = 0;
  for (let r = 0; r < RUNS; r++) {
    const run = runExperiment(random, EFFECT);
    if (run.verdict === 'better') found.push(run.entities!);
    if (run.verdict === 'worse') wrongWay++;
  }
  const power = found.length / RUNS;
  const byTenth = (n: number) => found.filter((x) => x <= n).length / RUNS;
  t.diagnostic(
    `lift ${EFFECT} on ${MEAN} (σ ${SD}), ${RUNS} runs: power ${percent(power)} by ${LAST_LOOK} entities (${percent(byTenth(100_000))} by 100,000, ${percent(byTenth(300_000))} by 300,000); median entities at the verdict ${median(found)}; the wrong way ${wrongWay}`,
  );
  assert.ok(power >= 0.95, `power ${power} below 95 %`);
  assert.ok(median(found) <= 150_000, `median entities at the verdict ${median(found)}`);
  assert.ok(wrongWay / RUNS <= ALPHA / 2, `the better arm called worse in ${wrongWay} runs`);
});

test('experiments - the interval printed when the experiment stops on it covers the true lift at least 1 − α of the time', (t) => {
  // A small lift, so that runs stop anywhere from the first look to the last: the stopping time
  // depends on the data, which a one-look interval does not survive and this one must.
  const RUNS = 1_000;
  const EFFECT = 0.003;
  const random = new SeededRandom(4_242);
  let covered = 0;
  let coveredThroughout = 0;
  const stops: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const run = runExperiment(random, EFFECT, alwaysValid, true);
    if (run.coveredAtStop) covered++;
    if (run.coveredThroughout) coveredThroughout++;
    stops.push(run.entities ?? LAST_LOOK);
  }
  const coverage = covered / RUNS;
  const simultaneous = coveredThroughout / RUNS;
  t.diagnostic(
    `lift ${EFFECT}, stop at the first look whose interval excludes 0 or at ${LAST_LOOK}: coverage ${percent(coverage)} over ${RUNS} runs; stopped before the last look in ${percent(stops.filter((s) => s < LAST_LOOK).length / RUNS)}, median stop ${median(stops)} entities`,
  );
  // The guarantee behind it: covering at all looks at once, so at any stopping rule whatever.
  t.diagnostic(
    `the same runs followed to the end: covered at every one of the ${LOOKS.length} looks in ${percent(simultaneous)}`,
  );
  assert.ok(coverage >= 1 - ALPHA, `coverage ${coverage} below ${1 - ALPHA}`);
  assert.ok(simultaneous >= 1 - ALPHA - 0.01, `simultaneous coverage ${simultaneous} below 1 − α − 1 %`);
});
