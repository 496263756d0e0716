// Continual training for one blueprint, in one of two configurations (training-plan.ts):
// - side by side, the trainer's own: logistic (or linear) regression and a small MLP learn the same
//   examples and the one with the better online metric is published;
// - adopted: AutoML's deployed candidate, restored from its artifact (or from its newest trained
//   continuation), is the only learner, and versions carry its family and hyper-parameters.
// Every example is scored before it is learned (progressive validation: honest online metrics), and
// each version names the one before as parentVersion, so a lineage chains back to where it began
// and the predictor keeps serving its newest version.
import type { Blueprint, Example, ModelVersion } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import {
  createLearner,
  featureSchemaFromBlueprint,
  restoreLearner,
  type Learner,
  type LearnerTask,
} from '../lib/learners/index.js';
import type { OnlineMetrics } from '../lib/stats/online-metrics.js';
import { teachesScore, trainingFeatures } from '../lib/learners/teaches-score.js';
import { errorMessage } from '../lib/errors.js';
import { Contender } from './contender.js';
import { ReplayBuffer } from './replay-buffer.js';
import { measureP99Us } from '../lib/learners/latency.js';
import { ProfileSample } from '../lib/monitoring/profile.js';
import { loadScorer } from '../lib/learners/serving.js';
import { AdoptionError } from './errors.js';
import { SIDE_BY_SIDE, type TrainingConfiguration } from './training-plan.js';
import { trainedVersion } from './trained-version.js';

/** Recent examples replayed for online learners: REPLAY_RATIO per new one, from the last REPLAY_CAPACITY. */
const REPLAY_CAPACITY = 20_000;
const REPLAY_RATIO = 3;

export interface PublishedModel {
  record: ModelVersion;
  metric: number;
}

/** Where a trainer starts: its configuration and the version it continues (null: from scratch). */
export interface TrainerStart {
  configuration: TrainingConfiguration;
  checkpoint: ModelVersion | null;
}

/** Ranking scores each candidate with a click probability: a binary classifier per shown candidate. */
export function learnerTask(bp: Blueprint): LearnerTask | null {
  if (bp.task === 'ranking') return 'classification';
  // Several classes (policy argmax or top_k): not a binary probability; see services/lib/multiclass.
  if (bp.task === 'classification' && (bp.decision.policy === 'argmax' || bp.decision.policy === 'top_k')) return null;
  return bp.task === 'classification' || bp.task === 'estimation' ? bp.task : null;
}

export class BlueprintTrainer {
  private contenders: Contender[];
  private config: TrainingConfiguration;
  private xs: FeatureValues[] = [];
  private ys: number[] = [];
  private sequence: number;
  private dataStartTs: number | null = null;
  private dataEndTs: number | null = null;
  private lastVersion: string | null;
  private readonly replay = new ReplayBuffer(REPLAY_CAPACITY);
  /** What the published models have learned from, for the monitor's drift measures. */
  private profileSample = new ProfileSample();

  /** AdoptionError when an adopted configuration has no checkpoint, or one that cannot be restored or learns another task. */
  constructor(
    private bp: Blueprint,
    start: TrainerStart = { configuration: SIDE_BY_SIDE, checkpoint: null },
  ) {
    this.config = start.configuration;
    this.sequence = start.checkpoint?.sequence ?? 0;
    this.lastVersion = start.checkpoint?.modelVersion ?? null;
    this.contenders =
      this.config.kind === 'adopted'
        ? [new Contender(this.adopt(this.config.candidate, start.checkpoint))]
        : this.sideBySide(start.checkpoint);
  }

  get blueprint(): Blueprint {
    return this.bp;
  }

  get configuration(): TrainingConfiguration {
    return this.config;
  }

  /**
   * A new blueprint version keeps the learners when its features are the same, else starts over:
   * side by side from scratch, adopted with a new learner of the same family and hyper-parameters
   * (AutoML's choice stays) — or side by side when that family cannot learn the new task.
   */
  updateBlueprint(bp: Blueprint): void {
    const sameFeatures =
      JSON.stringify(featureSchemaFromBlueprint(bp)) === JSON.stringify(featureSchemaFromBlueprint(this.bp)) &&
      bp.task === this.bp.task;
    this.bp = bp;
    if (sameFeatures) return;
    const previous = this.contenders.map((c) => c.learner);
    this.contenders = this.config.kind === 'adopted' ? this.recreate(previous) : this.sideBySide(null);
    for (const learner of previous) learner.dispose();
    this.xs = [];
    this.ys = [];
    this.profileSample = new ProfileSample();
  }

  private recreate(previous: readonly Learner[]): Contender[] {
    const schema = featureSchemaFromBlueprint(this.bp);
    try {
      return previous.map(
        (l) => new Contender(createLearner(l.family, schema, learnerTask(this.bp)!, l.hyperParameters)),
      );
    } catch {
      this.config = SIDE_BY_SIDE;
      return this.sideBySide(null);
    }
  }

  private sideBySide(restored: ModelVersion | null): Contender[] {
    const task = learnerTask(this.bp)!;
    const schema = featureSchemaFromBlueprint(this.bp);
    const families = [task === 'classification' ? 'logistic' : 'linear', 'mlp'];
    return families.map(
      (family) =>
        new Contender(
          restored && restored.family === family
            ? restoreLearner(restored.artifact)
            : createLearner(family, schema, task),
        ),
    );
  }

