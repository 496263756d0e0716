// Continual training for one blueprint, in one of two configurations (training-plan.ts):
// - side by side, the trainer's own: logistic (or linear) regression and a small MLP learn the same
//   examples and the one with the better online metric is published;
// - adopted: AutoML's deployed candidate, restored from its artifact (or from its newest trained
//   continuation), is the only learner, and versions carry its family and hyper-parameters.
// Every example is scored before it is learned (progressive validation: honest online metrics), and
// each version names the one before as parentVersion, so a lineage chains back to where it began
// and the predictor keeps serving its newest version.
//
// Each example is learned with its learning weight (√(1/propensity) under a threshold policy) and
// judged with its judging weight (1/propensity): training-weight.ts says why they differ. A
// continuation earns its swap (continuation-gate.ts): when one is due it is held as a pending
// version, judged against the version that serves — the last one this trainer published or
// adopted — on the next examples neither learned from, and published only when it is shown not
// worse by more than rollout.rollback_if.metric_drop and, under a threshold policy, its decisions
// at decision.threshold are not shown worth less than 80 % of the serving version's (a uniform
// shift of the scores ranks as well and sends to more or fewer: continuation-value.ts). The first
// version, with nothing serving, is judged the same way against serving no model.
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
import { taskMetrics } from '../lib/automl/objective.js';
import { teachesScore, trainingFeatures } from '../lib/learners/teaches-score.js';
import { judgingWeight, learningWeight } from '../lib/learners/training-weight.js';
import { errorMessage } from '../lib/errors.js';
import { Contender } from './contender.js';
import { ReplayBuffer, type ExampleBatch } from './replay-buffer.js';
import { measureP99Us } from '../lib/learners/latency.js';
import { ProfileSample } from '../lib/monitoring/profile.js';
import { loadScorer, type Scorer } from '../lib/learners/serving.js';
import { AdoptionError } from './errors.js';
import { SIDE_BY_SIDE, type TrainingConfiguration } from './training-plan.js';
import { trainedVersion, type TrainedVersionParts } from './trained-version.js';
import type { PublishedModel, Trainer } from './trainer.js';
import {
  ContinuationTest,
  FIRST_VERSION_MIN_EXAMPLES,
  isGated,
  type Comparison,
  type ContinuationJudgement,
} from './continuation-gate.js';

/** Recent examples replayed for online learners: REPLAY_RATIO per new one, from the last REPLAY_CAPACITY. */
const REPLAY_CAPACITY = 20_000;
const REPLAY_RATIO = 3;

/** Where a trainer starts: its configuration and the version it continues (null: from scratch). */
export interface TrainerStart {
  configuration: TrainingConfiguration;
  checkpoint: ModelVersion | null;
  /**
   * The version that serves, when the trainer does not continue it (it starts from scratch because
   * that version cannot be adopted): its first version is judged against it. Default: the checkpoint.
   */
  serving?: ModelVersion | null;
}

/** The version a continuation is judged against: the last one this trainer published or adopted. */
interface ServedVersion {
  readonly modelVersion: string;
  readonly scorer: Scorer;
  /**
   * For a version made elsewhere (an adopted candidate, the checkpoint of an earlier run), the
   * decision time of the newest example it may have learned (its dataEndTs): only later examples
   * judge it. Null when it learned nothing that reaches this trainer after it was taken.
   */
  readonly learnedUntil: number | null;
}

/** A version taken from the best learner: everything of its record but what publishing decides. */
interface Snapshot {
  readonly parts: Omit<TrainedVersionParts, 'sequence' | 'createdAt' | 'parentVersion'>;
  /** Its objective, oriented so that larger is better (PublishedModel.metric). */
  readonly metric: number;
  readonly scorer: Scorer;
  /** The weighted mean label of the examples learned when it was taken: serving no model scores every example with it. */
  readonly baseRate: number;
}

/** A continuation held back until its test gives a verdict. */
interface PendingVersion {
  readonly snapshot: Snapshot;
  readonly test: ContinuationTest;
}

/** Ranking scores each candidate with a click probability: a binary classifier per shown candidate. */
export function learnerTask(bp: Blueprint): LearnerTask | null {
  if (bp.task === 'ranking') return 'classification';
  // Several classes (policy argmax or top_k): not a binary probability; see services/lib/multiclass.
  if (bp.task === 'classification' && (bp.decision.policy === 'argmax' || bp.decision.policy === 'top_k')) return null;
  return bp.task === 'classification' || bp.task === 'estimation' ? bp.task : null;
}

