import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { newestShare, singleLabel, splitByTime, SplitError, type TimedExample } from './dataset.js';
import { firstRungShare } from './search.js';

let entities = 0;
/** An example about an entity of its own unless one is named. */
const at = (decisionTs: number, label = 0, entity = `e${entities++}`): TimedExample => ({
  decisionTs,
  entity,
  features: { t: decisionTs },
  label,
  weight: 1,
});

const noCrossing = { entities: 0, examples: 0, moved: 0 };

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

test('dataset - an entity whose examples straddle the time cut trains with all of them, and the cut moves back to keep validation its share', () => {
  const examples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => at(t, 0, t === 3 || t === 9 ? 'u' : `e${t}`));
  const { train, validation, figures } = splitByTime(examples, 0.2);
  // A plain time split would validate on 9 and 10, and 9 is u's, which trains at 3.
  assert.deepEqual(train.ts, [1, 2, 3, 4, 5, 6, 7, 9]);
  assert.deepEqual(validation.ts, [8, 10]);
  assert.deepEqual(figures, {
    examples: 10,
    entities: 9,
    validationShare: 0.2,
    timeCutTs: 9,
    entityCutTs: 8,
    train: { entities: 7, examples: 8 },
    validation: { entities: 2, examples: 2 },
    crossed: { toTrain: { entities: 1, examples: 2, moved: 1 }, toValidation: noCrossing },
    largestEntity: { entity: 'u', examples: 2 },
  });
});

