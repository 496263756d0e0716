import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf } from '../stats/normal.js';
import { SeededRandom } from '../learners/random.js';
import {
  ContextualBandit,
  EpsilonGreedy,
  LinearArm,
  LinUcb,
  Softmax,
  ThompsonSampling,
  type ArmEstimate,
  type PolicySpec,
} from './index.js';

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tolerance,
      `${what}[${i}]: ${actual[i]} is not within ${tolerance} of ${expected[i]}`,
    );
  }
}

/** x by Gauss–Jordan elimination with partial pivoting on a copy of M: the direct solve that
 * Sherman–Morrison must agree with. */
function solve(matrix: Float64Array, rhs: ArrayLike<number>): Float64Array {
  const d = rhs.length;
  const m = Array.from({ length: d }, (_, i) => [...matrix.subarray(i * d, i * d + d), rhs[i]!]);
  for (let c = 0; c < d; c++) {
    let pivot = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= d; k++) m[r]![k] = m[r]![k]! - f * m[c]![k]!;
    }
  }
  return Float64Array.from(m, (row, i) => row[d]! / row[i]!);
}

const est = (mean: number, width = 0): ArmEstimate => ({ mean, width });

// ---------------------------------------------------------------- linear arm

test('linear arm - two updates give the hand-computed A, A⁻¹, b, θ and width', () => {
  // λ = 1; (x, r) = ((1, 1), 2) then ((1, 0), 1): A = I + [[1,1],[1,1]] + [[1,0],[0,0]] = [[3,1],[1,2]],
  // det 5, A⁻¹ = [[2,−1],[−1,3]]/5, b = 2·(1,1) + 1·(1,0) = (3, 2), θ = A⁻¹b = (4/5, 3/5).
  const arm = new LinearArm(2, 1);
  arm.update(Float64Array.of(1, 1), 2);
  arm.update(Float64Array.of(1, 0), 1);
  assertClose(arm.precision(), [3, 1, 1, 2], 0, 'A');
  assertClose(arm.covariance(), [0.4, -0.2, -0.2, 0.6], 1e-15, 'A⁻¹');
  assertClose(arm.toJSON().b, [3, 2], 0, 'b');
  assertClose(arm.coefficients(), [0.8, 0.6], 1e-15, 'θ');
  assert.ok(Math.abs(arm.predict(Float64Array.of(1, 1)) - 1.4) <= 1e-15);
  assert.ok(Math.abs(arm.width(Float64Array.of(1, 0)) - Math.sqrt(0.4)) <= 1e-15);
  assert.ok(Math.abs(arm.width(Float64Array.of(0, 1)) - Math.sqrt(0.6)) <= 1e-15);
  assert.equal(arm.updates, 2);
  assert.equal(arm.totalWeight, 2);
});

test('linear arm - after 500 weighted updates in 5 dimensions θ agrees with a direct solve of Aθ = b to 1e-10', () => {
  const random = new SeededRandom(7);
  const arm = new LinearArm(5, 0.5);
  for (let t = 0; t < 500; t++) {
    const x = Float64Array.from({ length: 5 }, () => random.normal());
    arm.update(x, random.normal() + x[0]!, random.uniform(0.2, 5));
  }
  const { b } = arm.toJSON();
  assertClose(arm.coefficients(), solve(arm.precision(), b), 1e-10, 'θ');
  // A⁻¹ from Sherman–Morrison, column by column against direct solves of A·c = eⱼ, and exactly symmetric.
  const inverse = arm.covariance();
  for (let j = 0; j < 5; j++) {
    const e = new Float64Array(5);
    e[j] = 1;
    assertClose(
      Float64Array.from({ length: 5 }, (_, i) => inverse[i * 5 + j]!),
      solve(arm.precision(), e),
      1e-12,
      `A⁻¹ column ${j}`,
    );
    for (let i = 0; i < 5; i++) assert.equal(inverse[i * 5 + j], inverse[j * 5 + i]);
  }
});