export class BlueprintTrainer implements Trainer {
  private contenders: Contender[];
  private config: TrainingConfiguration;
  private xs: FeatureValues[] = [];
  private ys: number[] = [];
  /** Each queued example's learning weight, and the weight it is judged with (training-weight.ts). */
  private ws: number[] = [];
  private judgeWs: number[] = [];
  /** Decision time of each queued example. */
  private ts: number[] = [];
  /** Σw·y and Σw of every example learned: the constant a first version must beat. */
  private labelWeight = 0;
  private weightSum = 0;
  private sequence: number;
  private dataStartTs: number | null = null;
  private dataEndTs: number | null = null;
  private lastVersion: string | null;
  private readonly replay = new ReplayBuffer(REPLAY_CAPACITY);
  /** What the published models have learned from, for the monitor's drift measures. */
  private profileSample = new ProfileSample();
  private served: ServedVersion | null;
  private pending: PendingVersion | null = null;
  /** Verdicts on pending versions since the service last drained them. */
  private judgements: ContinuationJudgement[] = [];
  private refusal: ContinuationJudgement | null = null;
  /** A version was refused since the last one published: its learning is in the learners only. */
  private refusedSinceRelease = false;

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
    const serving = start.checkpoint ?? start.serving ?? null;
    this.served = serving === null ? null : servedCheckpoint(serving);
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
   * (AutoML's choice stays) — or side by side when that family cannot learn the new task. The
   * version that serves stays what new versions are judged against (it goes on serving, reading
   * the features it knows); a pending version of the old learners is dropped.
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
    this.ws = [];
    this.judgeWs = [];
    this.ts = [];
    this.pending = null;
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
    this.ws.push(learningWeight(this.bp, example));
    this.judgeWs.push(judgingWeight(this.bp, example));
    this.ts.push(example.decisionTs);
    this.dataStartTs = Math.min(this.dataStartTs ?? example.decisionTs, example.decisionTs);
    this.dataEndTs = Math.max(this.dataEndTs ?? example.decisionTs, example.decisionTs);
    return true;
  }

  get queued(): number {
    return this.xs.length;
  }

  /** Scores then learns everything queued (a pending version's test scores it first); returns how many examples that was. */
  async learnQueued(): Promise<number> {
    if (this.xs.length === 0) return 0;
    const batch: ExampleBatch = { xs: this.xs, ys: this.ys, ws: this.ws };
    const ts = this.ts;
    const judgeWs = this.judgeWs;
    this.xs = [];
    this.ys = [];
    this.ws = [];
    this.judgeWs = [];
    this.ts = [];
    this.observePending(batch, judgeWs, ts);
    for (let i = 0; i < batch.ys.length; i++) {
      this.labelWeight += judgeWs[i]! * batch.ys[i]!;
      this.weightSum += judgeWs[i]!;
    }
    // training.forget reaches the online learners through what they replay (replay-buffer.ts).
    const replay = this.contenders.some((c) => c.wantsReplay)
      ? this.replay.draw(batch.xs.length * REPLAY_RATIO, this.bp.training.forgetHalfLifeMs)
      : null;
    for (const c of this.contenders) await c.learn(batch, c.wantsReplay ? replay : null);
    this.replay.remember(batch, ts);
    return batch.xs.length;
  }

