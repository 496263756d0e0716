// The learner contract (CONTRIBUTING.md habit 2, after River's base.Classifier / base.Regressor): every
// model family implements Learner, serves through a Scorer, and passes the one check suite in
// contract.test.ts. Hyper-parameters go to the constructor and never change; learned state
// (preprocessing statistics, weights, optimizer moments) lives apart and travels in the artifact.
//
// Other families fit the same shapes:
// - gradient-boosted trees (gbdt.ts): learnMany buffers examples and refits the trees in rounds
//   (it may return a Promise when it builds trees off the hot loop); the artifact holds the trees
//   and a tree Scorer walks them — a second `format` in serving.ts, the same Scorer interface;
// - bandits (planning): the action is a feature of `x` and the reward is `y` (task estimation), so
//   learnOne/predictOne keep their meaning; a policy that needs an uncertainty (LinUCB, Thompson)
//   adds an optional method on its own Scorer, without changing this one.

import type { FeatureValues } from '../feature-values.js';
import type { FeatureSchema } from './feature-schema.js';

/** The tasks these families learn. Ranking reuses classification or estimation per candidate. */
export type LearnerTask = 'classification' | 'estimation';

/** A JSON-safe hyper-parameter value (ModelVersion.hyperParameters is their JSON object). */
export type HyperParameterValue = number | string | boolean | readonly number[];

export interface Learner {
  /** Model family: logistic, linear, mlp, ... (ModelVersion.family). */
  readonly family: string;
  readonly task: LearnerTask;
  /** How the artifact is to be read, e.g. "looper-dense/1" (ModelVersion.artifactFormat). */
  readonly artifactFormat: string;
  /** The compiled hyper-parameters, every default filled in (ModelVersion.hyperParameters). */
  readonly hyperParameters: Readonly<Record<string, HyperParameterValue>>;
  /** The input features, in input order (ModelVersion.featureNames). */
  readonly featureNames: readonly string[];
  /** Examples learned from in total, this learner's history included (ModelVersion.trainedOnExamples). */
  readonly examplesSeen: number;

  /**
   * Learns from a mini-batch. `ys` are labels 0..1 for classification (1 = the positive outcome),
   * any finite number for estimation; `weights` (default 1 each) are finite and ≥ 0. A batch with an
   * unusable label or weight is refused whole (TrainingInputError) before any update. Inputs are
   * only read.
   */
  learnMany(xs: readonly FeatureValues[], ys: readonly number[], weights?: readonly number[]): void | Promise<void>;
  /** Learns from one example, at once. */
  learnOne(x: FeatureValues, y: number, weight?: number): void | Promise<void>;
  /**
   * Probability of label 1 (classification) or the estimated value (estimation), computed by the
   * very Scorer that `loadScorer(toArtifact())` gives: what is evaluated is what is served.
   */
  predictOne(x: FeatureValues): number;
  /** A compact, self-contained artifact: family, hyper-parameters, preprocessing and weights. */
  toArtifact(): Uint8Array;
  /** Size of the artifact in bytes (ModelVersion.sizeBytes). */
  sizeBytes(): number;
  /** Frees what the learner holds outside the JS heap (tensors); it may not be used after. */
  dispose(): void;
}

/** The serving half of a model: pure JS, no TensorFlow.js, no allocation per call. */
export interface Scorer {
  readonly family: string;
  readonly task: LearnerTask;
  /** Same meaning as Learner.predictOne. Extra features are ignored, missing ones count as missing. */
  score(x: FeatureValues): number;
}

/** What the check suite, AutoML and the trainer need to know of a family: one per family file. */
export interface LearnerFamily {
  /** The family name, as in blueprints (automl.families) and ModelVersion.family. */
  readonly name: string;
  /** The tasks the family learns. */
  readonly tasks: readonly LearnerTask[];
  /** A new learner; `options` are hyper-parameters (JSON, e.g. an AutoML search point), checked. */
  create(schema: FeatureSchema, task: LearnerTask, options?: Readonly<Record<string, unknown>>): Learner;
  /** A learner that goes on from an artifact of this family (warm start, trainer checkpoint). */
  restore(artifact: Uint8Array): Learner;
}
