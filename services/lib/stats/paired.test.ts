import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePaired, type ComparedMetric } from './paired.js';
import { delongPaired, midranks } from './delong.js';
import { SeededRandom } from '../learners/random.js';

const Z95 = 1.959963984540054;

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

test('delong - midranks give tied values the mean of their ranks', () => {
  assert.deepEqual(Array.from(midranks(Float64Array.of(0.3, 0.1, 0.3, 0.2, 0.3))), [4, 1, 4, 2, 4]);
  assert.deepEqual(Array.from(midranks(Float64Array.of(2, 2))), [1.5, 1.5]);
  assert.deepEqual(Array.from(midranks(Float64Array.of(-1))), [1]);
});

test('paired - AUC gain and DeLong interval match a hand computation with ties counted half', () => {
  // Positives are examples 0, 2, 3 and negatives 1, 4.
  //   live:      positives 0.8, 0.6, 0.3; negatives 0.6, 0.2
  //     V10 (share of negatives each positive beats) = 1, (½ + 1)/2 = 0.75, 0.5  → AUC_A = 0.75
  //     V01 (share of positives beating each negative) = (1 + ½ + 0)/3 = 0.5, 1
  //   candidate: positives 0.9, 0.7, 0.5; negatives 0.5, 0.1
  //     V10 = 1, 1, (½ + 1)/2 = 0.75                                              → AUC_B = 11/12
  //     V01 = (1 + 1 + ½)/3 = 5/6, 1
  //   differences B − A: V10 0, ¼, ¼ (mean 1/6, sample variance (1/36 + 2/144)/2 = 1/48)
  //                      V01 1/3, 0  (mean 1/6, sample variance 2/36 = 1/18)
  //   Var(gain) = (1/48)/3 + (1/18)/2 = 5/144, so se = √5/12
  const r = comparePaired('auc', [1, 0, 1, 1, 0], [0.8, 0.6, 0.6, 0.3, 0.2], [0.9, 0.5, 0.7, 0.5, 0.1]);
  close(r.live, 0.75);
  close(r.candidate, 11 / 12);
  close(r.gain, 1 / 6);
  close(r.low, 1 / 6 - (Z95 * Math.sqrt(5)) / 12);
  close(r.high, 1 / 6 + (Z95 * Math.sqrt(5)) / 12);
  assert.equal(r.n, 5);
  assert.equal(r.metric, 'auc');
  assert.equal(r.method, 'DeLong (paired AUCs; midranks, ties counted half)');
});

test('paired - the midrank DeLong variance equals the pairwise definition on data with many ties', () => {
  const random = new SeededRandom(11);
  const draw = (count: number, shift: number) =>
    Float64Array.from({ length: count }, () => Math.round((random.normal() + shift) * 2) / 2);
  const [m, n] = [23, 31];
  const posA = draw(m, 0.8);
  const negA = draw(n, 0);
  const posB = Float64Array.from(posA, (v) => v + Math.round(random.normal()));
  const negB = Float64Array.from(negA, (v) => v + Math.round(random.normal()));
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const pairwise = (pos: Float64Array, neg: Float64Array) => ({
    v10: Array.from(pos, (x) => neg.reduce((s, y) => s + psi(x, y), 0) / n),
    v01: Array.from(neg, (y) => pos.reduce((s, x) => s + psi(x, y), 0) / m),
  });
  const a = pairwise(posA, negA);
  const b = pairwise(posB, negB);
  const sampleVariance = (d: number[]) => {
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    return d.reduce((s, v) => s + (v - mean) ** 2, 0) / (d.length - 1);
  };
  const expected =
    sampleVariance(b.v10.map((v, i) => v - a.v10[i]!)) / m + sampleVariance(b.v01.map((v, j) => v - a.v01[j]!)) / n;
  const result = delongPaired(posA, negA, posB, negB);
  close(result.aucA, a.v10.reduce((s, v) => s + v, 0) / m);
  close(result.aucB, b.v10.reduce((s, v) => s + v, 0) / m);
  close(result.variance, expected, 1e-15);
});