test('linear arm - a weight of 3 learns what three unit updates learn, and a weight of 0 nothing', () => {
  const x = Float64Array.of(0.5, -1, 2);
  const weighted = new LinearArm(3);
  weighted.update(x, 1.5, 3);
  const repeated = new LinearArm(3);
  for (let i = 0; i < 3; i++) repeated.update(x, 1.5);
  assertClose(weighted.coefficients(), repeated.coefficients(), 1e-14, 'θ');
  assertClose(weighted.covariance(), repeated.covariance(), 1e-14, 'A⁻¹');
  const before = weighted.toJSON();
  weighted.update(Float64Array.of(9, 9, 9), 100, 0);
  assert.deepEqual(weighted.toJSON(), before);
});

test('linear arm - a JSON round-trip restores the exact state and predictions', () => {
  const random = new SeededRandom(3);
  const arm = new LinearArm(4, 2);
  for (let t = 0; t < 50; t++)
    arm.update(
      Float64Array.from({ length: 4 }, () => random.normal()),
      random.normal(),
      1.5,
    );
  const restored = LinearArm.fromJSON(JSON.parse(JSON.stringify(arm)));
  assert.deepEqual(restored.toJSON(), arm.toJSON());
  const x = Float64Array.of(0.3, -0.2, 1, 2);
  assert.equal(restored.predict(x), arm.predict(x));
  assert.equal(restored.width(x), arm.width(x));
});

test('linear arm - Cholesky draws of θ have mean θ̂ and covariance scale²·A⁻¹, so θ̃ᵀx ~ N(θ̂ᵀx, scale²·width²)', () => {
  const random = new SeededRandom(11);
  const arm = new LinearArm(3, 1);
  for (let t = 0; t < 20; t++) {
    const x = Float64Array.from({ length: 3 }, () => random.normal());
    arm.update(x, 1 + x[1]! + 0.3 * random.normal());
  }
  const [draws, scale, d] = [20000, 0.7, 3];
  const mean = new Float64Array(d);
  const second = new Float64Array(d * d);
  const x = Float64Array.of(1, -0.5, 0.25);
  let projected = 0;
  let projectedSquares = 0;
  for (let n = 0; n < draws; n++) {
    const theta = arm.sampleCoefficients(random, scale);
    for (let i = 0; i < d; i++) {
      mean[i] = mean[i]! + theta[i]! / draws;
      for (let j = 0; j < d; j++) second[i * d + j] = second[i * d + j]! + (theta[i]! * theta[j]!) / draws;
    }
    const s = theta.reduce((sum, v, i) => sum + v * x[i]!, 0);
    projected += s / draws;
    projectedSquares += (s * s) / draws;
  }
  const expected = arm.covariance().map((v) => scale * scale * v);
  const thetaHat = arm.coefficients();
  for (let i = 0; i < d; i++) {
    const se = Math.sqrt(expected[i * d + i]! / draws);
    assert.ok(Math.abs(mean[i]! - thetaHat[i]!) <= 5 * se, `mean[${i}] ${mean[i]} vs ${thetaHat[i]}`);
    for (let j = 0; j < d; j++) {
      const c = second[i * d + j]! - mean[i]! * mean[j]!;
      const cSe = Math.sqrt((expected[i * d + i]! * expected[j * d + j]! + expected[i * d + j]! ** 2) / draws);
      assert.ok(Math.abs(c - expected[i * d + j]!) <= 5 * cSe, `cov[${i}][${j}] ${c} vs ${expected[i * d + j]}`);
    }
  }
  const variance = projectedSquares - projected * projected;
  const target = (scale * arm.width(x)) ** 2;
  assert.ok(Math.abs(variance / target - 1) <= 5 * Math.sqrt(2 / draws), `var(θ̃ᵀx) ${variance} vs ${target}`);
  assert.ok(Math.abs(projected - arm.predict(x)) <= 5 * Math.sqrt(target / draws));
});

