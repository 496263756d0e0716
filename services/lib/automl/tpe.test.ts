import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configKey, defaultSearchSpace, type SearchSpace, type TrialConfig } from './space.js';
import { TpeSampler, type TpeOptions } from './tpe.js';

/** Runs `trials` proposals through `objective`, observing each; returns the proposals with their values. */
function search(space: SearchSpace, objective: (c: TrialConfig) => number, trials: number, options: TpeOptions = {}) {
  const sampler = new TpeSampler(space, options);
  const runs: Array<{ config: TrialConfig; value: number }> = [];
  for (let i = 0; i < trials; i++) {
    const config = sampler.sample();
    const value = objective(config);
    sampler.observe(config, value);
    runs.push({ config, value });
  }
  return runs;
}

const LR_SPACE: SearchSpace = [
  { family: 'linear', params: { learningRate: { kind: 'float', low: 1e-4, high: 1, log: true } } },
];
const lrObjective = (c: TrialConfig) => -((Math.log10(c.params['learningRate'] as number) + 2) ** 2);
const TWO_FAMILIES: SearchSpace = [
  { family: 'a', params: { x: { kind: 'float', low: 0, high: 1 } } },
  { family: 'b', params: { x: { kind: 'float', low: 0, high: 1 } } },
];

test('tpe - the same seed and observations give the same proposals; another seed others', () => {
  const space = defaultSearchSpace(['logistic', 'mlp', 'gbdt'], 'classification');
  const objective = (c: TrialConfig) => (c.family === 'gbdt' ? (c.params['maxDepth'] as number) : 0);
  const first = search(space, objective, 25, { seed: 7 });
  assert.deepEqual(search(space, objective, 25, { seed: 7 }), first);
  assert.notDeepEqual(search(space, objective, 25, { seed: 8 }), first);
});

test('tpe - every proposal lies in the space: floats in range, ints integer, choices among the values', () => {
  const space = defaultSearchSpace(['linear', 'mlp', 'gbdt'], 'estimation');
  const runs = search(space, (c) => (c.family === 'mlp' ? 1 : 0) + (c.params['learningRate'] as number), 80, {
    seed: 3,
  });
  assert.deepEqual(new Set(runs.map((r) => r.config.family)), new Set(['linear', 'mlp', 'gbdt']));
  for (const { config } of runs) {
    const family = space.find((f) => f.family === config.family)!;
    assert.deepEqual(Object.keys(config.params), Object.keys(family.params));
    for (const [name, spec] of Object.entries(family.params)) {
      const value = config.params[name]!;
      if (spec.kind === 'choice')
        assert.ok(
          spec.values.some((v) => JSON.stringify(v) === JSON.stringify(value)),
          `${name} ${JSON.stringify(value)}`,
        );
      else {
        assert.ok(typeof value === 'number' && value >= spec.low && value <= spec.high, `${name} ${value}`);
        if (spec.kind === 'int') assert.ok(Number.isInteger(value), `${name} ${value}`);
      }
    }
  }
});

test('tpe - warm-start configurations come first, in order; ones outside the space are skipped', () => {
  const space = defaultSearchSpace(['logistic', 'mlp'], 'classification');
  const sampler = new TpeSampler(space, { seed: 1 });
  sampler.seedWith([
    { family: 'mlp', params: { learningRate: 0.01, l2: 1e-4, hiddenSizes: [32, 16] } },
    { family: 'gbdt', params: { nTrees: 50 } },
    { family: 'logistic', params: { learningRate: 0.5, l2: 1e-4 } },
    { family: 'logistic', params: { learningRate: 0.02 } },
    { family: 'mlp', params: { learningRate: 0.01, l2: 1e-4, hiddenSizes: [48] } },
    { family: 'logistic', params: { learningRate: 0.02, l2: 1e-3, batchSize: 128, optimizer: 'adam' } },
    { family: 'mlp', params: { hiddenSizes: [32, 16], l2: 1e-4, learningRate: 0.01 } },
  ]);
  assert.deepEqual(sampler.sample(), {
    family: 'mlp',
    params: { learningRate: 0.01, l2: 1e-4, hiddenSizes: [32, 16] },
  });
  assert.deepEqual(sampler.sample(), { family: 'logistic', params: { learningRate: 0.02, l2: 1e-3 } });
  const drawn = sampler.sample();
  assert.notEqual(
    configKey(drawn),
    configKey({ family: 'mlp', params: { learningRate: 0.01, l2: 1e-4, hiddenSizes: [32, 16] } }),
  );
  assert.equal(sampler.observations, 0);
});

