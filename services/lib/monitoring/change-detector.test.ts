import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import {
  CHANGE_DETECTOR_DESIGN,
  ChangeDetector,
  ChangeDetectorDesignError,
  PILOT_EXAMPLES,
  blockSizeFor,
  type ChangeAlarm,
} from './change-detector.js';

const bernoulli = (r: SeededRandom, p: number) => (r.next() < p ? 1 : 0);

test('change detector - blocks are long enough for a block mean to be nearly symmetric: rarer outcomes, longer blocks', () => {
  const r = new SeededRandom(1);
  const pilot = (p: number) => Array.from({ length: 10_000 }, () => bernoulli(r, p));
  assert.equal(blockSizeFor(pilot(0.3)), 100, 'skewness 0.87 needs 4 examples: the minimum, 100');
  // Skewness (1 − 2p)/√(p(1 − p)): 6.9 at 2 %, so B ≥ (6.9 / 0.5)² ≈ 190.
  const twoPercent = blockSizeFor(pilot(0.02))!;
  assert.ok(twoPercent > 150 && twoPercent < 250, `2 %: ${twoPercent}`);
  assert.equal(blockSizeFor(pilot(0.0005)), 2000, 'skewness 45: the maximum, 2000');
  assert.equal(blockSizeFor(Array<number>(1000).fill(0.3)), null, 'values that never vary say nothing');
});

test('change detector - a step in the mean raises once, in its direction, with the reference and the mean since the change', () => {
  const r = new SeededRandom(2);
  const d = new ChangeDetector();
  for (let i = 0; i < 20_000; i++) assert.equal(d.add(bernoulli(r, 0.1), i), null, `no alarm at ${i}`);
  assert.equal(d.watching, true);
  assert.equal(d.examplesPerBlock, 100);
  assert.ok(Math.abs(d.reference.mean - 0.1) < 0.01, `reference ${d.reference.mean}`);
  let alarm: ChangeAlarm | null = null;
  let at = 0;
  for (let i = 20_000; alarm === null; i++) {
    alarm = d.add(bernoulli(r, 0.05), i);
    at = i;
  }
  assert.equal(alarm.side, 'down');
  assert.ok(at - 20_000 < 2000, `raised ${at - 20_000} examples after the change`);
  // The reference: the blocks before the change, and those after it that did not look unusual yet.
  assert.ok(
    alarm.before.examples >= 19_000 && alarm.before.examples < at,
    `reference of ${alarm.before.examples} examples`,
  );
  assert.ok(Math.abs(alarm.before.mean - 0.1) < 0.01);
  assert.ok(alarm.since.mean < 0.07, `mean since the change ${alarm.since.mean}`);
  assert.equal(alarm.since.examples % 100, 0, 'whole blocks');
  assert.ok(alarm.changeTag >= 19_000 && alarm.changeTag <= at, `change placed at ${alarm.changeTag}`);
  assert.equal(alarm.statistic > CHANGE_DETECTOR_DESIGN.threshold, true);
  assert.deepEqual([d.count, d.watching, d.examplesPerBlock], [0, false, null], 'it starts afresh');
});

test('change detector - nothing is judged before the pilot and warm-up, and values that never vary are not watched', () => {
  const r = new SeededRandom(3);
  const d = new ChangeDetector();
  for (let i = 0; i < PILOT_EXAMPLES - 1; i++) d.add(bernoulli(r, 0.5));
  assert.equal(d.examplesPerBlock, null);
  d.add(1);
  assert.deepEqual([d.examplesPerBlock, d.watching], [100, true], 'the pilot is the ten warm-up blocks');

  const constant = new ChangeDetector();
  for (let i = 0; i < 5000; i++) constant.add(0);
  assert.equal(constant.watching, false);
  for (let i = 0; i < 5000; i++) assert.equal(constant.add(i % 10 === 0 ? 1 : 0), null);
  assert.equal(constant.watching, true, 'a pilot that varies starts the watch');
});

test('change detector - one block with an outlier moves the statistic by at most winsorize − k, and raises nothing', () => {
  const r = new SeededRandom(4);
  const d = new ChangeDetector();
  for (let i = 0; i < 5000; i++) d.add(r.normal() ** 2);
  const before = d.statistics.up;
  assert.equal(d.add(1e9), null);
  for (let i = 1; i < 100; i++) assert.equal(d.add(r.normal() ** 2), null);
  const { winsorize, allowance } = CHANGE_DETECTOR_DESIGN;
  assert.ok(d.statistics.up <= before + winsorize - allowance + 1e-12, `up ${d.statistics.up}`);
  assert.ok(d.statistics.up > 0);
});

test('change detector - a value that is not a number is skipped', () => {
  const d = new ChangeDetector();
  assert.equal(d.add(Number.NaN), null);
  assert.equal(d.add(Number.POSITIVE_INFINITY), null);
  assert.equal(d.count, 0);
});

test('change detector - a design that cannot work is refused with a code and the reason', () => {
  const bad = (change: Partial<typeof CHANGE_DETECTOR_DESIGN>, reason: RegExp) =>
    assert.throws(
      () => new ChangeDetector({ ...CHANGE_DETECTOR_DESIGN, ...change }),
      (e: unknown) =>
        e instanceof ChangeDetectorDesignError && e.code === 'invalid_change_detector_design' && reason.test(e.message),
    );
  bad({ threshold: 0 }, /threshold must be a number > 0, got 0/);
  bad({ warmupBlocks: 1.5 }, /warmupBlocks must be a whole number ≥ 2/);
  bad({ minBlock: 500, maxBlock: 100 }, /maxBlock \(100\) must be at least minBlock \(500\)/);
  bad({ winsorize: 0.4 }, /winsorize \(0\.4\) must exceed allowance \(0\.5\)/);
});
