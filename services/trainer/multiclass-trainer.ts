// Continual training of a blueprint that predicts a class: the next item of a sequence, or one of
// several classes. Its learners (services/lib/multiclass) learn side by side from each example's
// class, each scored before it learns (progressive validation), and the one with the lower
// log-loss is published at the blueprint's cadence. A restarted trainer continues the newest
// version's learner (its weights; the optimizer's step sizes start afresh) beside fresh others.
import type { Blueprint, Example, ModelVersion } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import {
  classOfExample,
  multiclassLearnersFor,
  restoreMulticlassLearner,
  WindowedClassMetrics,
  type MulticlassLearner,
} from '../lib/multiclass/index.js';
import type { PublishedModel, Trainer } from './trainer.js';
import type { ContinuationJudgement } from './continuation-gate.js';
import { trainedVersion } from './trained-version.js';

/** Recent examples each learner's progressive metrics cover. */
const METRICS_WINDOW = 5000;
/** The top-k accuracy published (and the k of the reply unless the blueprint's top_k says otherwise). */
const TOP_K = 5;

interface Contender {
  readonly learner: MulticlassLearner;
  readonly metrics: WindowedClassMetrics;
  /** Reused for scoring before learning: no allocation per example. */
  readonly proba: Float64Array;
}

export class MulticlassTrainer implements Trainer {
  private contenders: Contender[];
  private queue: Array<{ x: FeatureValues; label: string }> = [];
  private sequence: number;
  private lastVersion: string | null;
  private changed = false;
  private learned = 0;
  private dataStartTs: number | null = null;
  private dataEndTs: number | null = null;

  constructor(
    private bp: Blueprint,
    checkpoint: ModelVersion | null = null,
  ) {
    const fresh = multiclassLearnersFor(bp);
    const restored = checkpoint === null ? null : restoreSame(checkpoint, fresh);
    this.contenders = fresh.map((l) => contender(restored !== null && restored.family === l.family ? restored : l));
    this.sequence = checkpoint?.sequence ?? 0;
    this.lastVersion = restored !== null ? checkpoint!.modelVersion : null;
  }

  get blueprint(): Blueprint {
    return this.bp;
  }

  get description(): string {
    return `${this.contenders.map((c) => c.learner.family).join(' and ')} side by side over ${this.bp.task === 'sequence' ? `the next ${this.bp.sequence!.feature} item` : `the classes ${this.bp.decision.actions.join(', ')}`}`;
  }

  /** A version that changes what the learners read or predict starts over; other changes keep them. */
  updateBlueprint(bp: Blueprint): void {
    const same = learnerInputs(bp) === learnerInputs(this.bp);
    this.bp = bp;
    if (same) return;
    this.contenders = multiclassLearnersFor(bp).map(contender);
    this.queue = [];
  }

  /** Queues an example; false when it names no class. */
  add(example: Example): boolean {
    const label = classOfExample(this.bp, example);
    if (label === null) return false;
    this.queue.push({ x: example.features, label });
    this.dataStartTs = Math.min(this.dataStartTs ?? example.decisionTs, example.decisionTs);
    this.dataEndTs = Math.max(this.dataEndTs ?? example.decisionTs, example.decisionTs);
    return true;
  }

  async learnQueued(): Promise<number> {
    const steps = this.queue;
    this.queue = [];
    for (const { x, label } of steps) {
      for (const c of this.contenders) {
        c.learner.predictProba(x, c.proba);
        c.metrics.observe(c.proba, c.learner.rows, c.learner.rowOf(label));
        c.learner.learnOne(x, label);
      }
    }
    this.learned += steps.length;
    if (steps.length > 0) this.changed = true;
    return steps.length;
  }

  get hasUnpublished(): boolean {
    return this.changed;
  }

  // Versions are published unjudged (no continuation gate): nothing is ever pending, judged or refused.
  readonly pendingSince = null;
  readonly pendingAgainst = null;
  readonly lastRefusal = null;
  drainJudgements(): ContinuationJudgement[] {
    return [];
  }

  publish(now: number, sequenceFloor = 0): PublishedModel | null {
    if (!this.changed) return null;
    const ranked = this.contenders
      .map((c) => ({ c, summary: c.metrics.summary() }))
      .sort((a, b) => logLossOf(a.summary) - logLossOf(b.summary));
    const { c: best, summary } = ranked[0]!;
    // The weights only (toArtifact): the optimizer state would double what every predictor loads.
    const artifact = best.learner.toArtifact();
    this.sequence = Math.max(this.sequence, sequenceFloor) + 1;
    const record = trainedVersion(this.bp, {
      sequence: this.sequence,
      family: best.learner.family,
      hyperParameters: best.learner.hyperParameters,
      featureNames: [...this.bp.features.context, ...this.bp.features.streams].map((f) => f.name),
      artifact,
      artifactFormat: best.learner.artifactFormat,
      p99InferenceUs: null,
      metrics: {
        examples: summary.count,
        logloss: summary.logLoss,
        top1_accuracy: summary.top1Accuracy,
        [`top${summary.k}_accuracy`]: summary.topKAccuracy,
        mrr: summary.meanReciprocalRank,
      },
      trainedOnExamples: best.learner.examplesSeen,
      dataStartTs: this.dataStartTs,
      dataEndTs: this.dataEndTs,
      createdAt: now,
      parentVersion: this.lastVersion,
      profile: null,
    });
    this.lastVersion = record.modelVersion;
    this.changed = false;
    return { record, metric: -logLossOf(summary) };
  }

  dispose(): void {}
}

/** What multiclassLearnersFor reads of a blueprint: the learners change only when this does. */
function learnerInputs(bp: Blueprint): string {
  return JSON.stringify([
    bp.task,
    bp.decision.policy,
    bp.decision.actions,
    bp.features,
    bp.sequence,
    bp.objective.constraints.modelSizeBytes,
  ]);
}

function contender(learner: MulticlassLearner): Contender {
  return {
    learner,
    metrics: new WindowedClassMetrics({ window: METRICS_WINDOW, k: TOP_K }),
    proba: new Float64Array(learner.rows),
  };
}

function logLossOf(summary: { logLoss: number | null }): number {
  return summary.logLoss ?? Number.POSITIVE_INFINITY;
}

/** The checkpoint's learner when it reads and predicts what this blueprint's learner of that family would. */
function restoreSame(checkpoint: ModelVersion, fresh: readonly MulticlassLearner[]): MulticlassLearner | null {
  try {
    const learner = restoreMulticlassLearner(checkpoint.artifact);
    const same = fresh.find((l) => l.family === learner.family);
    return same !== undefined && JSON.stringify(same.hyperParameters) === JSON.stringify(learner.hyperParameters)
      ? learner
      : null;
  } catch {
    return null;
  }
}