test('tpe - beats random search on a one-parameter objective: best of 30 trials, averaged over 20 seeds', () => {
  let tpe = 0;
  let random = 0;
  for (let seed = 1; seed <= 20; seed++) {
    tpe += Math.max(...search(LR_SPACE, lrObjective, 30, { seed }).map((r) => r.value)) / 20;
    random +=
      Math.max(...search(LR_SPACE, lrObjective, 30, { seed, startupTrials: Infinity }).map((r) => r.value)) / 20;
  }
  assert.ok(tpe > random, `tpe ${tpe} vs random ${random}`);
  // Measured: tpe -0.00006, random -0.0107 (best |log10(lr) + 2| about 0.008 against 0.1).
  assert.ok(tpe > -0.001, `tpe ${tpe}`);
});

test('tpe - once modelling starts, proposals concentrate on the family that is always better', () => {
  let better = 0;
  let modelled = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const runs = search(TWO_FAMILIES, (c) => (c.params['x'] as number) - (c.family === 'a' ? 1 : 0), 40, { seed });
    const afterStartup = runs.slice(6);
    better += afterStartup.filter((r) => r.config.family === 'b').length;
    modelled += afterStartup.length;
  }
  assert.ok(better / modelled >= 0.9, `${better} of ${modelled}`);
});

test('tpe - failed evaluations (NaN, -Infinity) count as worst', () => {
  const runs = search(
    TWO_FAMILIES,
    (c) => (c.family === 'a' ? ((c.params['x'] as number) < 0.5 ? NaN : -Infinity) : -1000),
    30,
    { seed: 2 },
  );
  const afterStartup = runs.slice(6);
  assert.ok(
    afterStartup.filter((r) => r.config.family === 'b').length >= 22,
    JSON.stringify(afterStartup.map((r) => r.config.family)),
  );
});

test('tpe - never repeats a proposal while the space has unproposed points', () => {
  const tiny: SearchSpace = [
    {
      family: 'gbdt',
      params: { maxDepth: { kind: 'int', low: 2, high: 4 }, colsample: { kind: 'choice', values: [0.5, 1] } },
    },
    { family: 'linear', params: {} },
  ];
  for (let seed = 1; seed <= 10; seed++) {
    const runs = search(tiny, (c) => (c.family === 'gbdt' ? (c.params['maxDepth'] as number) : 0), 8, {
      seed,
      startupTrials: 2,
    });
    assert.equal(new Set(runs.slice(0, 7).map((r) => configKey(r.config))).size, 7, `seed ${seed}`);
    assert.ok(
      runs.slice(0, 7).some((r) => configKey(r.config) === configKey(runs[7]!.config)),
      'the eighth of seven points repeats one',
    );
  }
});

test('tpe - log-scaled ints reach both ends', () => {
  const space: SearchSpace = [{ family: 'gbdt', params: { nTrees: { kind: 'int', low: 1, high: 4, log: true } } }];
  const seen = new Set(
    search(space, () => 0, 4, { seed: 5, startupTrials: Infinity }).map((r) => r.config.params['nTrees']),
  );
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4]);
});

test('tpe - refuses bad options and observations of families outside the space', () => {
  assert.throws(() => new TpeSampler(LR_SPACE, { gamma: 0, candidates: 2.5, startupTrials: -1, seed: -3 }), {
    name: 'ConfigError',
    message: [
      'invalid configuration:',
      '  - tpe seed must be an integer from 0 to 4294967295, got -3',
      '  - tpe startupTrials must be an integer ≥ 0 (Infinity: random search), got -1',
      '  - tpe gamma must be in (0, 1], got 0: try 0.25',
      '  - tpe candidates must be an integer ≥ 1, got 2.5: try 24',
    ].join('\n'),
  });
  const sampler = new TpeSampler(LR_SPACE);
  assert.throws(() => sampler.observe({ family: 'gbdt', params: {} }, 1), {
    name: 'ConfigError',
    message: 'invalid configuration:\n  - family "gbdt" is not in the search space: it searches linear',
  });
  sampler.observe({ family: 'linear', params: { learningRate: 0.01 } }, 1);
  assert.equal(sampler.observations, 1);
});
