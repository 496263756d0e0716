import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { doublyRobust, ips, snips, type LoggedDecision, type OffPolicyEstimate } from './index.js';

const Z95 = 1.959963984540054;

function assertEstimate(
  actual: OffPolicyEstimate,
  expected: { value: number; standardError: number; effectiveSampleSize: number; n: number },
): void {
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-14, `${what}: ${a} vs ${b}`);
  close(actual.value, expected.value, 'value');
  close(actual.standardError, expected.standardError, 'standardError');
  close(actual.low, expected.value - Z95 * expected.standardError, 'low');
  close(actual.high, expected.value + Z95 * expected.standardError, 'high');
  close(actual.effectiveSampleSize, expected.effectiveSampleSize, 'effectiveSampleSize');
  assert.equal(actual.n, expected.n);
}

// Four records over actions a, b. Importance weights π(a|x)/μ(a|x): 1/0.5 = 2, 0/0.5 = 0,
// 0.5/0.25 = 2, 0.5/0.75 = 2/3; Σw = 14/3, Σw² = 76/9, so ESS = (196/9)/(76/9) = 49/19.
const TINY: readonly LoggedDecision[] = [
  { action: 'a', reward: 1, propensity: 0.5, targetProbabilities: { a: 1, b: 0 }, rewardModel: { a: 0.8, b: 0.2 } },
  { action: 'b', reward: 0, propensity: 0.5, targetProbabilities: { a: 1, b: 0 }, rewardModel: { a: 0.6, b: 0.4 } },
  {
    action: 'a',
    reward: 0,
    propensity: 0.25,
    targetProbabilities: { a: 0.5, b: 0.5 },
    rewardModel: { a: 0.5, b: 0.5 },
  },
  {
    action: 'b',
    reward: 1,
    propensity: 0.75,
    targetProbabilities: { a: 0.5, b: 0.5 },
    rewardModel: { a: 0.2, b: 0.6 },
  },
];

test('ope - IPS on a four-record log is the hand-computed mean of wᵢrᵢ with its sample standard error', () => {
  // Terms wr = 2, 0, 0, 2/3: mean 2/3; deviations 4/3, −2/3, −2/3, 0 give s² = (8/3)/3 = 8/9, se = √(8/9/4) = √2/3.
  assertEstimate(ips(TINY), { value: 2 / 3, standardError: Math.SQRT2 / 3, effectiveSampleSize: 49 / 19, n: 4 });
});

test('ope - SNIPS on a four-record log is Σwr/Σw with the delta-method standard error √Σw²(r − V)²/Σw', () => {
  // V = (8/3)/(14/3) = 4/7; Σ w²(r − V)² = 4·9/49 + 0 + 4·16/49 + (4/9)·9/49 = 104/49; se² = (104/49)/(196/9) = 234/2401.
  assertEstimate(snips(TINY), { value: 4 / 7, standardError: Math.sqrt(234) / 49, effectiveSampleSize: 49 / 19, n: 4 });
});

test('ope - DR on a four-record log is the mean of Σπq̂ + w(r − q̂(a)) with its sample standard error', () => {
  // Terms: 0.8 + 2(1 − 0.8) = 1.2; 0.6 + 0 = 0.6; 0.5 + 2(0 − 0.5) = −0.5; 0.4 + (2/3)(1 − 0.6) = 2/3.
  // ×120: 144, 72, −60, 80, mean 59 (V = 59/120); deviations 85, 13, −119, 21, Σ² = 21996;
  // s² = 21996/120²/3 = 611/1200 and se² = 611/4800.
  assertEstimate(doublyRobust(TINY), {
    value: 59 / 120,
    standardError: Math.sqrt(611 / 4800),
    effectiveSampleSize: 49 / 19,
    n: 4,
  });
});

test('ope - clipping at maxWeight 1.5 caps the weights 2, 0, 2, 2/3 at 1.5, 0, 1.5, 2/3', () => {
  // IPS terms 1.5, 0, 0, 2/3: V = (13/6)/4 = 13/24. Σw = 11/3, Σw² = 89/18: ESS = (121/9)/(89/18) = 242/89.
  const clipped = ips(TINY, { maxWeight: 1.5 });
  assert.ok(Math.abs(clipped.value - 13 / 24) <= 1e-15, `value ${clipped.value}`);
  assert.ok(Math.abs(clipped.effectiveSampleSize - 242 / 89) <= 1e-14, `ESS ${clipped.effectiveSampleSize}`);
  // alpha widens or narrows the interval: 90 % uses z = 1.6448536269514722.
  const ninety = ips(TINY, { alpha: 0.1 });
  assert.ok(Math.abs(ninety.high - (2 / 3 + 1.6448536269514722 * (Math.SQRT2 / 3))) <= 1e-14);
});

