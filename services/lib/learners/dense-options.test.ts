import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDenseOptions, DENSE_DEFAULTS } from './dense-options.js';

test('dense options - every default is filled in; mlp gets one hidden layer of 32', () => {
  assert.deepEqual(compileDenseOptions('logistic', {}, false), DENSE_DEFAULTS);
  assert.deepEqual(compileDenseOptions('mlp', {}, true).hiddenSizes, [32]);
});

test('dense options - lists every problem, each with what to do', () => {
  assert.throws(
    () =>
      compileDenseOptions(
        'mlp',
        { learningRate: -1, batchSize: 0.5, optimizer: 'rmsprop', hiddenSizes: [0], momentum: 0.9 },
        true,
      ),
    {
      name: 'HyperParameterError',
      message: [
        'invalid mlp hyper-parameters:',
        '  - unknown hyper-parameter "momentum": mlp knows learningRate, l2, batchSize, seed, hashBuckets, optimizer, hiddenSizes',
        '  - learningRate must be a number in (0, 10]: try 0.01 for adam or 0.1 for sgd, got -1',
        '  - batchSize must be an integer from 1 to 65536, got 0.5',
        '  - optimizer must be "adam" or "sgd", got "rmsprop"',
        '  - hiddenSizes must list 1 to 8 layer sizes, each an integer from 1 to 1024, e.g. [32] or [64, 16]; got [0]',
      ].join('\n'),
    },
  );
});

test('dense options - a linear family points hidden layers to mlp', () => {
  assert.throws(() => compileDenseOptions('logistic', { hiddenSizes: [8] }, false), {
    name: 'HyperParameterError',
    message:
      'invalid logistic hyper-parameters:\n  - unknown hyper-parameter "hiddenSizes": logistic knows learningRate, l2, batchSize, seed, hashBuckets, optimizer (use mlp for hidden layers)',
  });
});
