// Calibration of the rollout's verdicts: seeded simulations that drive the real rules (judge.ts)
// and fail when a bound the docs state is broken. Each simulates the sufficient statistics a rule
// reads — an estimate that is the running mean of independent per-example influence terms, and
// its standard error — instead of single rows, so a run can reach a million examples; the
// row-level feedback-loop case is in feedback-calibration.test.ts.
//
// Looks come at every 1 % of growth from 10³ to 10⁶ examples, far more often than the service
// looks (every 2 %), and the min effect is 0 in the A/A runs, the case where a false verdict is
// easiest. The bounds are α plus 1 % of Monte-Carlo slack over at least 1,000 runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { VERDICT_ALPHA, sequentialDesign } from '../stats/always-valid.js';
import { canaryRule, rollbackRule, shadowRule } from './judge.js';

const RUNS = 1000;
const LOOKS: readonly number[] = (() => {
  const looks: number[] = [];
  for (let n = 1000; n <= 1_000_000; n = Math.ceil(n * 1.01)) looks.push(n);
  return looks;
})();

/** A running mean of per-example terms with standard deviation `sigma` and mean `mean`, at each look. */
function* runningMean(random: SeededRandom, mean: number, sigma: number, looks: readonly number[]) {
  let sum = 0;
  let seen = 0;
  for (const n of looks) {
    sum += (n - seen) * mean + sigma * Math.sqrt(n - seen) * random.normal();
    seen = n;
    yield { n, estimate: sum / n, standardError: sigma / Math.sqrt(n) };
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
};
const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

test('calibration - an equal shadow looked at every 1 % of growth from 10³ to 10⁶ is promoted at most α + 1 % of the time', () => {
  const design = sequentialDesign({ alpha: VERDICT_ALPHA.promotion, tuningN: 2000, minEffect: 0, sides: 'two-sided' });
  const random = new SeededRandom(17);
  let promoted = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const look of runningMean(random, 0, 1, LOOKS)) {
      const { kind } = shadowRule(look.estimate, look.standardError, look.n, design, false);
      if (kind === 'promote') promoted++;
      if (kind !== 'wait') break;
    }
  }
  const rate = promoted / RUNS;
  console.log(
    `calibration: shadow A/A, ${LOOKS.length} looks, ${RUNS} runs: promoted ${percent(rate)} (α ${design.alpha})`,
  );
  assert.ok(rate <= design.alpha + 0.01, `false promotions ${percent(rate)}`);
});

test('calibration - a shadow better by twice its min effect is promoted in most runs, and the median time is printed', () => {
  // Influence terms with σ = 1: a gain of 0.1 is a tenth of a standard deviation per example.
  const design = sequentialDesign({
    alpha: VERDICT_ALPHA.promotion,
    tuningN: 2000,
    minEffect: 0.05,
    sides: 'two-sided',
  });
  const random = new SeededRandom(18);
  const times: number[] = [];
  let promoted = 0;
  const looks = LOOKS.filter((n) => n <= 16_000);
  for (let run = 0; run < RUNS; run++) {
    for (const look of runningMean(random, 0.1, 1, looks)) {
      const { kind } = shadowRule(look.estimate, look.standardError, look.n, design, look.n >= 16_000);
      if (kind === 'promote') {
        promoted++;
        times.push(look.n);
      }
      if (kind !== 'wait') break;
    }
  }
  const power = promoted / RUNS;
  console.log(
    `calibration: shadow better by 0.1 σ (min effect 0.05 σ): promoted ${percent(power)}, median ${median(times)} examples`,
  );
  assert.ok(power >= 0.9, `power ${percent(power)}`);
});

test('calibration - the interval a shadow verdict prints covers the true gain at least 1 − α of the time where it stopped', () => {
  const design = sequentialDesign({
    alpha: VERDICT_ALPHA.promotion,
    tuningN: 2000,
    minEffect: 0.02,
    sides: 'two-sided',
  });
  const random = new SeededRandom(19);
  const truth = 0.03;
  let covered = 0;
  for (let run = 0; run < RUNS; run++) {
    let last = null;
    for (const look of runningMean(
      random,
      truth,
      1,
      LOOKS.filter((n) => n <= 200_000),
    )) {
      last = shadowRule(look.estimate, look.standardError, look.n, design, look.n >= 200_000);
      if (last.kind !== 'wait') break;
    }
    if (last !== null && last.bounds.low <= truth && truth <= last.bounds.high) covered++;
  }
  const coverage = covered / RUNS;
  console.log(
    `calibration: shadow interval at its stopping time covers the truth ${percent(coverage)} (1 − α ${1 - design.alpha})`,
  );
  assert.ok(coverage >= 1 - design.alpha, `coverage ${percent(coverage)}`);
});