test('paired - log-loss gain is the mean per-example loss difference with a paired z-interval', () => {
  // Differences loss_A − loss_B: ln(0.9/0.8), ln(0.8/0.6), ln(0.4/0.5).
  const d = [Math.log(0.9 / 0.8), Math.log(0.8 / 0.6), Math.log(0.4 / 0.5)];
  const mean = (d[0]! + d[1]! + d[2]!) / 3;
  const se = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / 2 / 3);
  const r = comparePaired('logloss', [1, 0, 1], [0.8, 0.4, 0.5], [0.9, 0.2, 0.4]);
  close(r.live, -(Math.log(0.8) + Math.log(0.6) + Math.log(0.5)) / 3);
  close(r.candidate, -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3);
  close(r.gain, mean);
  close(r.low, mean - Z95 * se);
  close(r.high, mean + Z95 * se);
  assert.equal(r.method, 'paired mean of per-example log-loss differences');
});

test('paired - log-loss clips a certain wrong prediction to 1e-15 instead of an infinite loss', () => {
  const r = comparePaired('logloss', [1, 0], [0, 0.5], [0.5, 0.5]);
  close(r.live, (-Math.log(1e-15) - Math.log(0.5)) / 2);
});

test('paired - MAE gain is the mean absolute-error difference with a paired z-interval', () => {
  // |errors| live 0.5, 0, 1, 1 (MAE 0.625); candidate 0, 0.5, 0, 0 (MAE 0.125);
  // differences 0.5, −0.5, 1, 1: mean 0.5, sample variance 1.5/3 = 0.5, se = √(0.5/4) = √⅛.
  const r = comparePaired('mae', [1, 2, 3, 4], [1.5, 2, 2, 5], [1, 2.5, 3, 4]);
  close(r.live, 0.625);
  close(r.candidate, 0.125);
  close(r.gain, 0.5);
  close(r.low, 0.5 - Z95 * Math.sqrt(1 / 8));
  close(r.high, 0.5 + Z95 * Math.sqrt(1 / 8));
});

test('paired - RMSE gain is the difference of RMSEs with a delta-method interval', () => {
  // Squared errors live 0.25, 0, 1, 1 (MSE 0.5625, RMSE 0.75); candidate 0, 0.25, 0, 0 (RMSE 0.25).
  // Influence e_A²/(2·0.75) − e_B²/(2·0.25) = 1/6, −1/2, 2/3, 2/3: mean ¼, squared deviations
  // 1/144 + 81/144 + 25/144 + 25/144 = 11/12, sample variance 11/36, se = √(11/36/4) = √11/12.
  const r = comparePaired('rmse', [1, 2, 3, 4], [1.5, 2, 2, 5], [1, 2.5, 3, 4]);
  close(r.live, 0.75);
  close(r.candidate, 0.25);
  close(r.gain, 0.5);
  close(r.low, 0.5 - (Z95 * Math.sqrt(11)) / 12);
  close(r.high, 0.5 + (Z95 * Math.sqrt(11)) / 12);
  assert.equal(r.method, 'delta method on the paired mean squared errors (difference of RMSEs)');
});

test('paired - a wider alpha gives a narrower interval around the same gain', () => {
  const args = [
    [1, 2, 3, 4],
    [1.5, 2, 2, 5],
    [1, 2.5, 3, 4],
  ] as const;
  const r95 = comparePaired('mae', ...args);
  const r80 = comparePaired('mae', ...args, 0.2);
  close(r80.high - r80.gain, ((r95.high - r95.gain) * 1.2815515655446004) / Z95);
});

function randomExamples(seed: number, n: number) {
  const random = new SeededRandom(seed);
  const labels: number[] = [];
  const live: number[] = [];
  const candidate: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = random.next() < 0.4 ? 1 : 0;
    const shared = random.normal();
    labels.push(y);
    live.push(1 / (1 + Math.exp(-(y * 1.2 + shared + 0.5 * random.normal() - 0.6))));
    candidate.push(1 / (1 + Math.exp(-(y * 1.5 + shared + 0.5 * random.normal() - 0.7))));
  }
  return { labels, live, candidate };
}

const ALL: readonly ComparedMetric[] = ['auc', 'logloss', 'rmse', 'mae'];

