// Training and scoring figures of the learner families, for `npm run bench` (the caller chooses
// the backend with initBackend first; otherwise the CPU backend runs). Data come from
// synthetic.ts: six features of every kind, 52 input columns with the default 16 hash buckets;
// the GBDT scaling bench generates numeric columns of its own. Pure: no I/O, no running stack.

import type { FeatureValues } from '../feature-values.js';
import type { LearnerTask } from './contract.js';
import { DenseLearner } from './dense-learner.js';
import { createLearner } from './families.js';
import { featureSchema, type FeatureSchema } from './feature-schema.js';
import { GradientBoostedTrees } from './gbdt.js';
import { SeededRandom } from './random.js';
import { loadScorer } from './serving.js';
import { SYNTHETIC_SCHEMA, syntheticExamples } from './synthetic.js';
import { InvariantError } from '../errors.js';

export interface BenchTrainingOptions {
  /** Default: classification, or estimation for a family that only estimates. */
  readonly task?: LearnerTask;
  /** Examples per optimizer step. Default 1024 (large mini-batches, the trainer's catch-up mode). */
  readonly batchSize?: number;
  /** Further hyper-parameters of the family. */
  readonly hyperParameters?: Readonly<Record<string, unknown>>;
}

/**
 * Examples per second that `family` learns from, preprocessing included: `examples` synthetic
 * examples given to learnMany at once, after a warm-up (JIT, optimizer state) that is not timed.
 */
export async function benchTraining(
  family: string,
  examples: number,
  options: BenchTrainingOptions = {},
): Promise<number> {
  const task = options.task ?? (family === 'linear' ? 'estimation' : 'classification');
  const { xs, ys } = syntheticExamples(task, examples, 11);
  const warmup = syntheticExamples(task, 2048, 12);
  const learner = createLearner(family, SYNTHETIC_SCHEMA, task, {
    batchSize: options.batchSize ?? 1024,
    ...options.hyperParameters,
  });
  try {
    await learner.learnMany(warmup.xs, warmup.ys);
    const started = performance.now();
    await learner.learnMany(xs, ys);
    return examples / ((performance.now() - started) / 1000);
  } finally {
    learner.dispose();
  }
}

export interface ScoringFigures {
  /** Typical cost of one Scorer.score call (plain JS, preprocessing included), µs: median of 10 rounds' means. */
  readonly scorerMeanUs: number;
  /** Median of one Scorer.score call timed alone (includes ~0.1 µs of timer overhead), µs. */
  readonly scorerP50Us: number;
  /** 99th percentile of one Scorer.score call timed alone (includes ~0.1 µs of timer overhead), µs. */
  readonly scorerP99Us: number;
  /** Mean cost of a one-row prediction through TensorFlow.js (same preprocessing), µs; null for a family without tfjs (gbdt). */
  readonly tfjsOneRowUs: number | null;
  /** Artifact size, bytes. */
  readonly artifactBytes: number;
}

/**
 * The single-row cost of serving a trained `family` model (any family): its Scorer, against a
 * one-row tfjs predict for the families that train on TensorFlow.js.
 */