test('ope - rejects propensities outside (0, 1], non-finite rewards and target probabilities that do not sum to 1, naming the record', () => {
  const record = TINY[0]!;
  const withRecord = (changes: Partial<LoggedDecision>) => [TINY[1]!, { ...record, ...changes }];
  for (const estimator of [ips, snips, doublyRobust]) {
    assert.throws(() => estimator(withRecord({ propensity: 0 })), {
      name: 'RangeError',
      message: 'record 1: the propensity must be in (0, 1], got 0',
    });
    assert.throws(() => estimator(withRecord({ propensity: 1.2 })), {
      name: 'RangeError',
      message: 'record 1: the propensity must be in (0, 1], got 1.2',
    });
    assert.throws(() => estimator(withRecord({ propensity: NaN })), {
      name: 'RangeError',
      message: 'record 1: the propensity must be in (0, 1], got NaN',
    });
    assert.throws(() => estimator(withRecord({ reward: NaN })), {
      name: 'RangeError',
      message: 'record 1: the reward must be a finite number, got NaN',
    });
    assert.throws(() => estimator(withRecord({ reward: -Infinity })), {
      name: 'RangeError',
      message: 'record 1: the reward must be a finite number, got -Infinity',
    });
    assert.throws(() => estimator(withRecord({ targetProbabilities: { a: 0.6, b: 0.3 } })), {
      name: 'RangeError',
      message: 'record 1: the target probabilities must sum to 1 (within 0.000001), got 0.8999999999999999',
    });
    assert.throws(() => estimator(withRecord({ targetProbabilities: { a: 1.5, b: -0.5 } })), {
      name: 'RangeError',
      message: 'record 1: the target probability of "a" must be in [0, 1], got 1.5',
    });
    assert.throws(() => estimator([record]), {
      name: 'RangeError',
      message: 'off-policy evaluation needs at least 2 records for a standard error, got 1',
    });
    assert.throws(() => estimator(TINY, { maxWeight: 0 }), {
      name: 'RangeError',
      message: 'maxWeight must be a positive number (or omitted for no clipping), got 0',
    });
    // Within the 1e-6 tolerance a sum is accepted.
    assert.doesNotThrow(() => estimator(withRecord({ targetProbabilities: { a: 0.9999995, b: 0 } })));
  }
  assert.throws(() => doublyRobust(withRecord({ rewardModel: undefined })), {
    name: 'RangeError',
    message: 'record 1: the doubly robust estimator needs a rewardModel',
  });
  assert.throws(() => doublyRobust(withRecord({ rewardModel: { b: 0.2 } })), {
    name: 'RangeError',
    message: 'record 1: the reward model needs a finite reward for "a", got undefined',
  });
  assert.throws(() => snips([TINY[1]!, TINY[1]!]), {
    name: 'RangeError',
    message: 'SNIPS needs a record whose logged action the target policy may take: every importance weight is 0',
  });
});

// ---------------------------------------------------------------- simulation with a known truth

// Three equally likely contexts, four actions, Bernoulli rewards with P(r = 1 | x, a) = P[x][a].
// The log comes from the uniform policy (μ = 1/4); the target is a stochastic policy that mostly
// takes each context's best action. Its true value is (1/3) Σₓ Σₐ π(a|x)·P[x][a] = 1.76/3.
const P = [
  [0.2, 0.5, 0.3, 0.6],
  [0.7, 0.1, 0.4, 0.3],
  [0.5, 0.5, 0.8, 0.2],
] as const;
const TARGET = [
  [0.1, 0.2, 0.1, 0.6],
  [0.7, 0.1, 0.1, 0.1],
  [0.1, 0.1, 0.7, 0.1],
] as const;
const ACTIONS = ['a', 'b', 'c', 'd'] as const;
const TRUTH = P.reduce((sum, row, x) => sum + row.reduce((s, p, a) => s + TARGET[x]![a]! * p, 0), 0) / P.length;

// Literal objects, not Object.fromEntries or spreads: V8 keeps literals in fast mode, and the
// simulation reads these maps 20 million times.
const toRecord = (row: readonly number[]): Record<string, number> => ({
  a: row[0]!,
  b: row[1]!,
  c: row[2]!,
  d: row[3]!,
});
const TARGET_RECORDS = TARGET.map(toRecord);
const CORRECT_MODEL = P.map(toRecord);
/** A reward model that knows nothing: DR must stay unbiased with it (μ is right), just noisier. */
const UNINFORMED_MODEL = P.map(() => toRecord([0.5, 0.5, 0.5, 0.5]));

const RUNS = 1000;
const RECORDS = 2000;
const SEED = 2024;

/** The RUNS simulated logs of RECORDS records, each handed to `estimate`; the same logs for a given
 * seed whatever the reward model attached. */
