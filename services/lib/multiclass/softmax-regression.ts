// Online multinomial logistic regression (softmax regression) over the sparse hashed inputs of
// sequence-input.ts, with AdaGrad per weight and a lazy L2 penalty.
//
// Hand-written in plain JS on purpose: no maintained JS library offers a sparse, online multinomial
// learner (TensorFlow.js trains dense tensors in mini-batches, with a per-call cost far above the
// few hundred multiply-adds one sparse example needs), and the predictor must score without
// TensorFlow.js anyway. One example costs O(entries × rows in use) to learn and to score.
//
// Why AdaGrad: each weight gets a step that shrinks with its own gradient history, so rare slots (a
// rare pair of items) still learn quickly while frequent ones (the bias) settle; it needs no
// schedule and one accumulator per weight (Adam would need two). Rows are allocated for the whole
// vocabulary up front (vocabulary.ts): a class admitted later gets a row whose weights and
// accumulators are reset to zero.

import type { FeatureValues } from '../feature-values.js';
import {
  checkMulticlassBatch,
  readClassLabel,
  type ClassLabel,
  type MulticlassHyperParameter,
  type MulticlassLearner,
  type MulticlassTask,
} from './contract.js';
import { MulticlassInputError, MulticlassOptionsError } from './errors.js';
import { decodeSoftmax, encodeSoftmax, SOFTMAX_FORMAT, type SoftmaxModel } from './softmax-format.js';
import { vocabularyFor } from './class-options.js';
import {
  compileSoftmaxOptions,
  softmaxHyperParametersJson,
  type SoftmaxHyperParameters,
  type SoftmaxOptions,
} from './softmax-options.js';
import { softmaxForward, SoftmaxScorer } from './softmax-scorer.js';
import type { SparseInput } from './sequence-input.js';
import type { ClassVocabulary } from './vocabulary.js';

export class SoftmaxRegression implements MulticlassLearner {
  readonly family = 'softmax';
  readonly artifactFormat = SOFTMAX_FORMAT;
  readonly task: MulticlassTask;
  readonly rows: number;
  readonly hyperParameters: Readonly<Record<string, MulticlassHyperParameter>>;

  private readonly hyper: SoftmaxHyperParameters;
  private readonly vocabulary: ClassVocabulary;
  private readonly weights: Float32Array;
  private readonly accumulators: Float32Array;
  private readonly scorer: SoftmaxScorer;
  private readonly input: SparseInput;
  private readonly gradient: Float64Array;
  private seen: number;
  private size: { seen: number; bytes: number } | null = null;

  /**
   * A new model for `task`; `options` are checked (MulticlassOptionsError). `restored` is learned state
   * to go on from, as SoftmaxRegression.restore reads it; its hyper-parameters replace `options`.
   */
  constructor(task: MulticlassTask, options: SoftmaxOptions = {}, restored: SoftmaxModel | null = null) {
    if (task !== 'classification' && task !== 'sequence')
      throw new MulticlassOptionsError('softmax', [
        `task must be "classification" or "sequence", got ${JSON.stringify(task)}`,
      ]);
    this.task = task;
    this.hyper = restored?.hyperParameters ?? compileSoftmaxOptions(options as Readonly<Record<string, unknown>>);
    this.hyperParameters = softmaxHyperParametersJson(this.hyper);
    this.vocabulary = restored?.vocabulary ?? vocabularyFor(this.hyper);
    this.rows = this.vocabulary.size;
    const width = this.hyper.input.buckets + 1;
    this.weights = restored?.weights.slice() ?? new Float32Array(width * this.rows);
    // A serving artifact has no AdaGrad state: going on from it restarts the step sizes.
    this.accumulators = restored?.accumulators?.slice() ?? new Float32Array(width * this.rows);
    this.seen = restored?.examplesSeen ?? 0;
    this.scorer = new SoftmaxScorer({
      task,
      hyperParameters: this.hyper,
      vocabulary: this.vocabulary,
      examplesSeen: 0,
      weights: this.weights,
      accumulators: null,
    });
    this.input = this.scorer.encoder.createInput();
    this.gradient = new Float64Array(this.rows);
  }