test('linear arm - rejects a bad dimension, ridge, context, reward or weight with a RangeError that names it', () => {
  assert.throws(() => new LinearArm(0), {
    name: 'RangeError',
    message: 'a linear arm needs a positive integer dimension, got 0',
  });
  assert.throws(() => new LinearArm(2, 0), {
    name: 'RangeError',
    message: 'the ridge λ must be a positive finite number, got 0',
  });
  const arm = new LinearArm(2);
  assert.throws(() => arm.predict(Float64Array.of(1)), {
    name: 'RangeError',
    message: 'a context must have 2 features, got 1',
  });
  assert.throws(() => arm.update(Float64Array.of(1, NaN), 1), {
    name: 'RangeError',
    message: 'context feature 1 must be a finite number, got NaN',
  });
  assert.throws(() => arm.update(Float64Array.of(1, 1), Infinity), {
    name: 'RangeError',
    message: 'a reward must be a finite number, got Infinity',
  });
  assert.throws(() => arm.update(Float64Array.of(1, 1), 1, -1), {
    name: 'RangeError',
    message: 'an importance weight must be a non-negative finite number, got -1',
  });
  assert.throws(() => LinearArm.fromJSON({ ...arm.toJSON(), b: [1] }), {
    name: 'RangeError',
    message: 'a linear arm of dimension 2 needs b of length 2, got 1',
  });
});

// ---------------------------------------------------------------- policies

test('policies - epsilon-greedy gives ε/K to every action and shares 1 − ε between exact ties', () => {
  const choice = new EpsilonGreedy(0.2).choose([est(1), est(3), est(2), est(3)], new SeededRandom(1));
  assertClose(choice.probabilities, [0.05, 0.45, 0.05, 0.45], 1e-15, 'P');
  assert.equal(
    choice.probabilities.reduce((s, p) => s + p, 0),
    1,
  );
  assertClose(choice.scores, [1, 3, 2, 3], 0, 'scores');
  // Before any learning every estimate is 0: all tie, and the choice is uniform whatever ε.
  assertClose(
    new EpsilonGreedy(0).choose([est(0), est(0), est(0), est(0)], new SeededRandom(1)).probabilities,
    [0.25, 0.25, 0.25, 0.25],
    0,
    'P',
  );
});

test('policies - softmax probabilities are exp(score/τ) normalised, and stay exact for scores near 1000', () => {
  // Scores τ·ln(1, 2, 3) give weights 1, 2, 3.
  const tau = 0.5;
  const scores = [0, tau * Math.LN2, tau * Math.log(3)];
  const choice = new Softmax(tau).choose(
    scores.map((s) => est(s)),
    new SeededRandom(1),
  );
  assertClose(choice.probabilities, [1 / 6, 2 / 6, 3 / 6], 1e-15, 'P');
  // Without subtracting the maximum, exp(1000/0.5) would overflow to Infinity and give NaN.
  const shifted = new Softmax(tau).choose(
    scores.map((s) => est(1000 + s)),
    new SeededRandom(1),
  );
  assertClose(shifted.probabilities, [1 / 6, 2 / 6, 3 / 6], 1e-12, 'P');
  assert.ok(Math.abs(shifted.probabilities.reduce((s, p) => s + p, 0) - 1) <= 1e-15);
});

test('policies - epsilon-greedy and softmax choose each action as often as their probabilities say (20 000 draws, within 4 se)', () => {
  const random = new SeededRandom(5);
  const estimates = [est(0.1), est(0.5), est(0.3)];
  for (const policy of [new EpsilonGreedy(0.3), new Softmax(0.2)]) {
    const counts = [0, 0, 0];
    const draws = 20000;
    let probabilities: Float64Array = new Float64Array(3);
    for (let n = 0; n < draws; n++) {
      const choice = policy.choose(estimates, random);
      counts[choice.index]! += 1;
      probabilities = choice.probabilities;
    }
    probabilities.forEach((p, i) => {
      const se = Math.sqrt((p * (1 - p)) / draws);
      assert.ok(
        Math.abs(counts[i]! / draws - p) <= 4 * se,
        `${policy.spec.kind} action ${i}: ${counts[i]! / draws} vs ${p}`,
      );
    });
  }
});