  /**
   * Both versions score the examples that neither learned from: they arrived after the pending one
   * was taken. The test reads the scores twice — their ranking (the objective) and, under a
   * threshold policy, the decisions each makes at the threshold the test took from this.bp.decision
   * when it started (ContinuationTest.start in publish), so a blueprint changed meanwhile does not
   * change what the evidence gathered so far is judged on.
   */
  private observePending(batch: ExampleBatch, judgeWs: readonly number[], ts: readonly number[]): void {
    const pending = this.pending;
    const served = this.served;
    if (pending === null) return;
    // A first version is judged against serving no model: one constant score for every example.
    const constant = pending.snapshot.baseRate;
    for (let i = 0; i < batch.xs.length && !pending.test.full; i++) {
      if (served?.learnedUntil != null && ts[i]! <= served.learnedUntil) continue;
      const x = batch.xs[i]!;
      const servedScore = served === null ? constant : served.scorer.score(x);
      pending.test.observe(batch.ys[i]!, pending.snapshot.scorer.score(x), servedScore, judgeWs[i]!);
    }
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

  /**
   * True when some learning is in no published version (a learner changed, a version is pending or
   * was refused) that a restart would have to read again: the trainer's commit point waits for it.
   * Before any version of the blueprint serves, none holds it back. A restart then starts the
   * blueprint over on newer examples and its first version comes a little later; holding would make
   * every restart re-read the topic from the blueprint's first example, for ever when it never
   * gathers the examples a first version needs (a CI run re-read half a million examples after a
   * trainer was killed, and the survivor reached the test's blueprint past the test's wait).
   */
  get hasUnpublished(): boolean {
    if (this.served === null) return false;
    return this.pending !== null || this.refusedSinceRelease || this.contenders.some((c) => c.changedSinceSnapshot);
  }

  /** Examples the pending version has been judged on so far; null when none is pending. */
  get pendingExamples(): number | null {
    return this.pending?.test.n ?? null;
  }

  /** When the pending version was taken (the `now` of that publish call); null when none is pending. */
  get pendingSince(): number | null {
    return this.pending?.test.startedAt ?? null;
  }

  /** What the pending version is judged against; null when none is pending. */
  get pendingAgainst(): Comparison | null {
    return this.pending?.test.against ?? null;
  }

  /** The newest refusal of a continuation, for `looper status`; null before any. */
  get lastRefusal(): ContinuationJudgement | null {
    return this.refusal;
  }

  /** The verdicts given since the last call, oldest first. */
  drainJudgements(): ContinuationJudgement[] {
    const judgements = this.judgements;
    this.judgements = [];
    return judgements;
  }

  /**
   * Called when a continuation is due (every publish_every, and every round while one is pending):
   * the new model version, or null. A pending version whose test says publish is published; one
   * it refuses is dropped and a new one is taken from the learners as they are now. With nothing
   * pending, the best learner that changed since the last version is taken: published at once when
   * nothing serves yet (or the objective is not compared), else held pending. A sequence is above
   * `sequenceFloor` too: AutoML numbers its candidates in the same sequence.
   */
  publish(now: number, sequenceFloor = 0): PublishedModel | null {
    if (this.pending !== null) {
      const pending = this.pending;
      const verdict = pending.test.judge();
      if (verdict.kind === 'wait') return null;
      this.pending = null;
      const judgement: ContinuationJudgement = {
        blueprint: this.bp.name,
        kind: verdict.kind,
        reason: verdict.reason,
        figures: verdict.figures,
        servedVersion: this.served?.modelVersion ?? null,
        continuation: `${pending.snapshot.parts.family} trained on ${pending.snapshot.parts.trainedOnExamples} examples`,
        startedAt: pending.test.startedAt,
        at: now,
      };
      this.judgements.push(judgement);
      if (verdict.kind === 'publish') return this.release(pending.snapshot, now, sequenceFloor);
      this.refusal = judgement;
      this.refusedSinceRelease = true;
    }
    const best = this.bestChanged();
    if (best === undefined) return null;
    const gated = isGated(this.bp);
    const first = this.served === null;
    // A first version from a handful of examples cannot be shown better than a constant: not taken yet.
    if (gated && first && best.learner.examplesSeen < FIRST_VERSION_MIN_EXAMPLES) return null;
    const snapshot = this.snapshot(best);
    const test = gated ? ContinuationTest.start(this.bp, now, first ? 'no-model' : 'serving') : null;
    if (test === null) return this.release(snapshot, now, sequenceFloor);
    this.pending = { snapshot, test };
    return null;
  }

  /** The learner with the best online metric among those that changed since the last snapshot. */
  private bestChanged(): Contender | undefined {
    const ranked = this.contenders
      .filter((c) => c.changedSinceSnapshot)
      .map((c) => ({ c, value: this.score(c.metrics) }))
      .sort((a, b) => (Number.isNaN(b.value) ? -1 : Number.isNaN(a.value) ? 1 : b.value - a.value));
    return ranked[0]?.c;
  }

  /** Freezes `best` as it is now; every learner's later learning belongs to a later version. */
  private snapshot(best: Contender): Snapshot {
    const artifact = best.learner.toArtifact();
    const parts: Snapshot['parts'] = {
      family: best.learner.family,
      hyperParameters: best.learner.hyperParameters,
      featureNames: [...best.learner.featureNames],
      artifact,
      artifactFormat: best.learner.artifactFormat,
      p99InferenceUs: measureP99Us(artifact, this.sampleRows()),
      metrics: { examples: best.metrics.count, ...taskMetrics(best.metrics, best.learner.task === 'classification') },
      trainedOnExamples: best.learner.examplesSeen,
      dataStartTs: this.dataStartTs,
      dataEndTs: this.dataEndTs,
      profile: this.profileOf(artifact),
    };
    for (const c of this.contenders) c.markSnapshot();
    const mean = this.weightSum > 0 ? this.labelWeight / this.weightSum : 0.5;
    // Log-loss of a constant 0 or 1 is unbounded on the first example of the other label.
    const baseRate = this.bp.objective.metric === 'logloss' ? Math.min(0.999, Math.max(0.001, mean)) : mean;
    return { parts, metric: this.score(best.metrics), scorer: loadScorer(artifact), baseRate };
  }

  /** Publishes a snapshot: it becomes the version that serves, and what the next continuation is judged against. */
  private release(snapshot: Snapshot, now: number, sequenceFloor: number): PublishedModel {
    this.sequence = Math.max(this.sequence, sequenceFloor) + 1;
    const record = trainedVersion(this.bp, {
      ...snapshot.parts,
      sequence: this.sequence,
      createdAt: now,
      parentVersion: this.lastVersion,
    });
    this.lastVersion = record.modelVersion;
    this.served = { modelVersion: record.modelVersion, scorer: snapshot.scorer, learnedUntil: null };
    this.refusedSinceRelease = false;
    return { record, metric: snapshot.metric };
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

/** The version a trainer starts from (or finds serving), as what its first version is judged against; null when its artifact cannot be scored here. */
function servedCheckpoint(checkpoint: ModelVersion): ServedVersion | null {
  try {
    return {
      modelVersion: checkpoint.modelVersion,
      scorer: loadScorer(checkpoint.artifact),
      learnedUntil: checkpoint.dataEndTs ?? null,
    };
  } catch {
    // The trainer restored it (or fails to start), so it is readable; a scorer missing here is no reason not to train.
    return null;
  }
}
