import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import {
  EXPERIMENT_TUNING_N,
  analyzeExperiment,
  chiSquareSurvival,
  describeExperimentDesign,
  experimentDesign,
  type Observation,
} from './analysis.js';
import { RunningMoments } from '../stats/moments.js';
import { boundaryMultiplier } from '../stats/always-valid.js';

const arms = [
  { name: 'a', share: 0.5 },
  { name: 'b', share: 0.5 },
];

test('experiment analysis - one number per entity: the mean of its decisions', () => {
  const obs: Observation[] = [
    { arm: 'a', entity: 'u1', value: 1 },
    { arm: 'a', entity: 'u1', value: 0 },
    { arm: 'a', entity: 'u2', value: 0 },
    { arm: 'b', entity: 'u3', value: 1 },
    { arm: 'b', entity: 'u4', value: 1 },
    { arm: 'b', entity: 'u4', value: 0 },
  ];
  const r = analyzeExperiment('e', arms, 'a', obs);
  assert.deepEqual(r.arms, [
    { arm: 'a', share: 0.5, entities: 2, decisions: 3, mean: 0.25 },
    { arm: 'b', share: 0.5, entities: 2, decisions: 3, mean: 0.75 },
  ]);
  assert.equal(r.comparisons[0]!.difference.estimate, 0.5);
  assert.equal(r.sampleRatioP, 1);
});

function simulate(n: number, rates: Record<string, number>, seed: number, shares = arms): Observation[] {
  const random = new SeededRandom(seed);
  const obs: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const u = random.next();
    const arm = u < shares[0]!.share ? shares[0]!.name : shares[1]!.name;
    for (let k = 0; k < 3; k++) obs.push({ arm, entity: `u${i}`, value: random.next() < rates[arm]! ? 1 : 0 });
  }
  return obs;
}

test('experiment analysis - a clear winner is recommended with its interval; equal arms keep running', () => {
  const win = analyzeExperiment('e', arms, 'a', simulate(4000, { a: 0.1, b: 0.15 }, 1));
  assert.match(
    win.recommendation,
    /^ship b: b \+0\.0\d{3} per decision \(interval 0\.0\d{3} to 0\.0\d{3}; \+\d+\.\d % relative\) over a, significant at any look \(95 % always-valid interval\)$/,
  );
  const same = analyzeExperiment('e', arms, 'a', simulate(4000, { a: 0.1, b: 0.1 }, 2));
  assert.match(same.recommendation, /^keep running: no arm differs from a yet — b [+−]0\.\d{4} per decision/);
  const worse = analyzeExperiment('e', arms, 'a', simulate(4000, { a: 0.15, b: 0.1 }, 3));
  assert.match(worse.recommendation, /^keep a: every other arm is worse — b −0\.0\d{3}/);
  assert.deepEqual(
    [win, same, worse].map((r) => r.comparisons[0]!.verdict),
    ['better', 'undecided', 'worse'],
  );
});

test('experiment analysis - a split far from the declared shares is flagged before any comparison', () => {
  const skewed = analyzeExperiment(
    'e',
    arms,
    'a',
    simulate(4000, { a: 0.1, b: 0.15 }, 4, [
      { name: 'a', share: 0.6 },
      { name: 'b', share: 0.4 },
    ]),
  );
  assert.ok(skewed.sampleRatioP < 0.001);
  assert.match(
    skewed.recommendation,
    /^do not trust these numbers: the arms hold \d+ entities \/ \d+ entities against declared shares 50 % \/ 50 %/,
  );
  // The textbook 5 % and 0.1 % points of χ² with 1, 2, 3 and 4 degrees of freedom.
  const points: Array<[number, number, number]> = [
    [3.841459, 1, 0.05],
    [5.991465, 2, 0.05],
    [7.814728, 3, 0.05],
    [9.487729, 4, 0.05],
    [10.827566, 1, 0.001],
    [16.266236, 3, 0.001],
  ];
  for (const [x, k, p] of points)
    assert.ok(
      Math.abs(chiSquareSurvival(x, k) - p) < 1e-6 * Math.max(1, p * 1000),
      `χ²(${k}) at ${x}: ${chiSquareSurvival(x, k)}`,
    );
});

