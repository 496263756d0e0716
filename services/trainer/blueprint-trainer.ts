// Continual training for one blueprint: every example is first scored (progressive validation:
// predict before learn, so the online metrics are honest), then learned in mini-batches. Two
// families learn side by side — logistic (or linear) regression and a small MLP — and the one with
// the better online metric is published.
import type { Blueprint, Example, ModelVersion } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import { createLearner, featureSchemaFromBlueprint, loadScorer, restoreLearner, type Learner, type LearnerTask } from '../lib/learners/index.js';
import { OnlineMetrics } from '../lib/stats/online-metrics.js';

/** Progressive-validation window: the online metrics describe the most recent examples. */
const METRICS_WINDOW = 5000;
/**
 * Recent examples are replayed alongside new ones: one pass over a stream underfits a model that
 * sees few labels (only the decisions whose outcome teaches the score), so each mini-batch of new
 * examples is followed by REPLAY_RATIO as many drawn from the last REPLAY_CAPACITY.
 */
const REPLAY_CAPACITY = 20_000;
const REPLAY_RATIO = 3;

interface Candidate {
  learner: Learner;
  metrics: OnlineMetrics;
}

export interface PublishedModel {
  record: ModelVersion;
  metric: number;
}

export function learnerTask(bp: Blueprint): LearnerTask | null {
  return bp.task === 'classification' || bp.task === 'estimation' ? bp.task : null;
}

/**
 * Whether an example teaches the score. With a threshold policy the score predicts the outcome
 * of the first action; outcomes of the other action say nothing about it (a notification not
 * sent cannot be clicked), so those examples are logged but not learned from.
 */
export function teachesScore(bp: Blueprint, example: Example): boolean {
  return bp.decision.policy !== 'threshold' || example.action === bp.decision.actions[0];
}

export class BlueprintTrainer {
  private candidates: Candidate[] = [];
  private xs: FeatureValues[] = [];
  private ys: number[] = [];
  private sequence: number;
  private learnedSincePublish = 0;
  private dataStartTs: number | null = null;
  private dataEndTs: number | null = null;
  private lastVersion: string | null;
  private readonly replayXs: FeatureValues[] = [];
  private readonly replayYs: number[] = [];
  private replayNext = 0;
  private replaySeed = 1;

  constructor(
    private bp: Blueprint,
    restored: ModelVersion | null,
  ) {
    this.sequence = restored?.sequence ?? 0;
    this.lastVersion = restored?.modelVersion ?? null;
    this.candidates = this.freshCandidates(restored);
  }

  get blueprint(): Blueprint {
    return this.bp;
  }

  /** A new blueprint version keeps the learners when its features are the same, else starts over. */
  updateBlueprint(bp: Blueprint): void {
    const sameFeatures = JSON.stringify(featureSchemaFromBlueprint(bp)) === JSON.stringify(featureSchemaFromBlueprint(this.bp)) && bp.task === this.bp.task;
    this.bp = bp;
    if (!sameFeatures) {
      for (const c of this.candidates) c.learner.dispose();
      this.candidates = this.freshCandidates(null);
      this.xs = [];
      this.ys = [];
    }
  }

  private freshCandidates(restored: ModelVersion | null): Candidate[] {
    const task = learnerTask(this.bp)!;
    const schema = featureSchemaFromBlueprint(this.bp);
    const linear = task === 'classification' ? 'logistic' : 'linear';
    const families = [linear, 'mlp'];
    return families.map((family) => ({
      learner: restored && restored.family === family ? restoreLearner(restored.artifact) : createLearner(family, schema, task),
      metrics: new OnlineMetrics({ window: METRICS_WINDOW }),
    }));
  }

  /** Queues an example; returns false when it does not teach the score. */
  add(example: Example): boolean {
    if (!teachesScore(this.bp, example)) return false;
    if (!Number.isFinite(example.label)) return false;
    this.xs.push(example.features);
    this.ys.push(example.label);
    this.dataStartTs = Math.min(this.dataStartTs ?? example.decisionTs, example.decisionTs);
    this.dataEndTs = Math.max(this.dataEndTs ?? example.decisionTs, example.decisionTs);
    return true;
  }

  get queued(): number {
    return this.xs.length;
  }