test('paired - swapping live and candidate negates the gain and mirrors the interval, for every metric', () => {
  const { labels, live, candidate } = randomExamples(3, 200);
  for (const metric of ALL) {
    const forward = comparePaired(metric, labels, live, candidate);
    const backward = comparePaired(metric, labels, candidate, live);
    assert.equal(backward.gain, -forward.gain, metric);
    assert.equal(backward.low, -forward.high, metric);
    assert.equal(backward.high, -forward.low, metric);
    assert.equal(backward.live, forward.candidate, metric);
  }
});

test('paired - identical scores give a zero gain and a zero-width interval, for every metric', () => {
  const { labels, live } = randomExamples(5, 100);
  for (const metric of ALL) {
    const r = comparePaired(metric, labels, live, live);
    assert.deepEqual([r.gain, r.low, r.high], [0, 0, 0], metric);
    assert.equal(r.live, r.candidate, metric);
  }
});

test('paired - refuses inputs of different lengths, fewer than 2 examples, and non-finite values naming the index', () => {
  assert.throws(() => comparePaired('mae', [1, 2, 3], [1, 2, 3], [1, 2]), {
    name: 'RangeError',
    message: 'labels, live and candidate must have the same length: got 3, 3 and 2',
  });
  assert.throws(() => comparePaired('mae', [1], [1], [1]), {
    name: 'RangeError',
    message: 'a paired comparison needs at least 2 examples, got 1',
  });
  assert.throws(() => comparePaired('mae', [1, 2, 3], [1, NaN, 3], [1, 2, 3]), {
    name: 'RangeError',
    message: 'live[1] must be a finite number, got NaN',
  });
  assert.throws(() => comparePaired('auc', [1, 0, 1, 0], [1, 0, 1, 0], [0.1, 0.2, Infinity, 0.4]), {
    name: 'RangeError',
    message: 'candidate[2] must be a finite number, got Infinity',
  });
  assert.throws(() => comparePaired('mae', [1, 2], [1, 2], [1, 2], 0), {
    name: 'RangeError',
    message: 'alpha must be in (0, 1), got 0',
  });
  assert.throws(() => comparePaired('mse' as ComparedMetric, [1, 2], [1, 2], [1, 2]), {
    name: 'RangeError',
    message: 'unknown metric "mse": use one of auc, logloss, rmse, mae',
  });
});

test('paired - AUC refuses labels other than 0 and 1, a missing outcome, and a single example of one outcome', () => {
  assert.throws(() => comparePaired('auc', [1, 0, 0.5, 0], [1, 2, 3, 4], [1, 2, 3, 4]), {
    name: 'RangeError',
    message: 'AUC needs labels 0 or 1: labels[2] is 0.5',
  });
  const ones = new Array<number>(812).fill(1);
  const scores = ones.map((_, i) => i / 812);
  assert.throws(() => comparePaired('auc', ones, scores, scores), {
    name: 'RangeError',
    message: 'AUC needs both outcomes among the examples compared: got 812 positives and 0 negatives',
  });
  assert.throws(() => comparePaired('auc', [1, 0, 0, 0], [1, 2, 3, 4], [1, 2, 3, 4]), {
    name: 'RangeError',
    message: "DeLong's variance needs at least 2 examples of each outcome: got 1 positives and 3 negatives",
  });
});

test('paired - log-loss refuses labels and predictions outside [0, 1]', () => {
  assert.throws(() => comparePaired('logloss', [1, 2], [0.5, 0.5], [0.5, 0.5]), {
    name: 'RangeError',
    message: 'log-loss needs labels in [0, 1]: labels[1] is 2',
  });
  assert.throws(() => comparePaired('logloss', [1, 0], [0.5, 0.5], [0.5, -0.1]), {
    name: 'RangeError',
    message: 'log-loss needs probabilities in [0, 1]: candidate[1] is -0.1',
  });
});

test('paired - RMSE refuses a model without error, where the delta method has an infinite slope', () => {
  assert.throws(() => comparePaired('rmse', [1, 2, 3], [1, 2, 3], [1, 2, 4]), {
    name: 'RangeError',
    message:
      "the RMSE interval (delta method on √MSE) needs errors from both models, but live predicts every example exactly; compare 'mae' instead",
  });
});
