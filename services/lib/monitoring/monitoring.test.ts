import { test } from 'node:test';
import assert from 'node:assert/strict';
import { psi, EMPTY_SHARE } from './psi.js';
import {
  binOf,
  buildProfile,
  countBins,
  profileValues,
  ProfileSample,
  parseProfile,
  type NumberProfile,
  type CategoryProfile,
} from './profile.js';
import { EventRate, Recent, quantile } from './recent.js';
import { AlertCondition } from './hysteresis.js';
import { GuardrailWatch, compareToBaseline } from './guardrails.js';
import { OnlineMetrics } from '../stats/online-metrics.js';

const close = (actual: number | null, expected: number, tolerance = 1e-12) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

test('psi - equals Σ (a − e) ln(a / e) on a hand-computed pair of distributions', () => {
  // (0.3 − 0.5) ln(0.3/0.5) + (0.7 − 0.5) ln(0.7/0.5)
  close(psi([0.5, 0.5], [30, 70]), 0.16945957207744072);
  assert.equal(psi([0.25, 0.25, 0.5], [1, 1, 2]), 0);
});

test('psi - an emptied or newly filled bin counts at the floor share, large but finite', () => {
  // All of the live mass in the first of ten equal bins (and the empty missing bin on both sides):
  // 0.9 ln(1/0.1) + 9 (1e-4 − 0.1) ln(1e-4/0.1)
  assert.equal(EMPTY_SHARE, 1e-4);
  close(
    psi([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0], [1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    8.283089355027482,
    1e-9,
  );
});

test('psi - no live counts is no measure, and mismatched bins are refused', () => {
  assert.ok(Number.isNaN(psi([0.5, 0.5], [0, 0])));
  assert.throws(() => psi([0.5, 0.5], [1, 2, 3]), /as many reference bins as live bins, got 2 and 3/);
});

test('profile - numbers are cut at deciles; each value falls in (edge below, edge]; missing has the last bin', () => {
  const p = profileValues(Array.from({ length: 10 }, (_, i) => i + 1)) as NumberProfile;
  assert.equal(p.kind, 'number');
  assert.deepEqual(p.edges, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(p.shares, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0]);
  assert.equal(binOf(p, 0.5), 0);
  assert.equal(binOf(p, 1), 0);
  assert.equal(binOf(p, 1.5), 1);
  assert.equal(binOf(p, 10), 9);
  assert.equal(binOf(p, 1e9), 9);
  for (const missing of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, []])
    assert.equal(binOf(p, missing), 10);
  assert.equal(binOf(p, [3, 7]), 6, 'a sequence is profiled by its last item');
});

test('profile - a constant feature has one value bin; ties never make empty bins', () => {
  const p = profileValues([4, 4, 4, null]) as NumberProfile;
  assert.deepEqual(p.edges, []);
  assert.deepEqual(p.shares, [0.75, 0.25]);
  const skewed = profileValues([0, 0, 0, 0, 0, 0, 0, 0, 1, 2]) as NumberProfile;
  assert.deepEqual(skewed.edges, [0, 1]);
  assert.deepEqual(skewed.shares, [0.8, 0.1, 0.1, 0]);
});

test('profile - categories keep their frequency order, with other and missing bins', () => {
  const p = profileValues(['ios', 'web', 'ios', 'android', null, 'ios', 'web', 'android']) as CategoryProfile;
  assert.equal(p.kind, 'category');
  assert.deepEqual(p.categories, ['ios', 'android', 'web']);
  assert.deepEqual(p.shares, [3 / 8, 2 / 8, 2 / 8, 0, 1 / 8]);
  assert.equal(binOf(p, 'tv'), 3);
  assert.deepEqual(countBins(p, ['web', 'tv', null, 'ios']), [1, 0, 1, 1, 1]);
});

test('profile - a profile of rows carries every named feature and the scores, and survives JSON', () => {
  const rows = [
    { hour: 1, platform: 'ios' },
    { hour: 2, platform: 'web' },
  ];
  const p = buildProfile(rows, [0.2, null], ['hour', 'platform', 'absent']);
  assert.equal(p.rows, 2);
  assert.deepEqual(Object.keys(p.features), ['hour', 'platform', 'absent']);
  assert.deepEqual(p.features['absent']!.shares, [0, 1], 'a feature never seen is all missing');
  assert.deepEqual(p.score?.shares, [1, 0]);
  assert.deepEqual(parseProfile(JSON.stringify(p)), p);
  assert.equal(parseProfile(null), null);
  assert.equal(parseProfile('{not json'), null);
});

test('profile sample - profiles the last capacity rows learned, scored by the given model', () => {
  const sample = new ProfileSample(100);
  assert.equal(
    sample.profile(['x'], () => 0),
    null,
  );
  for (let i = 0; i < 10_000; i++) sample.add({ x: i });
  assert.equal(sample.size, 100);
  const profile = sample.profile(['x'], (row) => (Number(row['x']) >= 9950 ? 1 : 0))!;
  assert.equal(profile.rows, 100);
  assert.deepEqual(
    (profile.features['x'] as NumberProfile).edges,
    [9909, 9919, 9929, 9939, 9949, 9959, 9969, 9979, 9989],
  );
  assert.deepEqual(profile.score?.edges, [0], "the scores are the given model's, of the sampled rows");
  assert.deepEqual(profile.score?.shares, [0.5, 0.5, 0]);
});

test('online metrics - calibration error is the weight-share-weighted gap between mean prediction and mean label per bin', () => {
  const m = new OnlineMetrics();
  for (const [y, p] of [
    [0, 0.1],
    [1, 0.1],
    [1, 0.9],
    [1, 0.9],
  ] as const)
    m.update(y, p);
  // bin 1: |0.2 − 1| / 4 = 0.2; bin 9: |1.8 − 2| / 4 = 0.05
  close(m.calibrationError(), 0.25);
  assert.ok(Number.isNaN(new OnlineMetrics().calibrationError()));
});

test('recent - keeps the last capacity items and reads only those younger than maxAgeMs', () => {
  const r = new Recent<number>(3, 1000);
  for (let i = 0; i < 5; i++) r.add(i * 100, i);
  assert.deepEqual(r.since(400), [2, 3, 4]);
  assert.deepEqual(r.since(1250), [3, 4]);
  assert.deepEqual(r.since(10_000), []);
});

test('recent - reads the newest by timestamp, whatever the arrival order, and at most limit of them', () => {
  const r = new Recent<string>(8, 10_000);
  for (const [ts, item] of [
    [50, 'e'],
    [10, 'a'],
    [40, 'd'],
    [20, 'b'],
    [30, 'c'],
    [40, 'd2'],
  ] as const)
    r.add(ts, item);
  assert.deepEqual(r.since(100), ['a', 'b', 'c', 'd', 'd2', 'e']);
  assert.deepEqual(r.since(100, 3), ['d', 'd2', 'e']);
});

test('event rate - counts per second of event time over the window', () => {
  const rate = new EventRate(10_000);
  for (let t = 0; t < 10_000; t += 100) rate.add(t);
  assert.equal(rate.perSecond(9_999), 10);
  assert.equal(rate.perSecond(14_999), 5, 'five of the ten seconds have left the window');
  assert.equal(rate.perSecond(30_000), 0);
  rate.add(10_500); // second 10 takes over second 0's slot
  rate.add(100); // older than what the slot now holds: ignored
  assert.equal(rate.perSecond(10_999), 9.1);
});

test('quantile - nearest rank', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(quantile(values, 0.5), 50);
  assert.equal(quantile(values, 0.99), 99);
  assert.equal(quantile(values, 1), 100);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('hysteresis - raises after two breaches in a row and clears after three clearly healthy values', () => {
  const c = new AlertCondition('above', 0.2);
  assert.deepEqual(
    [0.3, 0.1, 0.3, 0.3].map((v) => c.evaluate(v)),
    [null, null, null, 'raise'],
  );
  // 0.19 is under the threshold but not under the clear level 0.16: it stays raised.
  assert.deepEqual(
    [0.19, 0.19, 0.19, 0.15, 0.15, null, 0.15].map((v) => c.evaluate(v)),
    [null, null, null, null, null, null, 'clear'],
  );
  assert.equal(c.raised, false);
});

test('hysteresis - a below rule mirrors it, and values hovering at the threshold never flap', () => {
  const c = new AlertCondition('below', 0.1);
  const changes = [0.05, 0.05, 0.11, 0.09, 0.11, 0.09, 0.13, 0.13, 0.13].map((v) => c.evaluate(v));
  assert.deepEqual(changes, [null, 'raise', null, null, null, null, null, null, 'clear']);
});

test("guardrails - an event counts against the entity's decisions within the window, once the window has closed", () => {
  const w = new GuardrailWatch(1000);
  w.expose('u1', 0, ['arm:a']);
  w.expose('u2', 0, ['arm:b']);
  w.expose('u1', 500, ['arm:a']);
  w.event('u1', 900, 1); // within both u1 windows
  w.event('u1', 1400, 1); // only within the second
  w.event('u2', 1001, 1); // after u2's window
  w.mature(1200);
  assert.deepEqual(Object.fromEntries([...w.groups()].map(([g, s]) => [g, [s.n, s.mean]])), {
    'arm:a': [1, 1],
    'arm:b': [1, 0],
  });
  assert.equal(w.pending, 1);
  w.mature(2000);
  assert.deepEqual([w.groups().get('arm:a')!.n, w.groups().get('arm:a')!.mean], [2, 1.5]);
  assert.equal(w.pending, 0);
});

test('guardrails - comparison gives the rate interval, relative change, Welch z and the always-valid difference against the baseline', () => {
  const group = { n: 100, mean: 0.2, variance: 0.16 };
  const baseline = { n: 100, mean: 0.1, variance: 0.09 };
  const c = compareToBaseline(group, baseline);
  close(c.rate, 0.2);
  close(c.low, 0.2 - 1.959963984540054 * 0.04, 1e-12);
  close(c.relative, 1, 1e-12);
  close(c.z, 0.1 / Math.sqrt(0.0016 + 0.0009), 1e-12);
  close(c.difference!.estimate, 0.1, 1e-15);
  close(c.difference!.high - c.difference!.estimate, c.difference!.multiplier * 0.05, 1e-12);
  assert.equal(c.degraded, false, 'twice the rate on 100 decisions each is not yet a degradation');
  assert.deepEqual([compareToBaseline(group, null).relative, compareToBaseline(group, null).z], [null, null]);
});
