// The serving forward pass of a dense model in plain JS: Float64 accumulation over Float32 weights,
// buffers allocated once at load, input columns that are 0 (most one-hot and hashed ones) skipped.

import type { FeatureValues } from '../feature-values.js';
import type { LearnerTask, Scorer } from './contract.js';
import { targetScale, type DenseModel } from './dense-format.js';
import type { Activation } from './dense-network.js';
import { EncodingPlan, freezeMoments, Vectorizer } from './preprocess.js';

interface ScoringLayer {
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  /** This layer's outputs, reused by every call. */
  readonly out: Float64Array;
}

export class DenseScorer implements Scorer {
  readonly family: string;
  readonly task: LearnerTask;
  private readonly vectorizer: Vectorizer;
  private readonly input: Float32Array;
  private readonly layers: readonly ScoringLayer[];
  private readonly center: number;
  private readonly scale: number;

  constructor(model: DenseModel) {
    this.family = model.family;
    this.task = model.task;
    const plan = new EncodingPlan(model.schema, model.hashBuckets);
    const center = new Float64Array(plan.momentCount);
    const scale = new Float64Array(plan.momentCount);
    freezeMoments(model.moments, center, scale);
    this.vectorizer = new Vectorizer(plan, center, scale);
    this.input = new Float32Array(plan.width);
    this.layers = model.layers.map((layer, i) => ({
      ...layer,
      kernel: model.weights[i * 2] as Float32Array,
      bias: model.weights[i * 2 + 1] as Float32Array,
      out: new Float64Array(layer.units),
    }));
    const target = model.target === null ? { center: 0, scale: 1 } : targetScale(model.target);
    this.center = target.center;
    this.scale = target.scale;
  }

  score(x: FeatureValues): number {
    this.vectorizer.vectorize(x, this.input);
    let previous: Float32Array | Float64Array = this.input;
    for (let l = 0; l < this.layers.length; l++) {
      const { inputs, units, activation, kernel, bias, out } = this.layers[l] as ScoringLayer;
      for (let j = 0; j < units; j++) out[j] = bias[j] as number;
      for (let i = 0; i < inputs; i++) {
        const xi = previous[i] as number;
        if (xi === 0) continue;
        const row = i * units;
        for (let j = 0; j < units; j++) out[j] = (out[j] as number) + xi * (kernel[row + j] as number);
      }
      if (activation === 'relu') for (let j = 0; j < units; j++) out[j] = Math.max(0, out[j] as number);
      else if (activation === 'sigmoid')
        for (let j = 0; j < units; j++) out[j] = 1 / (1 + Math.exp(-(out[j] as number)));
      previous = out;
    }
    const y = previous[0] as number;
    return this.task === 'classification' ? y : this.center + this.scale * y;
  }
}