test('policies - LinUCB takes the largest mean + α·width with propensity 1, and splits exact ties uniformly', () => {
  const estimates = [est(1, 0), est(0.5, 1)];
  const clear = new LinUcb(1).choose(estimates, new SeededRandom(1));
  assert.equal(clear.index, 1);
  assertClose(clear.scores, [1, 1.5], 0, 'scores');
  assertClose(clear.probabilities, [0, 1], 0, 'P');
  // α = 0.5: both bounds are exactly 1.
  const random = new SeededRandom(2);
  const counts = [0, 0];
  for (let n = 0; n < 1000; n++) {
    const tie = new LinUcb(0.5).choose(estimates, random);
    assertClose(tie.probabilities, [0.5, 0.5], 0, 'P');
    counts[tie.index]! += 1;
  }
  assert.ok(counts[0]! > 430 && counts[0]! < 570, `tie broken ${counts[0]} / 1000 times towards action 0`);
});

test('policies - Thompson propensities sum to 1, are at least 1/201 for the chosen action, and average to the exact P(chosen)', () => {
  // Two arms: P(arm 0's draw wins) = Φ((0.2 − 0) / √(0.5² + 0.5²)) = Φ(0.2828…) ≈ 0.6114.
  const estimates = [est(0.2, 0.5), est(0, 0.5)];
  const exact = normalCdf(0.2 / Math.sqrt(0.5));
  const policy = new ThompsonSampling(1);
  const random = new SeededRandom(9);
  const decisions = 2000;
  let sum = 0;
  let chosen = 0;
  for (let n = 0; n < decisions; n++) {
    const choice = policy.choose(estimates, random);
    assert.ok(Math.abs(choice.probabilities[0]! + choice.probabilities[1]! - 1) <= 1e-15);
    assert.ok(choice.probabilities[choice.index]! >= 1 / 201);
    sum += choice.probabilities[0]!;
    if (choice.index === 0) chosen++;
  }
  // Unconditionally the estimate is unbiased: the decision is one more draw of the same law.
  // Each p̂ averages 201 Bernoulli draws, so the mean of 2000 has se √(p(1−p)/(2000·201)) ≈ 0.0008.
  const se = Math.sqrt((exact * (1 - exact)) / (decisions * 201));
  assert.ok(Math.abs(sum / decisions - exact) <= 4 * se, `mean p̂ ${sum / decisions} vs exact ${exact}`);
  assert.ok(Math.abs(chosen / decisions - exact) <= 4 * Math.sqrt((exact * (1 - exact)) / decisions));
  // With equal means and width 0 every draw ties: each action gets exactly 1/2.
  assertClose(policy.choose([est(0), est(0)], new SeededRandom(1)).probabilities, [0.5, 0.5], 1e-15, 'P of a tie');
});

test('policies - reject hyper-parameters out of range with a RangeError that says the range', () => {
  assert.throws(() => new EpsilonGreedy(1.5), { name: 'RangeError', message: 'epsilon must be in [0, 1], got 1.5' });
  assert.throws(() => new Softmax(0), {
    name: 'RangeError',
    message: 'the softmax temperature must be a positive finite number, got 0',
  });
  assert.throws(() => new LinUcb(-1), {
    name: 'RangeError',
    message: "LinUCB's alpha must be a non-negative finite number, got -1",
  });
  assert.throws(() => new ThompsonSampling(1, 0), {
    name: 'RangeError',
    message: 'propensityDraws must be a positive integer (the Monte Carlo draws that estimate the propensity), got 0',
  });
  assert.throws(() => new Softmax(1).choose([], new SeededRandom(1)), {
    name: 'RangeError',
    message: 'a policy needs at least one action to choose from',
  });
});

// ---------------------------------------------------------------- contextual bandit

