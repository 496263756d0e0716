import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LooperError } from '../errors.js';
import { ArtifactError as LearnersArtifactError } from '../learners/errors.js';
import { ArtifactError, MulticlassInputError, MulticlassOptionsError, ScoringArgumentError } from './errors.js';

test('errors - each has its name, a stable code, context fields, and is not retriable', () => {
  const options = new MulticlassOptionsError('ngram', ['order must be 1 or 2, got 3']);
  assert.deepEqual(
    [options.name, options.code, options.what, options.retriable],
    ['MulticlassOptionsError', 'invalid_hyper_parameters', 'ngram', false],
  );
  assert.equal(options.message, 'invalid ngram options:\n  - order must be 1 or 2, got 3');
  const input = new MulticlassInputError('softmax', 'label 2 is NaN: a numeric label must be finite', 2);
  assert.deepEqual(
    [input.name, input.code, input.family, input.index, input.message],
    [
      'MulticlassInputError',
      'invalid_training_input',
      'softmax',
      2,
      'softmax: label 2 is NaN: a numeric label must be finite',
    ],
  );
  const argument = new ScoringArgumentError('softmax.topK', 'k must be an integer ≥ 1, got 0');
  assert.deepEqual(
    [argument.name, argument.code, argument.method],
    ['ScoringArgumentError', 'invalid_argument', 'softmax.topK'],
  );
  for (const e of [options, input, argument]) assert.ok(e instanceof LooperError);
});

test('errors - ArtifactError is the learners one, so one catch covers every unreadable artifact', () => {
  assert.equal(ArtifactError, LearnersArtifactError);
});
