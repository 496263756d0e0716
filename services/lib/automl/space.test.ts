import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDenseOptions } from '../learners/dense-options.js';
import { LEARNER_FAMILIES } from '../learners/families.js';
import { compileGbdtOptions } from '../learners/gbdt-options.js';
import {
  checkSearchSpace,
  configKey,
  DEFAULT_FAMILY_SPACES,
  defaultSearchSpace,
  discretePoints,
  gridOf,
  gridValues,
  type SearchSpace,
} from './space.js';

test('space - the default space keeps the families in the order given, each with its own params', () => {
  const space = defaultSearchSpace(['gbdt', 'logistic', 'mlp'], 'classification');
  assert.deepEqual(
    space.map((f) => [f.family, Object.keys(f.params)]),
    [
      ['gbdt', ['nTrees', 'learningRate', 'maxDepth', 'minChildWeight', 'lambda', 'subsample', 'colsample']],
      ['logistic', ['learningRate', 'l2']],
      ['mlp', ['learningRate', 'l2', 'hiddenSizes']],
    ],
  );
  assert.deepEqual(space[0]!.params['nTrees'], { kind: 'int', low: 20, high: 200, log: true });
  assert.deepEqual(space[2]!.params['hiddenSizes'], { kind: 'choice', values: [[16], [32], [64], [32, 16]] });
});

test('space - the default space knows every learner family, with the same tasks', () => {
  assert.deepEqual(
    LEARNER_FAMILIES.map((f) => [f.name, [...f.tasks]]),
    Object.entries(DEFAULT_FAMILY_SPACES).map(([name, entry]) => [name, [...entry.tasks]]),
  );
});

test('space - an unknown family or one that does not fit the task is refused by name', () => {
  assert.throws(() => defaultSearchSpace(['logistic', 'xgboost', 'linear'], 'classification'), {
    name: 'SearchSpaceError',
    message: [
      'invalid search space:',
      '  - unknown model family "xgboost": the default search space knows logistic, linear, mlp, gbdt',
      '  - model family "linear" does not fit task classification: it learns estimation',
    ].join('\n'),
  });
  assert.throws(() => defaultSearchSpace(['logistic'], 'estimation'), {
    message:
      'invalid search space:\n  - model family "logistic" does not fit task estimation: it learns classification',
  });
  assert.throws(() => defaultSearchSpace([], 'estimation'), {
    message: 'invalid search space:\n  - no families: list at least one family to search',
  });
});

test('space - every point of the default grids is accepted by its learner family', () => {
  for (const task of ['classification', 'estimation'] as const) {
    const families = task === 'classification' ? ['logistic', 'mlp', 'gbdt'] : ['linear', 'mlp', 'gbdt'];
    for (const config of gridOf(defaultSearchSpace(families, task), 2)) {
      if (config.family === 'gbdt') compileGbdtOptions(config.params);
      else compileDenseOptions(config.family, config.params, config.family === 'mlp');
    }
  }
});