const ACTIONS = ['a', 'b', 'c', 'd'] as const;
const D = 5;

/** A linear reward world: x = (1, z₁…z₄) with zⱼ ~ N(0, 1); action k's mean reward is θₖᵀx with
 * θₖ = (1, 0.4·N(0, 1)…), so every mean is around 1 and the best of four beats a random one by
 * about 0.6; rewards add N(0, 0.5²) noise. One generator drives the world, another the policy, so
 * every policy meets the same contexts and noise. */
class LinearWorld {
  readonly theta: Float64Array[];
  readonly noise = 0.5;
  private readonly random: SeededRandom;

  constructor(seed: number) {
    this.random = new SeededRandom(seed);
    this.theta = ACTIONS.map(() =>
      Float64Array.from({ length: D }, (_, j) => (j === 0 ? 1 : 0.4 * this.random.normal())),
    );
  }

  context(): Float64Array {
    return Float64Array.from({ length: D }, (_, j) => (j === 0 ? 1 : this.random.normal()));
  }

  means(x: Float64Array): number[] {
    return this.theta.map((th) => th.reduce((sum, v, j) => sum + v * x[j]!, 0));
  }

  reward(mean: number): number {
    return mean + this.noise * this.random.normal();
  }
}

interface SimulationFigures {
  /** Σ expected reward of the chosen actions / Σ oracle's, over rounds 15 000–20 000. */
  readonly share: number;
  /** The same for a uniformly random policy, for scale. */
  readonly uniformShare: number;
  /** Σ (best mean − chosen mean) over rounds 0–10 000 and 10 000–20 000. */
  readonly regret: readonly [number, number];
  /** The same regret for the greedy action (argmax θ̂ᵀx) that ε-greedy exploits. */
  readonly greedyRegret: readonly [number, number];
  readonly milliseconds: number;
}

const ROUNDS = 20000;

function simulate(policy: PolicySpec, seed: number): SimulationFigures {
  const world = new LinearWorld(seed);
  const bandit = new ContextualBandit({ actions: ACTIONS, dimension: D, policy });
  const random = new SeededRandom(seed + 1000);
  const regret: [number, number] = [0, 0];
  const greedyRegret: [number, number] = [0, 0];
  let [got, oracle, uniform] = [0, 0, 0];
  const start = performance.now();
  for (let t = 0; t < ROUNDS; t++) {
    const x = world.context();
    const means = world.means(x);
    const best = Math.max(...means);
    const choice = bandit.choose(x, random);
    const k = ACTIONS.indexOf(choice.action as (typeof ACTIONS)[number]);
    bandit.learn(x, choice.action, world.reward(means[k]!), choice.propensity);
    const estimates = bandit.estimates(x).map((e) => e.mean);
    const greedy = estimates.indexOf(Math.max(...estimates));
    const half = t < ROUNDS / 2 ? 0 : 1;
    regret[half] += best - means[k]!;
    greedyRegret[half] += best - means[greedy]!;
    if (t >= 0.75 * ROUNDS) {
      got += means[k]!;
      oracle += best;
      uniform += means.reduce((s, m) => s + m, 0) / means.length;
    }
  }
  return {
    share: got / oracle,
    uniformShare: uniform / oracle,
    regret,
    greedyRegret,
    milliseconds: performance.now() - start,
  };
}

function describe(f: SimulationFigures): string {
  return (
    `reward share of oracle over rounds 15k–20k ${f.share.toFixed(4)} (uniform policy ${f.uniformShare.toFixed(4)}); ` +
    `regret 0–10k ${f.regret[0].toFixed(1)}, 10k–20k ${f.regret[1].toFixed(1)} (ratio ${(f.regret[1] / f.regret[0]).toFixed(3)}); ` +
    `greedy-action regret ${f.greedyRegret[0].toFixed(1)} → ${f.greedyRegret[1].toFixed(1)}; ${f.milliseconds.toFixed(0)} ms`
  );
}

