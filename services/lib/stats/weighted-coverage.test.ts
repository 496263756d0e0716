// Coverage by simulation: on many simulated datasets whose true gain is known exactly, the 95 %
// interval gain ± 1.96·se from weightedGain (unit weights: the standard error the always-valid
// boundaries scale) must contain it about 95 % of the time. 2000 datasets give a
// standard error of ≈ 0.5 % on the measured coverage, so [0.93, 0.97] is a ±4 se band. Seeded, so
// each run measures the same numbers (printed as diagnostics).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { weightedGain, type ComparedMetric } from './weighted-metrics.js';
import { normalCdf, normalQuantile } from './normal.js';
import { SeededRandom } from '../learners/random.js';

const DATASETS = 2000;
const Z95 = normalQuantile(0.975);
const EXAMPLES = 400;

interface Dataset {
  readonly labels: Float64Array;
  readonly live: Float64Array;
  readonly candidate: Float64Array;
}

function coverage(
  metric: ComparedMetric,
  truth: number,
  seed: number,
  simulate: (random: SeededRandom) => Dataset,
): number {
  const random = new SeededRandom(seed);
  let covered = 0;
  for (let k = 0; k < DATASETS; k++) {
    const { labels, live, candidate } = simulate(random);
    const r = weightedGain(metric, labels, live, candidate);
    const half = Z95 * r.standardError;
    if (r.gain - half <= truth && truth <= r.gain + half) covered++;
  }
  return covered / DATASETS;
}

function assertCovers(measured: number, what: string): void {
  assert.ok(measured >= 0.93 && measured <= 0.97, `${what}: coverage ${measured} outside [0.93, 0.97]`);
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

test('weighted coverage - the AUC 95 % interval (influence functions; DeLong with unit weights) covers the true AUC difference of correlated binormal scores', (t) => {
  // Scores are N(μ·y, 1): a positive outscores a negative with probability Φ(μ/√2). The two models'
  // noises correlate at 0.6, as two models of the same data do.
  const [muLive, muCandidate, correlation] = [1.0, 1.3, 0.6];
  const truth = normalCdf(muCandidate / Math.SQRT2) - normalCdf(muLive / Math.SQRT2);
  const measured = coverage('auc', truth, 101, (random) => {
    const labels = new Float64Array(EXAMPLES);
    const live = new Float64Array(EXAMPLES);
    const candidate = new Float64Array(EXAMPLES);
    for (let i = 0; i < EXAMPLES; i++) {
      const y = random.next() < 0.4 ? 1 : 0;
      const noise = random.normal();
      labels[i] = y;
      live[i] = muLive * y + noise;
      candidate[i] = muCandidate * y + correlation * noise + Math.sqrt(1 - correlation * correlation) * random.normal();
    }
    return { labels, live, candidate };
  });
  t.diagnostic(
    `AUC (DeLong) coverage ${measured.toFixed(4)} over ${DATASETS} datasets of ${EXAMPLES}, true gain ${truth.toFixed(5)}`,
  );
  assertCovers(measured, 'AUC');
});

/** E over x ~ N(0, 1) of f(x), by Simpson's rule on [−12, 12] (the rest weighs < 1e-32). */
function expectationOverNormal(f: (x: number) => number): number {
  const steps = 4800;
  const h = 24 / steps;
  let sum = 0;
  for (let k = 0; k <= steps; k++) {
    const x = -12 + k * h;
    const weight = k === 0 || k === steps ? 1 : k % 2 === 1 ? 4 : 2;
    sum += weight * f(x) * Math.exp(-(x * x) / 2);
  }
  return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}

test('weighted coverage - the log-loss 95 % interval covers the expected loss difference of two misspecified models', (t) => {
  // x ~ N(0, 1), P(y = 1 | x) = σ(1.5x − 1); live predicts σ(x − 1), candidate σ(1.4x − 0.9). The
  // true gain E[loss_live − loss_candidate] is a one-dimensional integral, computed to ~1e-12.
  const truthProbability = (x: number) => sigmoid(1.5 * x - 1);
  const liveProbability = (x: number) => sigmoid(x - 1);
  const candidateProbability = (x: number) => sigmoid(1.4 * x - 0.9);
  const expectedLoss = (model: (x: number) => number) => (x: number) => {
    const q = truthProbability(x);
    const p = model(x);
    return -(q * Math.log(p) + (1 - q) * Math.log(1 - p));
  };
  const truth = expectationOverNormal((x) => expectedLoss(liveProbability)(x) - expectedLoss(candidateProbability)(x));
  const measured = coverage('logloss', truth, 202, (random) => {
    const labels = new Float64Array(EXAMPLES);
    const live = new Float64Array(EXAMPLES);
    const candidate = new Float64Array(EXAMPLES);
    for (let i = 0; i < EXAMPLES; i++) {
      const x = random.normal();
      labels[i] = random.next() < truthProbability(x) ? 1 : 0;
      live[i] = liveProbability(x);
      candidate[i] = candidateProbability(x);
    }
    return { labels, live, candidate };
  });
  t.diagnostic(
    `log-loss coverage ${measured.toFixed(4)} over ${DATASETS} datasets of ${EXAMPLES}, true gain ${truth.toFixed(5)}`,
  );
  assertCovers(measured, 'log-loss');
});

test('weighted coverage - the delta-method 95 % interval covers the true RMSE difference', (t) => {
  // y = x + ε with x, ε ~ N(0, 1). Live predicts 0.8x: error 0.2x + ε, MSE 1.04. Candidate predicts
  // x + 0.3: error ε − 0.3, MSE 1.09. The true gain is √1.04 − √1.09 (the candidate is worse).
  const truth = Math.sqrt(1.04) - Math.sqrt(1.09);
  const measured = coverage('rmse', truth, 303, (random) => {
    const labels = new Float64Array(EXAMPLES);
    const live = new Float64Array(EXAMPLES);
    const candidate = new Float64Array(EXAMPLES);
    for (let i = 0; i < EXAMPLES; i++) {
      const x = random.normal();
      labels[i] = x + random.normal();
      live[i] = 0.8 * x;
      candidate[i] = x + 0.3;
    }
    return { labels, live, candidate };
  });
  t.diagnostic(
    `RMSE (delta method) coverage ${measured.toFixed(4)} over ${DATASETS} datasets of ${EXAMPLES}, true gain ${truth.toFixed(5)}`,
  );
  assertCovers(measured, 'RMSE');
});