test('dataset - an entity first seen among the newest validates with all of its examples, older ones included', () => {
  const examples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((t) => at(t, 0, t >= 8 ? 'v' : `e${t}`));
  const { train, validation, figures } = splitByTime(examples, 0.2);
  assert.deepEqual(train.ts, [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(validation.ts, [8, 9, 10]);
  assert.equal(figures.timeCutTs, 9);
  assert.equal(figures.entityCutTs, 8);
  assert.deepEqual(figures.crossed, { toTrain: noCrossing, toValidation: { entities: 1, examples: 3, moved: 1 } });
});

test('dataset - the crossing figures count exactly which entities a plain time split would have put on both sides, and where they went', () => {
  // Five entities taking turns, four examples each: u0 is wholly before the time cut (17), u1–u4 straddle it.
  const examples = Array.from({ length: 20 }, (_, i) => at(i + 1, 0, `u${i % 5}`));
  const { train, validation, figures } = splitByTime(examples, 0.2);
  assert.deepEqual(validation.ts, [5, 10, 15, 20]);
  assert.deepEqual(train.ts, [1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19]);
  assert.deepEqual(figures, {
    examples: 20,
    entities: 5,
    validationShare: 0.2,
    timeCutTs: 17,
    entityCutTs: 5,
    train: { entities: 4, examples: 16 },
    validation: { entities: 1, examples: 4 },
    crossed: {
      // u1, u2, u3 bring 17, 18, 19 into training; u4 brings 5, 10, 15 into validation.
      toTrain: { entities: 3, examples: 12, moved: 3 },
      toValidation: { entities: 1, examples: 4, moved: 3 },
    },
    largestEntity: { entity: 'u0', examples: 4 },
  });
});

test('dataset - repeated identical rows of one entity are all on one side, never on both', () => {
  // A caller sends the same row (x = 1, label 5) every other decision; other entities decide once each.
  const examples: TimedExample[] = Array.from({ length: 100 }, (_, i) => {
    const t = i + 1;
    return t % 2 === 1
      ? { decisionTs: t, entity: 'caller', features: { x: 1 }, label: 5, weight: 1 }
      : { decisionTs: t, entity: `e${t}`, features: { x: t }, label: t, weight: 1 };
  });
  const { train, validation, figures } = splitByTime(examples, 0.2);
  const repeated = (xs: readonly { readonly [k: string]: unknown }[]) => xs.filter((x) => x['x'] === 1).length;
  assert.equal(repeated(train.xs), 50);
  assert.equal(repeated(validation.xs), 0);
  assert.deepEqual(
    validation.ts,
    Array.from({ length: 20 }, (_, i) => 62 + 2 * i),
  );
  assert.equal(train.ts.length, 80);
  assert.deepEqual(figures.crossed, { toTrain: { entities: 1, examples: 50, moved: 10 }, toValidation: noCrossing });
  assert.deepEqual(figures.largestEntity, { entity: 'caller', examples: 50 });
  assert.deepEqual(figures.validation, { entities: 20, examples: 20 });
});

test('dataset - the earliest-seen entity always trains, so validation may be short of its share, and says by how much', () => {
  const examples = Array.from({ length: 100 }, (_, i) => at(i + 1, 0, i < 90 ? 'big' : `e${i}`));
  const { train, validation, figures } = splitByTime(examples, 0.2);
  assert.equal(train.ts.length, 90);
  assert.deepEqual(validation.ts, [91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
  assert.deepEqual(figures.validation, { entities: 10, examples: 10 });
  assert.equal(figures.entityCutTs, 91);
  assert.deepEqual(figures.crossed.toTrain, { entities: 1, examples: 90, moved: 10 });
});

test('dataset - entities that each stay on one side of the time cut split exactly as a plain time split', () => {
  const grouped = [
    ...[1, 2, 3].map((t) => at(t, 0, 'a')),
    ...[4, 5].map((t) => at(t, 0, 'b')),
    ...[6, 7, 8].map((t) => at(t, 0, 'c')),
    ...[9, 10].map((t) => at(t, 0, 'd')),
  ];
  const split = splitByTime(grouped, 0.2);
  assert.deepEqual(split.train.ts, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(split.validation.ts, [9, 10]);
  assert.equal(split.figures.entityCutTs, split.figures.timeCutTs);
  assert.deepEqual(split.figures.crossed, { toTrain: noCrossing, toValidation: noCrossing });

  // One example per entity, times with ties: the same rows as the plain time split, for any data.
  const random = new SeededRandom(11);
  for (let round = 0; round < 200; round++) {
    const n = 2 + Math.floor(random.next() * 60);
    const share = 0.05 + 0.9 * random.next();
    const examples = Array.from({ length: n }, () => at(Math.floor(random.next() * 30)));
    const plain = plainTimeSplit(examples, share);
    if (plain === null) {
      assert.throws(() => splitByTime(examples, share), SplitError);
      continue;
    }
    const { train, validation, figures } = splitByTime(examples, share);
    assert.deepEqual([train.xs, validation.xs], plain, `round ${round}: n ${n}, share ${share}`);
    assert.equal(figures.entityCutTs, figures.timeCutTs);
  }
});

test('dataset - one entity, or all entities first seen at one time, cannot be split, and the error says what to do', () => {
  assert.throws(
    () => splitByTime([at(1, 0, 'solo'), at(2, 0, 'solo'), at(3, 0, 'solo')]),
    (error: unknown) =>
      error instanceof SplitError &&
      error.code === 'automl_split' &&
      /all 3 examples are about one entity \(solo\).*check that callers send the entity/.test(error.message),
  );
  const together = [at(1, 0, 'a'), at(1, 0, 'b'), at(1, 0, 'c'), at(2, 0, 'a'), at(3, 0, 'b'), at(4, 0, 'c')];
  assert.throws(
    () => splitByTime(together),
    /all 3 entities of the 6 examples were first seen at 1970-01-01T00:00:00\.001Z.*would all land on one side/,
  );
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

/** The split by decision time alone, written out again as the reference: training and validation features, or null when it cannot split. */
function plainTimeSplit(examples: readonly TimedExample[], share: number): [unknown[], unknown[]] | null {
  const sorted = [...examples].sort((a, b) => a.decisionTs - b.decisionTs);
  let cut = Math.floor(sorted.length * (1 - share));
  const boundary = sorted[cut]?.decisionTs;
  while (cut > 0 && sorted[cut - 1]!.decisionTs === boundary) cut--;
  if (cut === 0 || cut >= sorted.length) return null;
  return [sorted.slice(0, cut).map((e) => e.features), sorted.slice(cut).map((e) => e.features)];
}