  /** A learner that goes on from a looper-softmax/1 artifact (smoothly from a checkpoint(), which keeps AdaGrad's state). */
  static restore(artifact: Uint8Array): SoftmaxRegression {
    const model = decodeSoftmax(artifact);
    return new SoftmaxRegression(model.task, {}, model);
  }

  get examplesSeen(): number {
    return this.seen;
  }

  learnOne(x: FeatureValues, label: ClassLabel, weight = 1): void {
    if (typeof x !== 'object' || x === null || Array.isArray(x))
      throw new MulticlassInputError(this.family, 'the example is not an object of feature values', null);
    const name = readClassLabel(this.family, label, null);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
      throw new MulticlassInputError(this.family, `the weight is ${String(weight)}: weights are finite and ≥ 0`, null);
    this.step(x, name, weight);
  }

  learnMany(xs: readonly FeatureValues[], labels: readonly ClassLabel[], weights?: readonly number[]): void {
    const names = checkMulticlassBatch(this.family, xs, labels, weights);
    for (let i = 0; i < xs.length; i++) this.step(xs[i] as FeatureValues, names[i] as string, weights?.[i] ?? 1);
  }

  classNameAt(row: number): string | null {
    return this.scorer.classNameAt(row);
  }

  rowOf(name: string): number {
    return this.scorer.rowOf(name);
  }

  predictProba(x: FeatureValues, out: Float64Array): void {
    this.scorer.predictProba(x, out);
  }

  topK(x: FeatureValues, k: number, outRows: Int32Array, outProb: Float64Array): number {
    return this.scorer.topK(x, k, outRows, outProb);
  }

  /** The serving artifact: weights only (what loadSoftmaxScorer needs). */
  toArtifact(): Uint8Array {
    return encodeSoftmax(this.model(null));
  }

  /** A trainer checkpoint: the serving artifact plus AdaGrad's accumulators (twice the size). */
  checkpoint(): Uint8Array {
    return encodeSoftmax(this.model(this.accumulators));
  }

  sizeBytes(): number {
    if (this.size === null || this.size.seen !== this.seen)
      this.size = { seen: this.seen, bytes: this.toArtifact().length };
    return this.size.bytes;
  }

  private model(accumulators: Float32Array | null): SoftmaxModel {
    return {
      task: this.task,
      hyperParameters: this.hyper,
      vocabulary: this.vocabulary,
      examplesSeen: this.seen,
      weights: this.weights,
      accumulators,
    };
  }

  /** One AdaGrad step on the cross-entropy of `name` given `x`: ∂loss/∂logit_r = p_r − [r = row]. */
  private step(x: FeatureValues, name: string, weight: number): void {
    const row = this.vocabulary.observe(name, this.resetRow);
    this.seen++;
    if (weight === 0) return;
    const { rows, weights, accumulators, input, gradient } = this;
    const { learningRate, l2 } = this.hyper;
    const active = this.vocabulary.activeCount;
    this.scorer.encoder.encode(x, input);
    softmaxForward(weights, rows, active, input, gradient);
    gradient[row] = (gradient[row] as number) - 1;
    for (let j = 0; j < input.length; j++) {
      const v = weight * (input.values[j] as number);
      const base = (input.indices[j] as number) * rows;
      for (let r = 0; r < active; r++) {
        const at = base + r;
        const w = weights[at] as number;
        const g = v * (gradient[r] as number) + l2 * w;
        if (g === 0) continue;
        // Rounded to f32 as stored, so a learner restored from a checkpoint goes on exactly alike.
        const sum = Math.fround((accumulators[at] as number) + g * g);
        if (sum === 0) continue; // g² underflowed f32: no step rather than a division by zero
        accumulators[at] = sum;
        weights[at] = w - (learningRate * g) / Math.sqrt(sum);
      }
    }
  }

  /** A row that changes class starts from nothing: its weights and AdaGrad state are zeroed. */
  private readonly resetRow = (row: number): void => {
    for (let at = row; at < this.weights.length; at += this.rows) {
      this.weights[at] = 0;
      this.accumulators[at] = 0;
    }
  };
}
