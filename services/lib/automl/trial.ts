// One trial of a search: a configuration trained on the newest share of the training rows, then
// judged on the validation rows by the very scorer the predictor would load from its artifact.

import type { FeatureValues } from '../feature-values.js';
import type { FeatureSchema } from '../learners/feature-schema.js';
import type { LearnerTask } from '../learners/contract.js';
import { createLearner } from '../learners/families.js';
import { loadScorer } from '../learners/serving.js';
import { SeededRandom } from '../learners/random.js';
import { errorMessage } from '../errors.js';
import { newestShare, type Rows } from './dataset.js';
import { measureP99Us } from '../learners/latency.js';
import {
  constraintViolations,
  evaluateScorer,
  orient,
  type Constraints,
  type MetricValues,
  type SearchMetric,
} from './objective.js';
import type { TrialConfig } from './space.js';

/**
 * Passes over the rows for the families that learn by gradient steps: one pass underfits the few
 * thousand labels a young blueprint has, more costs time every trial pays.
 */
export const DENSE_EPOCHS = 3;
/** Rows the scoring time is measured on: drawn from validation, so the inputs are realistic. */
const TIMING_ROWS = 256;

export interface TrialInput {
  readonly schema: FeatureSchema;
  readonly task: LearnerTask;
  readonly train: Rows;
  readonly validation: Rows;
  readonly metric: SearchMetric;
  readonly constraints: Constraints;
  /** Seed of weight initialisation, subsampling and shuffling: a trial repeats exactly. */
  readonly seed: number;
}

export interface TrialOutcome {
  readonly config: TrialConfig;
  /** Share of the training rows learned from (the successive-halving resource). */
  readonly resource: number;
  readonly trainRows: number;
  /** The blueprint's metric on validation, as computed; NaN when the trial failed. */
  readonly metricValue: number;
  /** The same, larger is better; -Infinity when failed or infeasible (so it is never promoted). */
  readonly objective: number;
  readonly metrics: MetricValues;
  readonly sizeBytes: number;
  readonly p99Us: number;
  /** Constraint violations, in words; empty when feasible. */
  readonly violations: readonly string[];
  readonly seconds: number;
  /** Why the trial failed (a refused hyper-parameter, a diverging fit); null when it ran. */
  readonly error: string | null;
  /** The trained model, kept for the chosen trial only by the caller. */
  readonly artifact: Uint8Array | null;
}

export async function runTrial(config: TrialConfig, resource: number, input: TrialInput): Promise<TrialOutcome> {
  const started = performance.now();
  const rows = newestShare(input.train, resource);
  const failed = (error: unknown): TrialOutcome => ({
    config,
    resource,
    trainRows: rows.xs.length,
    metricValue: Number.NaN,
    objective: Number.NEGATIVE_INFINITY,
    metrics: {},
    sizeBytes: 0,
    p99Us: 0,
    violations: [],
    seconds: (performance.now() - started) / 1000,
    error: errorMessage(error),
    artifact: null,
  });
  let learner;
  try {
    learner = createLearner(config.family, input.schema, input.task, optionsFor(config, rows.xs.length, input.seed));
  } catch (error) {
    return failed(error);
  }
  try {
    if (config.family === 'gbdt') {
      await learner.learnMany(rows.xs, rows.ys, rows.ws);
    } else {
      const random = new SeededRandom(input.seed);
      for (let epoch = 0; epoch < DENSE_EPOCHS; epoch++) {
        const order = shuffled(rows.xs.length, random);
        await learner.learnMany(
          order.map((i) => rows.xs[i]!),
          order.map((i) => rows.ys[i]!),
          order.map((i) => rows.ws[i]!),
        );
      }
    }
    const artifact = learner.toArtifact();
    const metrics = evaluateScorer(loadScorer(artifact), input.validation, input.task === 'classification');
    const metricValue = metrics[input.metric] ?? Number.NaN;
    const p99Us = measureP99Us(artifact, timingRows(input.validation.xs));
    const violations = constraintViolations(artifact.length, p99Us, input.constraints);
    const objective =
      Number.isFinite(metricValue) && violations.length === 0
        ? orient(input.metric, metricValue)
        : Number.NEGATIVE_INFINITY;
    return {
      config,
      resource,
      trainRows: rows.xs.length,
      metricValue,
      objective,
      metrics,
      sizeBytes: artifact.length,
      p99Us,
      violations,
      seconds: (performance.now() - started) / 1000,
      error: Number.isFinite(metricValue) ? null : `the ${input.metric} is undefined on the validation rows`,
      artifact,
    };
  } catch (error) {
    return failed(error);
  } finally {
    learner.dispose();
  }
}

/** The learner options of a configuration: its point, the search's seed, and a buffer that holds every row. */
function optionsFor(config: TrialConfig, rows: number, seed: number): Record<string, unknown> {
  const options: Record<string, unknown> = { ...config.params, seed };
  if (config.family === 'gbdt') options['bufferSize'] = Math.max(rows, 1);
  return options;
}

function shuffled(n: number, random: SeededRandom): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function timingRows(xs: readonly FeatureValues[]): readonly FeatureValues[] {
  if (xs.length <= TIMING_ROWS) return xs;
  const step = xs.length / TIMING_ROWS;
  return Array.from({ length: TIMING_ROWS }, (_, i) => xs[Math.floor(i * step)]!);
}