function simulate(
  model: readonly Record<string, number>[] | undefined,
  estimate: (log: LoggedDecision[]) => void,
): number {
  const start = performance.now();
  const random = new SeededRandom(SEED);
  for (let run = 0; run < RUNS; run++) {
    const log: LoggedDecision[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const x = Math.floor(random.next() * P.length);
      const a = Math.floor(random.next() * ACTIONS.length);
      log.push({
        action: ACTIONS[a]!,
        reward: random.next() < P[x]![a]! ? 1 : 0,
        propensity: 1 / ACTIONS.length,
        targetProbabilities: TARGET_RECORDS[x]!,
        rewardModel: model?.[x],
      });
    }
    estimate(log);
  }
  return performance.now() - start;
}

interface Summary {
  /** Mean of the estimates over the runs. */
  readonly mean: number;
  /** Their Monte-Carlo standard error, sd/√runs. */
  readonly monteCarloError: number;
  /** Share of runs whose 95 % interval contains the truth. */
  readonly coverage: number;
  /** Mean reported standard error. */
  readonly standardError: number;
}

function summarise(estimates: readonly OffPolicyEstimate[]): Summary {
  const values = estimates.map((e) => e.value);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return {
    mean,
    monteCarloError: Math.sqrt(variance / values.length),
    coverage: estimates.filter((e) => e.low <= TRUTH && TRUTH <= e.high).length / estimates.length,
    standardError: estimates.reduce((s, e) => s + e.standardError, 0) / estimates.length,
  };
}

/** Asserts the estimator unbiased (|mean − truth| ≤ 3 Monte-Carlo errors) and its coverage in
 * [0.93, 0.97]; returns the figures as a diagnostic line. */
function assertCalibrated(name: string, estimates: readonly OffPolicyEstimate[]): string {
  const s = summarise(estimates);
  const line = `${name}: mean ${s.mean.toFixed(5)} (truth ${TRUTH.toFixed(5)}, MC error ${s.monteCarloError.toFixed(5)}), coverage ${s.coverage.toFixed(3)}, mean se ${s.standardError.toFixed(5)}`;
  assert.ok(
    Math.abs(s.mean - TRUTH) <= 3 * s.monteCarloError,
    `${name} mean ${s.mean} vs truth ${TRUTH} (MC error ${s.monteCarloError})`,
  );
  assert.ok(s.coverage >= 0.93 && s.coverage <= 0.97, `${name} coverage ${s.coverage} outside [0.93, 0.97]`);
  return line;
}

// 1000 runs of 2000 records. An interval with exactly 95 % coverage would measure it with a
// standard error of √(0.95·0.05/1000) ≈ 0.0069, so the asserted band [0.93, 0.97] is ±2.9 of them;
// "unbiased" is asserted as |mean − truth| ≤ 3 Monte-Carlo errors (sd of the estimates / √1000).
// Every test below simulates the same logs (same seed), printed figures included.
test('ope - over 1000 simulated logs IPS and SNIPS are unbiased and their 95 % intervals cover the true value in 93–97 % of runs', (t) => {
  const [byIps, bySnips] = [[] as OffPolicyEstimate[], [] as OffPolicyEstimate[]];
  const ms = simulate(undefined, (log) => {
    byIps.push(ips(log));
    bySnips.push(snips(log));
  });
  t.diagnostic(assertCalibrated('IPS', byIps));
  t.diagnostic(assertCalibrated('SNIPS', bySnips));
  t.diagnostic(`${ms.toFixed(0)} ms`);
});

test('ope - with the correct reward model DR is unbiased, covers in 93–97 % of runs, and its standard error is below IPS’s in every run', (t) => {
  const [byDr, byIps] = [[] as OffPolicyEstimate[], [] as OffPolicyEstimate[]];
  const ms = simulate(CORRECT_MODEL, (log) => {
    byDr.push(doublyRobust(log));
    byIps.push(ips(log));
  });
  t.diagnostic(assertCalibrated('DR (correct model)', byDr));
  // The correct model leaves DR with the weighted Bernoulli noise alone; IPS also carries the
  // variation of the mean reward across contexts and actions.
  const below = byDr.filter((e, i) => e.standardError < byIps[i]!.standardError).length;
  const ratio = summarise(byDr).standardError / summarise(byIps).standardError;
  t.diagnostic(
    `DR se < IPS se in ${below}/${RUNS} runs; mean se ratio DR/IPS ${ratio.toFixed(3)}; ${ms.toFixed(0)} ms`,
  );
  assert.equal(below, RUNS);
});

test('ope - with an uninformed reward model (0.5 everywhere) DR stays unbiased and covers in 93–97 % of runs, because the propensities are right', (t) => {
  const byDr: OffPolicyEstimate[] = [];
  const ms = simulate(UNINFORMED_MODEL, (log) => byDr.push(doublyRobust(log)));
  t.diagnostic(assertCalibrated('DR (uninformed model)', byDr));
  t.diagnostic(`${ms.toFixed(0)} ms`);
});