test("experiment analysis - CUPED on the entities' earlier outcomes narrows the interval", () => {
  const random = new SeededRandom(5);
  const obs: Observation[] = [];
  const before = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const arm = random.next() < 0.5 ? 'a' : 'b';
    const propensity = random.next() * 0.4; // entities differ a lot: what CUPED removes
    before.set(`u${i}`, propensity + 0.05 * random.normal());
    obs.push({ arm, entity: `u${i}`, value: propensity + (arm === 'b' ? 0.02 : 0) + 0.05 * random.normal() });
  }
  const r = analyzeExperiment('e', arms, 'a', obs, before);
  const c = r.comparisons[0]!;
  assert.ok(c.cuped !== null);
  assert.equal(c.cuped.entitiesWithHistory, 3000);
  assert.ok(c.cuped.varianceReduction > 0.6, `variance reduction ${c.cuped.varianceReduction}`);
  assert.ok(c.cuped.difference.high - c.cuped.difference.low < 0.7 * (c.difference.high - c.difference.low));
  assert.ok(c.cuped.difference.low < 0.02 && 0.02 < c.cuped.difference.high);
  assert.equal(analyzeExperiment('e', arms, 'a', obs).comparisons[0]!.cuped, null, 'no history, no CUPED');
});

test('experiment analysis - the design follows from the arms alone, so it is the same at every look', () => {
  const small = analyzeExperiment('e', arms, 'a', simulate(500, { a: 0.1, b: 0.1 }, 6));
  const large = analyzeExperiment('e', arms, 'a', simulate(5000, { a: 0.1, b: 0.1 }, 7));
  assert.deepEqual(small.design, large.design);
  assert.deepEqual(small.design, {
    alpha: 0.05,
    comparisons: 1,
    perComparison: { alpha: 0.05, tuningN: EXPERIMENT_TUNING_N, minEffect: 0, sides: 'two-sided' },
  });
  // Two treatments share the experiment's α: either false claim counts against it.
  assert.equal(experimentDesign(3).perComparison.alpha, 0.025);
  assert.throws(() => analyzeExperiment('e', arms, 'a', [], new Map(), experimentDesign(3)), {
    name: 'RangeError',
    message: 'the design splits α over 2 comparisons, but experiment e has 1',
  });
  assert.deepEqual(describeExperimentDesign(large.design).split('\n'), [
    "95 % always-valid: each interval covers its arm's true difference at every look at once with probability ≥ 0.95, so the experiment may stop as soon as one excludes 0.",
    'design, fixed before the experiment started and never tuned on its outcomes: α 0.05 over one comparison with the control, two-sided; boundary tuned for 10,000 entities (arm and control together); min effect 0.',
  ]);
});

test('experiment analysis - the difference and the relative lift use the always-valid multiplier at the entities compared', () => {
  const obs = simulate(3000, { a: 0.1, b: 0.12 }, 8);
  const r = analyzeExperiment('e', arms, 'a', obs);
  const c = r.comparisons[0]!;
  const entities = r.arms[0]!.entities + r.arms[1]!.entities;
  const multiplier = boundaryMultiplier(entities, r.design.perComparison);
  assert.ok(Math.abs(c.difference.multiplier - multiplier) < 1e-12);
  const perEntity = (arm: string) => {
    const sums = new Map<string, { sum: number; n: number }>();
    for (const o of obs.filter((x) => x.arm === arm)) {
      const e = sums.get(o.entity) ?? { sum: 0, n: 0 };
      e.sum += o.value;
      e.n++;
      sums.set(o.entity, e);
    }
    return RunningMoments.of([...sums.values()].map((e) => e.sum / e.n));
  };
  const [a, b] = [perEntity('a'), perEntity('b')];
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
  assert.ok(Math.abs(c.difference.high - c.difference.estimate - multiplier * se) < 1e-12);
  const ratio = b.mean / a.mean;
  const ratioError = Math.sqrt(b.variance / b.n + ratio * ratio * (a.variance / a.n)) / a.mean;
  assert.ok(Math.abs(c.relative.high - c.relative.estimate - multiplier * ratioError) < 1e-12);
});