  private adopt(candidate: string, checkpoint: ModelVersion | null): Learner {
    if (checkpoint === null) throw new AdoptionError(this.bp.name, candidate, 'no checkpoint to restore it from');
    let learner: Learner;
    try {
      learner = restoreLearner(checkpoint.artifact);
    } catch (error) {
      throw new AdoptionError(
        this.bp.name,
        checkpoint.modelVersion,
        `its artifact cannot be restored: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    if (learner.task !== learnerTask(this.bp)) {
      learner.dispose();
      throw new AdoptionError(
        this.bp.name,
        checkpoint.modelVersion,
        `it learns ${learner.task}, the blueprint's task is ${this.bp.task}`,
      );
    }
    return learner;
  }

  /** Queues an example; returns false when it does not teach the score. */
  add(example: Example): boolean {
    // Every example, not only those that teach the score: the profile describes the traffic the
    // model was trained in, which is what live traffic is compared with.
    this.profileSample.add(example.features);
    if (!teachesScore(this.bp, example)) return false;
    if (!Number.isFinite(example.label)) return false;
    this.xs.push(trainingFeatures(this.bp, example));
    this.ys.push(example.label);
    this.dataStartTs = Math.min(this.dataStartTs ?? example.decisionTs, example.decisionTs);
    this.dataEndTs = Math.max(this.dataEndTs ?? example.decisionTs, example.decisionTs);
    return true;
  }

  get queued(): number {
    return this.xs.length;
  }

  /** Scores then learns everything queued; returns how many examples that was. */
  async learnQueued(): Promise<number> {
    if (this.xs.length === 0) return 0;
    const xs = this.xs;
    const ys = this.ys;
    this.xs = [];
    this.ys = [];
    const replay = this.contenders.some((c) => c.wantsReplay) ? this.replay.draw(xs.length * REPLAY_RATIO) : null;
    for (const c of this.contenders) await c.learn(xs, ys, c.wantsReplay ? replay : null);
    this.replay.remember(xs, ys);
    return xs.length;
  }

  /** The metric the blueprint optimises, oriented so that larger is better. */
  private score(metrics: OnlineMetrics): number {
    switch (this.bp.objective.metric) {
      case 'auc':
      case 'ndcg': // per shown candidate, the click probability's ranking quality
        return metrics.auc();
      case 'logloss':
        return -metrics.logLoss();
      case 'mae':
        return -metrics.mae();
      default:
        return -metrics.rmse();
    }
  }

  /** True when some learner changed since the last published version. */
  get hasUnpublished(): boolean {
    return this.contenders.some((c) => c.changedSincePublish);
  }

  /**
   * A new model version from the best learner whose model changed since the last one, or null.
   * Its sequence is above `sequenceFloor` too: AutoML numbers its candidates in the same sequence.
   */
  publish(now: number, sequenceFloor = 0): PublishedModel | null {
    const ranked = this.contenders
      .filter((c) => c.changedSincePublish)
      .map((c) => ({ c, value: this.score(c.metrics) }))
      .sort((a, b) => (Number.isNaN(b.value) ? -1 : Number.isNaN(a.value) ? 1 : b.value - a.value));
    const best = ranked[0]?.c;
    if (!best) return null;
    const artifact = best.learner.toArtifact();
    this.sequence = Math.max(this.sequence, sequenceFloor) + 1;
    const record = trainedVersion(this.bp, {
      sequence: this.sequence,
      family: best.learner.family,
      hyperParameters: best.learner.hyperParameters,
      featureNames: [...best.learner.featureNames],
      artifact,
      artifactFormat: best.learner.artifactFormat,
      p99InferenceUs: measureP99Us(artifact, this.sampleRows()),
      metrics: {
        examples: best.metrics.count,
        auc: best.metrics.auc(),
        logloss: best.metrics.logLoss(),
        rmse: best.metrics.rmse(),
        mae: best.metrics.mae(),
      },
      trainedOnExamples: best.learner.examplesSeen,
      dataStartTs: this.dataStartTs,
      dataEndTs: this.dataEndTs,
      createdAt: now,
      parentVersion: this.lastVersion,
      profile: this.profileOf(artifact),
    });
    this.lastVersion = record.modelVersion;
    for (const c of this.contenders) c.markPublished();
    return { record, metric: this.score(best.metrics) };
  }

  /** The traffic this model was trained in, with the scores it gives that traffic (ModelVersion.profile). */
  private profileOf(artifact: Uint8Array): string {
    const scorer = loadScorer(artifact);
    const names = featureSchemaFromBlueprint(this.bp).features.map((f) => f.name);
    return JSON.stringify(this.profileSample.profile(names, (x) => scorer.score(x)));
  }

  private sampleRows(): FeatureValues[] {
    const names = featureSchemaFromBlueprint(this.bp).features.map((f) => f.name);
    return Array.from({ length: 64 }, (_, i) => Object.fromEntries(names.map((n, j) => [n, (i * 7 + j) % 5])));
  }

  dispose(): void {
    for (const c of this.contenders) c.dispose();
  }
}