test('space - a grid takes both ends and evenly spaced points between, log-spaced when log', () => {
  assert.deepEqual(gridValues({ kind: 'float', low: 0.001, high: 0.1, log: true }, 3), [0.001, 0.01, 0.1]);
  assert.deepEqual(gridValues({ kind: 'float', low: 1e-6, high: 1e-2, log: true }, 5), [1e-6, 1e-5, 1e-4, 1e-3, 1e-2]);
  assert.deepEqual(
    gridValues({ kind: 'float', low: 0.001, high: 0.1, log: true }, 5),
    [0.001, 0.00316227766017, 0.01, 0.0316227766017, 0.1],
  );
  assert.deepEqual(gridValues({ kind: 'float', low: 0.6, high: 1 }, 5), [0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(gridValues({ kind: 'float', low: 0.1, high: 10, log: true }, 1), [1]);
  assert.deepEqual(gridValues({ kind: 'float', low: 0.6, high: 1 }, 1), [0.8]);
});

test('space - int grid points are rounded and repeats dropped', () => {
  assert.deepEqual(gridValues({ kind: 'int', low: 20, high: 200, log: true }, 5), [20, 36, 63, 112, 200]);
  assert.deepEqual(gridValues({ kind: 'int', low: 2, high: 6 }, 5), [2, 3, 4, 5, 6]);
  assert.deepEqual(gridValues({ kind: 'int', low: 2, high: 4 }, 9), [2, 3, 4]);
  assert.deepEqual(gridValues({ kind: 'choice', values: ['adam', 'sgd'] }, 9), ['adam', 'sgd']);
});

test('space - the grid is the cartesian product per family, the first param varying slowest', () => {
  const space: SearchSpace = [
    {
      family: 'logistic',
      params: {
        learningRate: { kind: 'float', low: 0.001, high: 0.1, log: true },
        optimizer: { kind: 'choice', values: ['adam', 'sgd'] },
      },
    },
    { family: 'gbdt', params: { maxDepth: { kind: 'int', low: 2, high: 3 } } },
  ];
  assert.deepEqual(gridOf(space, 2), [
    { family: 'logistic', params: { learningRate: 0.001, optimizer: 'adam' } },
    { family: 'logistic', params: { learningRate: 0.001, optimizer: 'sgd' } },
    { family: 'logistic', params: { learningRate: 0.1, optimizer: 'adam' } },
    { family: 'logistic', params: { learningRate: 0.1, optimizer: 'sgd' } },
    { family: 'gbdt', params: { maxDepth: 2 } },
    { family: 'gbdt', params: { maxDepth: 3 } },
  ]);
  assert.deepEqual(gridOf([{ family: 'linear', params: {} }], 4), [{ family: 'linear', params: {} }]);
});

test('space - default grid sizes: 3·3 + 3·3·4 + 3^7 at three points, 2·2 + 2·2·4 + 2^7 at two', () => {
  const space = defaultSearchSpace(['logistic', 'mlp', 'gbdt'], 'classification');
  assert.equal(gridOf(space, 3).length, 9 + 36 + 2187);
  assert.equal(gridOf(space, 2).length, 4 + 16 + 128);
  assert.throws(() => gridOf(space, 0), {
    name: 'RangeError',
    message: 'pointsPerParam must be an integer ≥ 1, got 0',
  });
});

test('space - grid configurations share no array with the space', () => {
  const space = defaultSearchSpace(['mlp'], 'estimation');
  const [a, b] = gridOf(space, 2);
  assert.notEqual(a!.params['hiddenSizes'], b!.params['hiddenSizes']);
  assert.notEqual(
    a!.params['hiddenSizes'],
    (space[0]!.params['hiddenSizes'] as { values: readonly unknown[] }).values[0],
  );
});

test('space - a family of ints and choices lists every point; a float or too many points give null', () => {
  const family = {
    family: 'gbdt',
    params: { maxDepth: { kind: 'int', low: 2, high: 4, log: true }, colsample: { kind: 'choice', values: [0.5, 1] } },
  } as const;
  assert.deepEqual(
    discretePoints(family, 6)!.map((c) => [c.params['maxDepth'], c.params['colsample']]),
    [
      [2, 0.5],
      [2, 1],
      [3, 0.5],
      [3, 1],
      [4, 0.5],
      [4, 1],
    ],
  );
  assert.equal(discretePoints(family, 5), null);
  assert.equal(discretePoints({ family: 'linear', params: { l2: { kind: 'float', low: 0, high: 1 } } }, 1000), null);
  assert.deepEqual(discretePoints({ family: 'linear', params: {} }, 1), [{ family: 'linear', params: {} }]);
});

test('space - configKey is canonical: params sorted by name, the family first', () => {
  const key = configKey({ family: 'mlp', params: { learningRate: 0.01, hiddenSizes: [32, 16], l2: 1e-5 } });
  assert.equal(key, 'mlp {"hiddenSizes":[32,16],"l2":0.00001,"learningRate":0.01}');
  assert.equal(configKey({ family: 'mlp', params: { l2: 1e-5, hiddenSizes: [32, 16], learningRate: 0.01 } }), key);
  assert.notEqual(configKey({ family: 'gbdt', params: { l2: 1e-5, hiddenSizes: [32, 16], learningRate: 0.01 } }), key);
  assert.notEqual(configKey({ family: 'mlp', params: { l2: 1e-5, hiddenSizes: [16, 32], learningRate: 0.01 } }), key);
});

test('space - checkSearchSpace names the family, the param and what is wrong', () => {
  const space = [
    {
      family: 'gbdt',
      params: { maxDepth: { kind: 'int', low: 6, high: 2 }, nTrees: { kind: 'int', low: 1.5, high: 200 } },
    },
    {
      family: 'logistic',
      params: { l2: { kind: 'float', low: 0, high: 0.1, log: true }, optimizer: { kind: 'choice', values: [] } },
    },
    {
      family: 'mlp',
      params: {
        hiddenSizes: { kind: 'choice', values: [[32], [32]] },
        learningRate: { kind: 'float', low: 0.1, high: Infinity },
        seed: { kind: 'uniform' },
      },
    },
    { family: 'gbdt', params: {} },
  ] as unknown as SearchSpace;
  assert.throws(() => checkSearchSpace(space), {
    name: 'SearchSpaceError',
    message: [
      'invalid search space:',
      '  - gbdt.maxDepth: low 6 must be below high 2 (a fixed value is a choice of one)',
      '  - gbdt.nTrees: int bounds must be integers, got low 1.5, high 200',
      '  - logistic.l2: log scale needs low > 0, got low 0',
      '  - logistic.optimizer: choice has no values: list at least one',
      '  - mlp.hiddenSizes: choice lists [32] twice',
      '  - mlp.learningRate: bounds must be finite numbers, got low 0.1, high Infinity',
      '  - mlp.seed: unknown kind "uniform": use float, int or choice',
      '  - family "gbdt" is listed twice: merge its params into one entry',
    ].join('\n'),
  });
  assert.doesNotThrow(() => checkSearchSpace(defaultSearchSpace(['linear', 'mlp', 'gbdt'], 'estimation')));
});
