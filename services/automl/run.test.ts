import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SplitError, type TimedExample } from '../lib/automl/dataset.js';
import { splitExamples } from './run.js';
import { AutomlError } from './errors.js';
import { MIN_SIDE_EXAMPLES } from './enough-examples.js';

const example = (i: number, entity: string): TimedExample => ({
  decisionTs: 1_767_225_600_000 + i * 1000,
  entity,
  features: { i },
  label: i % 2,
  weight: 1,
});

test('automl run - users who come back are split whole: the latest-seen fifth validates, and none is on both sides', () => {
  // 100 users taking turns, six decisions each: every user straddles a plain time cut.
  const examples = Array.from({ length: 600 }, (_, i) => example(i, `user-${i % 100}`));
  const { train, validation, figures } = splitExamples('bp', examples);
  assert.equal(train.xs.length, 480);
  assert.equal(validation.xs.length, 120);
  const users = (xs: readonly { readonly [k: string]: unknown }[]) => new Set(xs.map((x) => Number(x['i']) % 100));
  const trained = users(train.xs);
  assert.deepEqual(
    [...users(validation.xs)].filter((u) => trained.has(u)),
    [],
  );
  assert.deepEqual(figures.validation, { entities: 20, examples: 120 });
  assert.deepEqual(figures.crossed, {
    toTrain: { entities: 80, examples: 480, moved: 80 },
    toValidation: { entities: 20, examples: 120, moved: 80 },
  });
});

test('automl run - one entity is refused with the blueprint named and what to check', () => {
  const examples = Array.from({ length: 600 }, (_, i) => example(i, 'anonymous'));
  assert.throws(
    () => splitExamples('bp', examples),
    (error: unknown) =>
      error instanceof AutomlError &&
      error.cause instanceof SplitError &&
      /^blueprint bp: all 600 examples are about one entity \(anonymous\)/.test(error.message),
  );
});

test('automl run - a side left too small by an entity holding most examples is refused, naming that entity', () => {
  assert.equal(MIN_SIDE_EXAMPLES, 100);
  const early = Array.from({ length: 600 }, (_, i) => example(i, i < 550 ? 'load-test' : `user-${i}`));
  assert.throws(
    () => splitExamples('bp', early),
    /AutomlError: blueprint bp: keeping each entity's examples on one side leaves 50 validation examples \(of 50 entities\), and a search needs 100 on each side: the largest entity, load-test, has 550 of the 600/,
  );
  const late = Array.from({ length: 600 }, (_, i) => example(i, i < 50 ? `user-${i}` : 'load-test'));
  assert.throws(() => splitExamples('bp', late), /leaves 50 training examples \(of 50 entities\)/);
});
