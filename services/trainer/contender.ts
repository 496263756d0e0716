// One learner in training, with its progressive-validation metrics: every example is scored before
// it is learned from, so the online metrics are honest. How examples reach the learner depends on
// how it learns:
// - online learners (logistic, linear, mlp) take each mini-batch at once, plus replayed examples;
// - batch learners (gbdt) refit their whole buffer from scratch on every learnMany, so feeding
//   them every Kafka batch would refit many times a second. They are fed in chunks of their own
//   `refitEvery` hyper-parameter instead — one refit per chunk, the rate AutoML chose for learnOne
//   — and never replayed examples (their buffer is their replay). Examples of an unfinished chunk
//   are scored, not yet learned, and a version is published only after a refit changed the model.
import type { FeatureValues } from '../lib/feature-values.js';
import type { Learner } from '../lib/learners/index.js';
import { OnlineMetrics } from '../lib/stats/online-metrics.js';
import type { ExampleBatch } from './replay-buffer.js';

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

export class Contender {
  readonly metrics = new OnlineMetrics({ window: METRICS_WINDOW });
  private readonly refitChunk: number | null;
  private unfitted: ExampleBatch = { xs: [], ys: [] };
  private learnedSincePublish = 0;

  constructor(readonly learner: Learner) {
    this.refitChunk = refitChunkSize(learner);
  }

  /** Whether replayed examples help this learner (online learners only). */
  get wantsReplay(): boolean {
    return this.refitChunk === null;
  }

  /** Whether the model changed since the last markPublished. */
  get changedSincePublish(): boolean {
    return this.learnedSincePublish > 0;
  }

  /** Scores each example with the current model, then learns it (at once or at the next refit). */
  async learn(xs: readonly FeatureValues[], ys: readonly number[], replay: ExampleBatch | null): Promise<void> {
    for (let i = 0; i < xs.length; i++) this.metrics.update(ys[i]!, this.learner.predictOne(xs[i]!));
    if (this.refitChunk === null) {
      await this.learner.learnMany(xs, ys);
      if (replay && replay.xs.length > 0) await this.learner.learnMany(replay.xs, replay.ys);
      this.learnedSincePublish += xs.length;
      return;
    }
    for (let i = 0; i < xs.length; i++) {
      this.unfitted.xs.push(xs[i]!);
      this.unfitted.ys.push(ys[i]!);
    }
    if (this.unfitted.xs.length < this.refitChunk) return;
    const chunk = this.unfitted;
    this.unfitted = { xs: [], ys: [] };
    await this.learner.learnMany(chunk.xs, chunk.ys);
    this.learnedSincePublish += chunk.xs.length;
  }

  markPublished(): void {
    this.learnedSincePublish = 0;
  }

  dispose(): void {
    this.learner.dispose();
  }
}
