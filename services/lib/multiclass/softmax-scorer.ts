// Serving a looper-softmax/1 model in plain JS: the input encoded into buffers allocated at load,
// logits accumulated in f64 over the f32 weights for the rows in use only, a stable softmax, top-k
// by insertion. The learner scores through this same class over its live weights, so what is
// evaluated during training is what the predictor serves.

import type { FeatureValues } from '../feature-values.js';
import { decodeSoftmax, type SoftmaxModel } from './softmax-format.js';
import type { MulticlassScorer, MulticlassTask } from './contract.js';
import { checkProbaBuffer, checkTopK, selectTopK, softmaxInPlace } from './ranking.js';
import { SequenceEncoder, type SparseInput } from './sequence-input.js';
import type { ClassVocabulary } from './vocabulary.js';

/** logit[r] = Σ_j value_j · weights[slot_j · rows + r] for r < active, then softmax; rows ≥ active get 0. */
export function softmaxForward(
  weights: Float32Array,
  rows: number,
  active: number,
  input: SparseInput,
  out: Float64Array,
): void {
  out.fill(0, 0, active);
  const { indices, values } = input;
  for (let j = 0; j < input.length; j++) {
    const v = values[j] as number;
    const base = (indices[j] as number) * rows;
    for (let r = 0; r < active; r++) out[r] = (out[r] as number) + v * (weights[base + r] as number);
  }
  softmaxInPlace(out, active, rows);
}

export class SoftmaxScorer implements MulticlassScorer {
  readonly family = 'softmax';
  readonly task: MulticlassTask;
  readonly rows: number;
  readonly encoder: SequenceEncoder;
  private readonly vocabulary: ClassVocabulary;
  private readonly weights: Float32Array;
  private readonly input: SparseInput;
  private readonly scratch: Float64Array;

  /** Serves `model`; its weights and vocabulary are used as they are (not copied), so a learner can share them. */
  constructor(model: SoftmaxModel) {
    this.task = model.task;
    this.vocabulary = model.vocabulary;
    this.rows = model.vocabulary.size;
    this.weights = model.weights;
    this.encoder = new SequenceEncoder(model.hyperParameters.input);
    this.input = this.encoder.createInput();
    this.scratch = new Float64Array(this.rows);
  }

  classNameAt(row: number): string | null {
    return this.vocabulary.nameAt(row);
  }

  rowOf(name: string): number {
    return this.vocabulary.indexOf(name);
  }

  predictProba(x: FeatureValues, out: Float64Array): void {
    checkProbaBuffer('softmax.predictProba', out, this.rows);
    this.encoder.encode(x, this.input);
    softmaxForward(this.weights, this.rows, this.vocabulary.activeCount, this.input, out);
  }

  topK(x: FeatureValues, k: number, outRows: Int32Array, outProb: Float64Array): number {
    checkTopK('softmax.topK', k, outRows, outProb);
    this.encoder.encode(x, this.input);
    const active = this.vocabulary.activeCount;
    softmaxForward(this.weights, this.rows, active, this.input, this.scratch);
    return selectTopK(this.scratch, active, k, outRows, outProb);
  }
}

/** The scorer of a looper-softmax/1 artifact (ArtifactError when it is not one, or is damaged). */
export function loadSoftmaxScorer(artifact: Uint8Array): SoftmaxScorer {
  return new SoftmaxScorer(decodeSoftmax(artifact));
}
