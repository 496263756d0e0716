// Training and scoring figures of the learner families, for `npm run bench` (the caller chooses
// the backend with initBackend first; otherwise the CPU backend runs). Data come from
// synthetic.ts: six features of every kind, 52 input columns with the default 16 hash buckets.

import type { FeatureValues } from '../feature-values.js';
import type { LearnerTask } from './contract.js';
import type { DenseLearner } from './dense-learner.js';
import { createLearner } from './families.js';
import { loadScorer } from './serving.js';
import { SYNTHETIC_SCHEMA, syntheticExamples } from './synthetic.js';

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
export async function benchTraining(family: string, examples: number, options: BenchTrainingOptions = {}): Promise<number> {
  const task = options.task ?? (family === 'linear' ? 'estimation' : 'classification');
  const { xs, ys } = syntheticExamples(task, examples, 11);
  const warmup = syntheticExamples(task, 2048, 12);
  const learner = createLearner(family, SYNTHETIC_SCHEMA, task, { batchSize: options.batchSize ?? 1024, ...options.hyperParameters });
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
  /** 99th percentile of one Scorer.score call timed alone (includes ~0.1 µs of timer overhead), µs. */
  readonly scorerP99Us: number;
  /** Mean cost of a one-row prediction through TensorFlow.js (same preprocessing), µs. */
  readonly tfjsOneRowUs: number;
  /** Artifact size, bytes. */
  readonly artifactBytes: number;
}

/** The single-row cost of serving a trained `family` model: the Scorer against a one-row tfjs predict. */
export async function benchScoring(family: string, calls = 20000, options: BenchTrainingOptions = {}): Promise<ScoringFigures> {
  const task = options.task ?? (family === 'linear' ? 'estimation' : 'classification');
  const train = syntheticExamples(task, 4096, 21);
  const rows = syntheticExamples(task, 1024, 22).xs;
  const learner = createLearner(family, SYNTHETIC_SCHEMA, task, { ...options.hyperParameters }) as DenseLearner;
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
    const tfCalls = Math.max(200, Math.floor(calls / 20));
    for (let i = 0; i < 100; i++) sink += learner.predictWithTf([rows[i % rows.length] as FeatureValues])[0] ?? 0;
    const tfStarted = performance.now();
    for (let i = 0; i < tfCalls; i++) sink += learner.predictWithTf([rows[i % rows.length] as FeatureValues])[0] ?? 0;
    const tfjsOneRowUs = ((performance.now() - tfStarted) * 1000) / tfCalls;
    if (Number.isNaN(sink)) throw new Error('a benchmark prediction was NaN');
    return { scorerMeanUs, scorerP99Us: samples[Math.floor(calls * 0.99)] ?? NaN, tfjsOneRowUs, artifactBytes: artifact.length };
  } finally {
    learner.dispose();
  }
}
