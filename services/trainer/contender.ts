// One learner in training, with its progressive-validation metrics: every example is scored before
// it is learned from, so the online metrics are honest. How examples reach the learner depends on
// how it learns:
// - online learners (logistic, linear, mlp) take each mini-batch at once, plus replayed examples;
// - batch learners (gbdt) refit their whole buffer from scratch on every learnMany, so feeding
//   them every Kafka batch would refit many times a second. They are fed in chunks of their own
//   `refitEvery` hyper-parameter instead — one refit per chunk, the rate AutoML chose for learnOne
//   — and never replayed examples (their buffer is their replay). Examples of an unfinished chunk
//   are scored, not yet learned, and a version is offered only after a refit changed the model.
import type { Learner } from '../lib/learners/index.js';
import { OnlineMetrics } from '../lib/stats/online-metrics.js';
import { emptyBatch, type ExampleBatch } from './replay-buffer.js';

/** Progressive-validation window: the online metrics describe the most recent examples. */
export const METRICS_WINDOW = 5000;

/** Families whose learnMany refits from scratch on everything buffered (see gbdt.ts). */
const BATCH_FAMILIES: ReadonlySet<string> = new Set(['gbdt']);
/** gbdt's default refitEvery, for an artifact that does not say. */
const DEFAULT_REFIT_EVERY = 1000;

/** Examples per refit for a batch learner; null for an online learner (fed every mini-batch). */
export function refitChunkSize(learner: Pick<Learner, 'family' | 'hyperParameters'>): number | null {
  if (!BATCH_FAMILIES.has(learner.family)) return null;
  const refitEvery = learner.hyperParameters['refitEvery'];
  return typeof refitEvery === 'number' && Number.isInteger(refitEvery) && refitEvery >= 1
    ? refitEvery
    : DEFAULT_REFIT_EVERY;
}

/**
 * The weights of one learnMany call divided by their mean; undefined when they are all equal (the
 * learner's unweighted path, the same numbers as before weights existed).
 *
 * Why: the dense learners average the weighted loss over the batch size (Σ w·loss / rows), so raw
 * 1/propensity weights scale a step by the batch's mean weight, and a small batch holding one
 * explored example of weight 40 takes a step tens of times larger. Measured with a seeded
 * simulation (a logistic learner on a threshold-policy feedback loop, threshold 0.3, 5 %
 * exploration, propensity_clip 0.01, 300 batches of 100 requests with 3× replay, AUC on 20,000
 * draws of the whole population, mean of 8 seeds; clicks from σ(−1.2 + x₁ + 0.7x₂ + 0.6x₁x₂ − 0.5x₃²),
 * which a linear model cannot fit everywhere, so where it is fitted matters; a step is the most one
 * learning call moved the score of x = 0):
 *                               Adam: AUC, log-loss, mean-score bias | SGD (rate 0.1): AUC, log-loss, bias
 *   unweighted                  0.7898, 0.4331, −0.0191              | 0.7899, 0.4326, −0.0204
 *   raw 1/propensity            0.7892, 0.4302, +0.0194              | 0.7849 ± 0.0033, 0.4355, +0.0162 (a step moved a score by 0.996)
 *   ÷ the batch's mean weight   0.7898, 0.4283, +0.0003              | 0.7893, 0.4282, +0.0050
 *   ÷ a running mean weight     0.7891, 0.4286, +0.0041              | 0.7900, 0.4270, +0.0005 (a step moved a score by 0.344)
 * With batches of 10 requests raw weights under SGD fell to AUC 0.7667 ± 0.036 (worst seed 0.679)
 * while the batch's mean kept 0.7884 (unweighted 0.7890) and the running mean 0.7819; at threshold
 * 0.5 the batch's mean gave 0.7890 (Adam) and 0.7888 (SGD) against 0.7894 and 0.7895 unweighted.
 * Dividing by the batch's mean keeps the whole-population AUC of unweighted training (within
 * 0.0007), removes most of its calibration bias, and bounds every step like an unweighted one.
 */
export function meanNormalised(weights: readonly number[]): number[] | undefined {
  if (weights.length === 0 || weights.every((w) => w === weights[0])) return undefined;
  let sum = 0;
  for (const w of weights) sum += w;
  if (!(sum > 0)) return undefined;
  const mean = sum / weights.length;
  return weights.map((w) => w / mean);
}

export class Contender {
  readonly metrics = new OnlineMetrics({ window: METRICS_WINDOW });
  private readonly refitChunk: number | null;
  private unfitted: ExampleBatch = emptyBatch();
  private learnedSinceSnapshot = 0;

  constructor(readonly learner: Learner) {
    this.refitChunk = refitChunkSize(learner);
  }

  /** Whether replayed examples help this learner (online learners only). */
  get wantsReplay(): boolean {
    return this.refitChunk === null;
  }

  /** Whether the model changed since the last markSnapshot (the last version offered for publication). */
  get changedSinceSnapshot(): boolean {
    return this.learnedSinceSnapshot > 0;
  }

  /** Scores each example with the current model, then learns it (at once or at the next refit). */
  async learn(batch: ExampleBatch, replay: ExampleBatch | null): Promise<void> {
    const { xs, ys, ws } = batch;
    for (let i = 0; i < xs.length; i++) this.metrics.update(ys[i]!, this.learner.predictOne(xs[i]!));
    if (this.refitChunk === null) {
      await this.learner.learnMany(xs, ys, meanNormalised(ws));
      if (replay && replay.xs.length > 0) await this.learner.learnMany(replay.xs, replay.ys, meanNormalised(replay.ws));
      this.learnedSinceSnapshot += xs.length;
      return;
    }
    for (let i = 0; i < xs.length; i++) {
      this.unfitted.xs.push(xs[i]!);
      this.unfitted.ys.push(ys[i]!);
      this.unfitted.ws.push(ws[i]!);
    }
    if (this.unfitted.xs.length < this.refitChunk) return;
    const chunk = this.unfitted;
    this.unfitted = emptyBatch();
    await this.learner.learnMany(chunk.xs, chunk.ys, meanNormalised(chunk.ws));
    this.learnedSinceSnapshot += chunk.xs.length;
  }

  /** The model as it is now was taken for a version (published, or pending its verdict). */
  markSnapshot(): void {
    this.learnedSinceSnapshot = 0;
  }

  dispose(): void {
    this.learner.dispose();
  }
}