  /** Scores then learns everything queued. */
  async learnQueued(): Promise<number> {
    if (this.xs.length === 0) return 0;
    const xs = this.xs;
    const ys = this.ys;
    this.xs = [];
    this.ys = [];
    const replay = this.drawReplay(xs.length * REPLAY_RATIO);
    for (const c of this.candidates) {
      for (let i = 0; i < xs.length; i++) c.metrics.update(ys[i]!, c.learner.predictOne(xs[i]!));
      await c.learner.learnMany(xs, ys);
      if (replay.xs.length > 0) await c.learner.learnMany(replay.xs, replay.ys);
    }
    this.remember(xs, ys);
    this.learnedSincePublish += xs.length;
    return xs.length;
  }

  private remember(xs: readonly FeatureValues[], ys: readonly number[]): void {
    for (let i = 0; i < xs.length; i++) {
      if (this.replayXs.length < REPLAY_CAPACITY) {
        this.replayXs.push(xs[i]!);
        this.replayYs.push(ys[i]!);
      } else {
        this.replayXs[this.replayNext] = xs[i]!;
        this.replayYs[this.replayNext] = ys[i]!;
        this.replayNext = (this.replayNext + 1) % REPLAY_CAPACITY;
      }
    }
  }

  /** Uniform draws (with replacement) from the replay buffer, from a seeded generator so runs repeat. */
  private drawReplay(count: number): { xs: FeatureValues[]; ys: number[] } {
    const n = this.replayXs.length;
    const xs: FeatureValues[] = [];
    const ys: number[] = [];
    for (let i = 0; i < count && n > 0; i++) {
      this.replaySeed = (Math.imul(this.replaySeed, 1664525) + 1013904223) >>> 0;
      const j = this.replaySeed % n;
      xs.push(this.replayXs[j]!);
      ys.push(this.replayYs[j]!);
    }
    return { xs, ys };
  }

  /** The metric the blueprint optimises, oriented so that larger is better. */
  private score(metrics: OnlineMetrics): number {
    switch (this.bp.objective.metric) {
      case 'auc':
        return metrics.auc();
      case 'logloss':
        return -metrics.logLoss();
      case 'mae':
        return -metrics.mae();
      default:
        return -metrics.rmse();
    }
  }

  /** A new model version from the best candidate, or null when nothing was learned since the last one. */
  publish(now: number): PublishedModel | null {
    if (this.learnedSincePublish === 0) return null;
    const ranked = this.candidates
      .map((c) => ({ c, value: this.score(c.metrics) }))
      .sort((a, b) => (Number.isNaN(b.value) ? -1 : Number.isNaN(a.value) ? 1 : b.value - a.value));
    const best = ranked[0]!.c;
    const artifact = best.learner.toArtifact();
    this.sequence++;
    const modelVersion = `${this.bp.name}/${this.sequence}`;
    const metrics: Record<string, number> = { examples: best.metrics.count };
    for (const [name, value] of Object.entries({ auc: best.metrics.auc(), logloss: best.metrics.logLoss(), rmse: best.metrics.rmse(), mae: best.metrics.mae() })) {
      if (Number.isFinite(value)) metrics[name] = value;
    }
    const record: ModelVersion = {
      modelVersion,
      blueprint: this.bp.name,
      blueprintVersion: this.bp.version,
      sequence: this.sequence,
      family: best.learner.family,
      role: 'trained',
      hyperParameters: JSON.stringify(best.learner.hyperParameters),
      featureNames: [...best.learner.featureNames],
      artifact: Buffer.from(artifact),
      artifactFormat: best.learner.artifactFormat,
      sizeBytes: artifact.length,
      p99InferenceUs: measureP99Us(artifact, this.sampleRows()),
      metrics,
      trainedOnExamples: best.learner.examplesSeen,
      dataStartTs: this.dataStartTs,
      dataEndTs: this.dataEndTs,
      createdAt: now,
      search: null,
      parentVersion: this.lastVersion,
    };
    this.lastVersion = modelVersion;
    this.learnedSincePublish = 0;
    return { record, metric: this.score(best.metrics) };
  }

  private sampleRows(): FeatureValues[] {
    const names = featureSchemaFromBlueprint(this.bp).features.map((f) => f.name);
    return Array.from({ length: 64 }, (_, i) => Object.fromEntries(names.map((n, j) => [n, (i * 7 + j) % 5])));
  }

  dispose(): void {
    for (const c of this.candidates) c.learner.dispose();
  }
}

/** The 99th-percentile single-row scoring time of an artifact, measured on `rows`. */
export function measureP99Us(artifact: Uint8Array, rows: readonly FeatureValues[]): number {
  const scorer = loadScorer(artifact);
  const times: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const row of rows) {
      const t0 = performance.now();
      scorer.score(row);
      times.push((performance.now() - t0) * 1000);
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length * 0.99)] ?? 0;
}