export async function benchScoring(
  family: string,
  calls = 20000,
  options: BenchTrainingOptions = {},
): Promise<ScoringFigures> {
  const task = options.task ?? (family === 'linear' ? 'estimation' : 'classification');
  const train = syntheticExamples(task, 4096, 21);
  const rows = syntheticExamples(task, 1024, 22).xs;
  const learner = createLearner(family, SYNTHETIC_SCHEMA, task, { ...options.hyperParameters });
  try {
    await learner.learnMany(train.xs, train.ys);
    const artifact = learner.toArtifact();
    const scorer = loadScorer(artifact);
    let sink = 0;
    for (let i = 0; i < 2000; i++) sink += scorer.score(rows[i % rows.length] as FeatureValues);
    const samples = new Float64Array(calls);
    for (let i = 0; i < calls; i++) {
      const t0 = process.hrtime.bigint();
      sink += scorer.score(rows[i % rows.length] as FeatureValues);
      samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    // The mean: the median of ten timed rounds, so one GC pause does not decide it.
    const rounds: number[] = [];
    const perRound = Math.max(1, Math.floor(calls / 10));
    for (let r = 0; r < 10; r++) {
      const started = performance.now();
      for (let i = 0; i < perRound; i++) sink += scorer.score(rows[i % rows.length] as FeatureValues);
      rounds.push(((performance.now() - started) * 1000) / perRound);
    }
    const scorerMeanUs = rounds.sort((a, b) => a - b)[5] as number;
    samples.sort();
    let tfjsOneRowUs: number | null = null;
    if (learner instanceof DenseLearner) {
      const tfCalls = Math.max(200, Math.floor(calls / 20));
      for (let i = 0; i < 100; i++) sink += learner.predictWithTf([rows[i % rows.length] as FeatureValues])[0] ?? 0;
      const tfStarted = performance.now();
      for (let i = 0; i < tfCalls; i++) sink += learner.predictWithTf([rows[i % rows.length] as FeatureValues])[0] ?? 0;
      tfjsOneRowUs = ((performance.now() - tfStarted) * 1000) / tfCalls;
    }
    if (Number.isNaN(sink)) throw new InvariantError('a benchmark prediction was NaN');
    return {
      scorerMeanUs,
      scorerP50Us: samples[Math.floor(calls * 0.5)] ?? NaN,
      scorerP99Us: samples[Math.floor(calls * 0.99)] ?? NaN,
      tfjsOneRowUs,
      artifactBytes: artifact.length,
    };
  } finally {
    learner.dispose();
  }
}

/** The hyper-parameters of the GBDT scaling bench: a full 50 trees of depth 4 on every row. */
export const GBDT_SCALING_HYPER_PARAMETERS = { nTrees: 50, maxDepth: 4, validationFraction: 0 } as const;

export interface GbdtScalingPoint {
  readonly rows: number;
  /** Numeric input features (each is two input columns: its value and its missing indicator). */
  readonly features: number;
  /** Wall time of one learnMany (vectorizing, binning, 50 trees), ms. */
  readonly fitMs: number;
}

export interface GbdtScaling {
  /** One point per (rows, features) pair, rows outer. */
  readonly points: readonly GbdtScalingPoint[];
  /** b of the least-squares fit log fitMs = a + b·log rows + c·log features. */
  readonly rowsExponent: number;
  /** c of the same fit. */
  readonly featuresExponent: number;
  /** E.g. "time ∝ rows^1.02 · features^0.91". */
  readonly statement: string;
}

/**
 * GBDT fit time as rows × features grow (GBDT_SCALING_HYPER_PARAMETERS, default bins), on seeded
 * numeric data whose label depends nonlinearly on every feature, and the exponents of a power law
 * fitted to it. Each pair is fitted once, after one untimed warm-up fit. rows and features each
 * need two distinct sizes.
 */
export function benchGbdtScaling(rows: readonly number[], features: readonly number[]): GbdtScaling {
  const sizes = [...rows, ...features];
  if (new Set(rows).size < 2 || new Set(features).size < 2 || !sizes.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new RangeError(
      `benchGbdtScaling fits exponents of rows and features: give each at least two distinct sizes, positive integers; got rows ${JSON.stringify(rows)} and features ${JSON.stringify(features)}`,
    );
  }
  const maxRows = Math.max(...rows);
  const fit = (data: NumericData, n: number): number => {
    const learner = new GradientBoostedTrees(data.schema, 'classification', GBDT_SCALING_HYPER_PARAMETERS);
    const started = performance.now();
    learner.learnMany(
      n === data.xs.length ? data.xs : data.xs.slice(0, n),
      n === data.ys.length ? data.ys : data.ys.slice(0, n),
    );
    return performance.now() - started;
  };
  const warmup = numericData(Math.min(...features), Math.min(...rows), 30);
  fit(warmup, warmup.xs.length);
  const byFeatures = new Map(features.map((k) => [k, numericData(k, maxRows, 31)] as const));
  const points: GbdtScalingPoint[] = [];
  for (const n of rows)
    for (const k of features) points.push({ rows: n, features: k, fitMs: fit(byFeatures.get(k) as NumericData, n) });
  const log = (pick: (p: GbdtScalingPoint) => number) => points.map((p) => Math.log(pick(p)));
  const [rowsExponent, featuresExponent] = planeSlopes(
    log((p) => p.rows),
    log((p) => p.features),
    log((p) => p.fitMs),
  );
  return {
    points,
    rowsExponent,
    featuresExponent,
    statement: `time ∝ rows^${rowsExponent.toFixed(2)} · features^${featuresExponent.toFixed(2)}`,
  };
}

interface NumericData {
  readonly schema: FeatureSchema;
  readonly xs: FeatureValues[];
  readonly ys: number[];
}

/** `rows` examples of `features` standard normal inputs; P(label 1) = σ(Σ_j sin((1 + j mod 3)·x_j) · 2/√features). */
function numericData(features: number, rows: number, seed: number): NumericData {
  const names = Array.from({ length: features }, (_, j) => `f${j}`);
  const random = new SeededRandom(seed);
  const xs: FeatureValues[] = [];
  const ys: number[] = [];
  for (let i = 0; i < rows; i++) {
    const x: Record<string, number> = {};
    let signal = 0;
    names.forEach((name, j) => {
      const v = random.normal();
      x[name] = v;
      signal += Math.sin((1 + (j % 3)) * v);
    });
    xs.push(x);
    ys.push(random.next() < 1 / (1 + Math.exp((-2 * signal) / Math.sqrt(features))) ? 1 : 0);
  }
  return { schema: featureSchema(names.map((name) => ({ name, kind: 'numeric' }))), xs, ys };
}

/**
 * The slopes (b, c) of the least-squares plane y = a + b·u + c·w, from the centred sums of squares
 * and products (the 2×2 normal equations, solved by Cramer's rule).
 */
export function planeSlopes(u: readonly number[], w: readonly number[], y: readonly number[]): [number, number] {
  const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  const [mu, mw, my] = [mean(u), mean(w), mean(y)];
  let suu = 0;
  let sww = 0;
  let suw = 0;
  let suy = 0;
  let swy = 0;
  u.forEach((_, i) => {
    const du = (u[i] as number) - mu;
    const dw = (w[i] as number) - mw;
    const dy = (y[i] as number) - my;
    suu += du * du;
    sww += dw * dw;
    suw += du * dw;
    suy += du * dy;
    swy += dw * dy;
  });
  const det = suu * sww - suw * suw;
  return [(suy * sww - swy * suw) / det, (swy * suu - suy * suw) / det];
}
