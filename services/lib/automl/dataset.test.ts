import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newestShare, singleLabel, splitByTime, type TimedExample } from './dataset.js';
import { firstRungShare } from './search.js';

const at = (decisionTs: number, label = 0): TimedExample => ({
  decisionTs,
  features: { t: decisionTs },
  label,
  weight: 1,
});

test('dataset - the split is by decision time: every training row is older than every validation row', () => {
  const examples = [at(5), at(1), at(9), at(3), at(7), at(2), at(8), at(4), at(6), at(10)];
  const { train, validation } = splitByTime(examples, 0.2);
  assert.deepEqual(train.ts, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(validation.ts, [9, 10]);
  assert.deepEqual(validation.xs, [{ t: 9 }, { t: 10 }]);
});

test('dataset - rows sharing the boundary time all go to validation, so none is on both sides', () => {
  const { train, validation } = splitByTime([at(1), at(2), at(3), at(3), at(3), at(4)], 0.4);
  assert.deepEqual(train.ts, [1, 2]);
  assert.deepEqual(validation.ts, [3, 3, 3, 4]);
});

test('dataset - one decision time cannot be split, and says why', () => {
  assert.throws(() => splitByTime([at(1), at(1), at(1)]), /cannot be split by time.*two different times/);
  assert.throws(() => splitByTime([at(1), at(2)], 1), /validationShare must be in \(0, 1\)/);
});

test('dataset - a smaller rung trains on the newest rows', () => {
  const { train } = splitByTime(
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => at(t)),
    0.1,
  );
  assert.deepEqual(newestShare(train, 1 / 3).ts, [7, 8, 9]);
  assert.deepEqual(newestShare(train, 1).ts, train.ts);
  assert.deepEqual(newestShare(train, 0.01).ts, [9]);
});

test('dataset - the first rung keeps 1000 rows at least: fewer rungs on less data', () => {
  assert.equal(firstRungShare(20_000), 1 / 9);
  assert.equal(firstRungShare(9000), 1 / 9);
  assert.equal(firstRungShare(8999), 1 / 3);
  assert.equal(firstRungShare(3000), 1 / 3);
  assert.equal(firstRungShare(2999), 1);
});

test('dataset - singleLabel names the label all rows share, else null', () => {
  const rows = (ys: number[]) => ({ xs: ys.map(() => ({})), ys, ws: ys.map(() => 1), ts: ys.map((_, i) => i) });
  assert.equal(singleLabel(rows([0, 0, 0])), 0);
  assert.equal(singleLabel(rows([1])), 1);
  assert.equal(singleLabel(rows([0, 1, 0])), null);
  assert.equal(singleLabel(rows([])), null);
});