// Sublinear regret, stated as: the regret of rounds 10k–20k is at most half that of rounds 0–10k
// (a √T regret gives √2 − 1 ≈ 0.41, a linear one 1). A fixed ε pays ε·(mean gap) every round by
// design, so ε-greedy's regret is linear; what must vanish is the regret of the action it exploits.
test('contextual bandit - epsilon-greedy (ε = 0.05) earns ≥ 90 % of the oracle and its exploited action’s regret at least halves', (t) => {
  const f = simulate({ kind: 'epsilon-greedy', epsilon: 0.05 }, 1);
  t.diagnostic(describe(f));
  assert.ok(f.share >= 0.9, `share ${f.share}`);
  assert.ok(f.greedyRegret[1] <= 0.5 * f.greedyRegret[0], `greedy regret ${f.greedyRegret}`);
  assert.ok(f.regret[1] < f.regret[0], `regret ${f.regret}`);
});

test('contextual bandit - LinUCB (α = 1) earns ≥ 90 % of the oracle and its regret of rounds 10k–20k is at most half that of 0–10k', (t) => {
  const f = simulate({ kind: 'linucb', alpha: 1 }, 1);
  t.diagnostic(describe(f));
  assert.ok(f.share >= 0.9, `share ${f.share}`);
  assert.ok(f.regret[1] <= 0.5 * f.regret[0], `regret ${f.regret}`);
});

test('contextual bandit - Thompson sampling (v = noise sd) earns ≥ 90 % of the oracle and its regret of rounds 10k–20k is at most half that of 0–10k', (t) => {
  const f = simulate({ kind: 'thompson', scale: 0.5 }, 1);
  t.diagnostic(describe(f));
  assert.ok(f.share >= 0.9, `share ${f.share}`);
  assert.ok(f.regret[1] <= 0.5 * f.regret[0], `regret ${f.regret}`);
});

test('contextual bandit - choices carry probabilities over every action that sum to 1, the propensity among them', () => {
  for (const policy of [
    { kind: 'epsilon-greedy', epsilon: 0.1 },
    { kind: 'softmax', temperature: 0.3 },
    { kind: 'linucb', alpha: 1 },
    { kind: 'thompson' },
  ] as const) {
    const world = new LinearWorld(2);
    const bandit = new ContextualBandit({ actions: ACTIONS, dimension: D, policy });
    const random = new SeededRandom(3);
    for (let n = 0; n < 200; n++) {
      const x = world.context();
      const choice = bandit.choose(x, random);
      assert.deepEqual(Object.keys(choice.probabilities), [...ACTIONS]);
      const total = Object.values(choice.probabilities).reduce((s, p) => s + p, 0);
      assert.ok(Math.abs(total - 1) <= 1e-12, `${policy.kind}: probabilities sum to ${total}`);
      assert.equal(choice.propensity, choice.probabilities[choice.action]);
      assert.ok(choice.propensity > 0);
      bandit.learn(
        x,
        choice.action,
        world.reward(world.means(x)[ACTIONS.indexOf(choice.action as 'a')]!),
        choice.propensity,
      );
    }
  }
});

test('contextual bandit - seeded runs repeat, the context is left untouched, and a JSON round-trip changes no later choice', () => {
  const run = (bandit: ContextualBandit, seed: number, rounds: number) => {
    const world = new LinearWorld(seed);
    const random = new SeededRandom(seed);
    const log: string[] = [];
    for (let n = 0; n < rounds; n++) {
      const x = world.context();
      const copy = Float64Array.from(x);
      const choice = bandit.choose(x, random);
      assert.deepEqual(x, copy);
      bandit.learn(x, choice.action, world.reward(1), choice.propensity);
      log.push(JSON.stringify(choice));
    }
    return log;
  };
  const options = {
    actions: ACTIONS,
    dimension: D,
    policy: { kind: 'thompson', scale: 0.5, propensityDraws: 50 },
  } as const;
  const first = new ContextualBandit(options);
  const second = new ContextualBandit(options);
  assert.deepEqual(run(first, 4, 300), run(second, 4, 300));
  assert.deepEqual(first.toJSON(), second.toJSON());

  const restored = ContextualBandit.fromJSON(JSON.parse(JSON.stringify(first)));
  assert.deepEqual(restored.toJSON(), first.toJSON());
  assert.deepEqual(run(restored, 5, 100), run(first, 5, 100));
});

