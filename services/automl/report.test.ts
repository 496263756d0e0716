import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitByTime, type TimedExample } from '../lib/automl/dataset.js';
import { splitText } from './report.js';

const example = (i: number, entity: string): TimedExample => ({
  decisionTs: Date.UTC(2026, 0, 1) + i * 1000,
  entity,
  features: {},
  label: 0,
  weight: 1,
});

test('automl report - the split names who validates, the entities a time split would have leaked, and where they went', () => {
  const { figures } = splitByTime(Array.from({ length: 600 }, (_, i) => example(i, `user-${i % 100}`)));
  assert.equal(
    splitText(figures),
    'held out by entity: the 20 entities first seen from 2026-01-01T00:01:20.000Z on validate (120 examples, 20.0 %), the 80 seen earlier train (480); ' +
      '100 entities (600 examples) straddled the time cut at 2026-01-01T00:08:00.000Z and would have been on both sides of a plain time split: ' +
      '80 went wholly to training (bringing 80 newer examples), 20 wholly to validation (bringing 80 older ones); ' +
      'the entity cut is earlier than the time cut so that validation keeps about 20 % of the examples; ' +
      'the largest entity, user-0, has 6 examples of 600 (1.0 %).',
  );
});

test('automl report - a split where no entity straddles the time cut says so', () => {
  const { figures } = splitByTime(Array.from({ length: 10 }, (_, i) => example(i, `user-${i}`)));
  assert.equal(
    splitText(figures),
    'held out by entity: the 2 entities first seen from 2026-01-01T00:00:08.000Z on validate (2 examples, 20.0 %), the 8 seen earlier train (8); ' +
      'no entity has examples on both sides of the time cut at 2026-01-01T00:00:08.000Z; ' +
      'the largest entity, user-0, has 1 example of 10 (10.0 %).',
  );
});