test('calibration - a live version that did not drop, looked at every 1 % of growth from 10³ to 10⁶, is rolled back at most α + 1 % of the time', () => {
  const window = 1000;
  const design = sequentialDesign({
    alpha: VERDICT_ALPHA.rollback / 2,
    tuningN: 4 * window,
    minEffect: 0,
    sides: 'one-sided',
  });
  const random = new SeededRandom(20);
  let rolledBack = 0;
  for (let run = 0; run < RUNS; run++) {
    const baseline = random.normal() / Math.sqrt(window);
    for (const look of runningMean(random, 0, 1, LOOKS)) {
      const se = Math.hypot(1 / Math.sqrt(window), look.standardError);
      if (rollbackRule(baseline - look.estimate, se, look.n, design).kind === 'reject') {
        rolledBack++;
        break;
      }
    }
  }
  const rate = rolledBack / RUNS;
  console.log(
    `calibration: rollback A/A, ${LOOKS.length} looks, ${RUNS} runs: rolled back ${percent(rate)} (α ${design.alpha})`,
  );
  assert.ok(rate <= design.alpha + 0.01, `false rollbacks ${percent(rate)}`);
});

test('calibration - a live version that dropped by twice metric_drop is rolled back in most runs, and the median time is printed', () => {
  const window = 1000;
  const design = sequentialDesign({
    alpha: VERDICT_ALPHA.rollback / 2,
    tuningN: 4 * window,
    minEffect: 0.1,
    sides: 'one-sided',
  });
  const random = new SeededRandom(21);
  const times: number[] = [];
  const looks = LOOKS.filter((n) => n <= 40 * window);
  for (let run = 0; run < RUNS; run++) {
    const baseline = random.normal() / Math.sqrt(window);
    for (const look of runningMean(random, -0.2, 1, looks)) {
      const se = Math.hypot(1 / Math.sqrt(window), look.standardError);
      if (rollbackRule(baseline - look.estimate, se, look.n, design).kind === 'reject') {
        times.push(look.n);
        break;
      }
    }
  }
  const power = times.length / RUNS;
  console.log(
    `calibration: rollback of a drop of 0.2 σ (metric_drop 0.1 σ, first window 1,000 examples): ${percent(power)} of runs, median ${median(times)} examples after the window`,
  );
  assert.ok(power >= 0.9, `power ${percent(power)}`);
});

test('calibration - an equal canary is rolled back at most α + 1 % of the time, and one worse by its tolerance is called "not worse" at most α + 1 %', () => {
  const share = 0.1;
  const tolerance = 0.05;
  const design = sequentialDesign({
    alpha: VERDICT_ALPHA.canary,
    tuningN: 2000,
    minEffect: tolerance,
    sides: 'two-sided',
  });
  const random = new SeededRandom(22);
  let rolledBack = 0;
  let shownNotWorse = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const [truth, onVerdict] of [
      [0, (kind: string) => kind === 'reject' && rolledBack++],
      [-tolerance, (kind: string) => kind === 'promote' && shownNotWorse++],
    ] as const) {
      const canary = runningMean(
        random,
        truth,
        1,
        LOOKS.map((n) => Math.ceil(n * share)),
      );
      const live = runningMean(
        random,
        0,
        1,
        LOOKS.map((n) => Math.ceil(n * (1 - share))),
      );
      for (const c of canary) {
        const l = live.next().value!;
        const { kind } = canaryRule(
          c.estimate - l.estimate,
          Math.hypot(c.standardError, l.standardError),
          c.n,
          c.n + l.n,
          design,
          Infinity,
        );
        if (kind !== 'wait') {
          onVerdict(kind);
          break;
        }
      }
    }
  }
  console.log(
    `calibration: canary (10 % share), ${RUNS} runs: equal rolled back ${percent(rolledBack / RUNS)}, ` +
      `worse by the tolerance called not worse ${percent(shownNotWorse / RUNS)} (α ${design.alpha})`,
  );
  assert.ok(rolledBack / RUNS <= design.alpha + 0.01);
  assert.ok(shownNotWorse / RUNS <= design.alpha + 0.01);
});