test("contextual bandit - 'inverse-propensity' weighting learns a reward of propensity 0.25 as an update of weight 4, capped by maxImportanceWeight", () => {
  const x = Float64Array.of(1, 0.5, -0.5, 2, 0);
  const reference = new LinearArm(D);
  reference.update(x, 2, 4);
  const weighted = new ContextualBandit({
    actions: ACTIONS,
    dimension: D,
    policy: { kind: 'linucb', alpha: 1 },
    importanceWeighting: 'inverse-propensity',
  });
  weighted.learn(x, 'c', 2, 0.25);
  assert.deepEqual(weighted.arm('c').toJSON(), reference.toJSON());

  const capped = new ContextualBandit({
    actions: ACTIONS,
    dimension: D,
    policy: { kind: 'linucb', alpha: 1 },
    importanceWeighting: 'inverse-propensity',
    maxImportanceWeight: 2,
  });
  capped.learn(x, 'c', 2, 0.25);
  assert.equal(capped.arm('c').totalWeight, 2);

  const plain = new ContextualBandit({ actions: ACTIONS, dimension: D, policy: { kind: 'linucb', alpha: 1 } });
  plain.learn(x, 'c', 2, 0.25);
  assert.equal(plain.arm('c').totalWeight, 1);
});

test('contextual bandit - rejects bad options, unknown actions and propensities outside (0, 1] with a RangeError that says what to do', () => {
  const policy = { kind: 'linucb', alpha: 1 } as const;
  assert.throws(() => new ContextualBandit({ actions: [], dimension: 2, policy }), {
    name: 'RangeError',
    message: 'a contextual bandit needs at least one action',
  });
  assert.throws(() => new ContextualBandit({ actions: ['a', 'a'], dimension: 2, policy }), {
    name: 'RangeError',
    message: 'action "a" is listed twice: action names must be distinct',
  });
  assert.throws(() => new ContextualBandit({ actions: ['a'], dimension: 2, policy, maxImportanceWeight: 10 }), {
    name: 'RangeError',
    message:
      "maxImportanceWeight only applies with importanceWeighting 'inverse-propensity': set that too, or drop the cap",
  });
  assert.throws(
    () => new ContextualBandit({ actions: ['a'], dimension: 2, policy: { kind: 'greedy' } as unknown as PolicySpec }),
    {
      name: 'RangeError',
      message: 'unknown policy kind "greedy": use epsilon-greedy, softmax, linucb or thompson',
    },
  );
  const bandit = new ContextualBandit({ actions: ['a', 'b'], dimension: 2, policy });
  assert.throws(() => bandit.learn(Float64Array.of(1, 1), 'z', 1), {
    name: 'RangeError',
    message: 'unknown action "z": this bandit has a, b',
  });
  assert.throws(() => bandit.learn(Float64Array.of(1, 1), 'a', 1, 0), {
    name: 'RangeError',
    message: 'a propensity must be in (0, 1], got 0',
  });
  const weighted = new ContextualBandit({
    actions: ['a'],
    dimension: 2,
    policy,
    importanceWeighting: 'inverse-propensity',
  });
  assert.throws(() => weighted.learn(Float64Array.of(1, 1), 'a', 1), {
    name: 'RangeError',
    message: "importanceWeighting 'inverse-propensity' needs the propensity logged with the decision",
  });
  assert.throws(() => ContextualBandit.fromJSON({ ...bandit.toJSON(), version: 2 } as never), {
    name: 'RangeError',
    message: 'expected looper.contextual-bandit version 1, got looper.contextual-bandit version 2',
  });
});
