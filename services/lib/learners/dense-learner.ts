// The Learner of the dense families (logistic, linear, mlp): preprocessing learned online, a
// DenseNetwork trained by mini-batches, and predictions served by the artifact's own Scorer. The
// family files only choose the shape; everything here is shared.

import type { FeatureValues } from '../feature-values.js';
import type { HyperParameterValue, Learner, LearnerTask, Scorer } from './contract.js';
import { DENSE_FORMAT, decodeDense, encodeDense, targetScale, type DenseModel } from './dense-format.js';
import { DenseNetwork, type DenseLayerSpec } from './dense-network.js';
import { compileDenseOptions, denseHyperParametersJson, type DenseHyperParameters } from './dense-options.js';
import { ArtifactError } from './errors.js';
import type { FeatureSchema } from './feature-schema.js';
import { Preprocessor } from './preprocess.js';
import { SeededRandom } from './random.js';
import { loadScorer } from './serving.js';
import { checkTrainingBatch } from './training-input.js';

export interface DenseLearnerInit {
  readonly family: string;
  readonly task: LearnerTask;
  readonly schema: FeatureSchema;
  readonly hyperParameters: DenseHyperParameters;
  /** Learned state to go on from (an artifact of the same family); null for a new model. */
  readonly restored?: DenseModel | null;
}

export class DenseLearner implements Learner {
  readonly family: string;
  readonly task: LearnerTask;
  readonly artifactFormat = DENSE_FORMAT;
  readonly hyperParameters: Readonly<Record<string, HyperParameterValue>>;
  readonly featureNames: readonly string[];

  private readonly hyper: DenseHyperParameters;
  private readonly schema: FeatureSchema;
  private readonly preprocessor: Preprocessor;
  private readonly layers: readonly DenseLayerSpec[];
  private readonly network: DenseNetwork;
  /** count, mean, m2 of the labels (estimation: the network learns standardised labels); null for classification. */
  private readonly target: Float64Array | null;
  private seen: number;
  /** The Scorer of the current state and the artifact size, rebuilt lazily after learning. */
  private serving: { scorer: Scorer; size: number } | null = null;
  private xs = new Float32Array(0);
  private ys = new Float32Array(0);
  private ws = new Float32Array(0);

  constructor(init: DenseLearnerInit) {
    const restored = init.restored ?? null;
    this.family = init.family;
    this.task = init.task;
    this.hyper = init.hyperParameters;
    this.hyperParameters = denseHyperParametersJson(init.hyperParameters);
    this.schema = init.schema;
    this.featureNames = init.schema.features.map((f) => f.name);
    this.preprocessor = new Preprocessor(init.schema, this.hyper.hashBuckets, restored?.moments);
    this.layers = denseLayers(this.preprocessor.width, this.hyper.hiddenSizes, init.task);
    this.target = init.task === 'estimation' ? (restored?.target?.slice() ?? new Float64Array(3)) : null;
    this.seen = restored?.examplesSeen ?? 0;
    const loss = init.task === 'classification' ? 'logistic' : 'squared';
    this.network = new DenseNetwork(
      {
        layers: this.layers,
        loss,
        optimizer: this.hyper.optimizer,
        learningRate: this.hyper.learningRate,
        l2: this.hyper.l2,
      },
      restored?.weights ?? initialWeights(this.layers, this.hyper.seed),
    );
  }

  /** A learner that goes on from a dense artifact of `family` (its optimizer moments start afresh). */
  static restore(artifact: Uint8Array, family: string): DenseLearner {
    const model = decodeDense(artifact);
    if (model.family !== family) throw new ArtifactError(`the artifact is of family ${model.family}, not ${family}`);
    const hyperParameters = compileDenseOptions(family, model.hyperParameters, model.layers.length > 1);
    return new DenseLearner({ family, task: model.task, schema: model.schema, hyperParameters, restored: model });
  }

  get examplesSeen(): number {
    return this.seen;
  }

  learnMany(xs: readonly FeatureValues[], ys: readonly number[], weights?: readonly number[]): void {
    checkTrainingBatch(this.family, this.task, xs, ys, weights);
    for (let start = 0; start < xs.length; start += this.hyper.batchSize) {
      this.step(xs, ys, weights, start, Math.min(xs.length, start + this.hyper.batchSize));
    }
    this.seen += xs.length;
    if (xs.length > 0) this.serving = null;
  }

  learnOne(x: FeatureValues, y: number, weight?: number): void {
    this.learnMany([x], [y], weight === undefined ? undefined : [weight]);
  }

  predictOne(x: FeatureValues): number {
    return this.servingState().scorer.score(x);
  }

  /**
   * The same predictions computed by TensorFlow.js (the training graph's forward pass), for checks
   * and benchmarks; predictOne is what serves.
   */
  predictWithTf(xs: readonly FeatureValues[]): Float64Array {
    const width = this.preprocessor.width;
    const buffer = new Float32Array(Math.max(1, xs.length) * width);
    xs.forEach((x, i) => this.preprocessor.vectorize(x, buffer, i * width));
    const raw = this.network.predict(buffer.subarray(0, xs.length * width), xs.length);
    const { center, scale } = this.target === null ? { center: 0, scale: 1 } : targetScale(this.target);
    return Float64Array.from(raw, (v) => center + scale * v);
  }

  toArtifact(): Uint8Array {
    return encodeDense({
      family: this.family,
      task: this.task,
      hyperParameters: this.hyperParameters,
      schema: this.schema,
      hashBuckets: this.hyper.hashBuckets,
      layers: this.layers,
      examplesSeen: this.seen,
      moments: this.preprocessor.snapshot(),
      target: this.target === null ? null : this.target.slice(),
      weights: this.network.readWeights(),
    });
  }

  sizeBytes(): number {
    return this.servingState().size;
  }

  dispose(): void {
    this.network.dispose();
  }

  private servingState(): { scorer: Scorer; size: number } {
    if (this.serving === null) {
      const artifact = this.toArtifact();
      this.serving = { scorer: loadScorer(artifact), size: artifact.length };
    }
    return this.serving;
  }

  private step(
    xs: readonly FeatureValues[],
    ys: readonly number[],
    weights: readonly number[] | undefined,
    start: number,
    end: number,
  ): void {
    const rows = end - start;
    const width = this.preprocessor.width;
    if (this.xs.length < rows * width) this.xs = new Float32Array(rows * width);
    if (this.ys.length < rows) {
      this.ys = new Float32Array(rows);
      this.ws = new Float32Array(rows);
    }
    for (let i = start; i < end; i++) this.preprocessor.observe(xs[i] as FeatureValues);
    this.preprocessor.freeze();
    let center = 0;
    let scale = 1;
    if (this.target !== null) {
      for (let i = start; i < end; i++) welford(this.target, ys[i] as number);
      ({ center, scale } = targetScale(this.target));
    }
    for (let i = start; i < end; i++) {
      const r = i - start;
      this.preprocessor.vectorize(xs[i] as FeatureValues, this.xs, r * width);
      this.ys[r] = ((ys[i] as number) - center) / scale;
      this.ws[r] = weights?.[i] ?? 1;
    }
    this.network.trainStep(
      this.xs.subarray(0, rows * width),
      this.ys.subarray(0, rows),
      this.ws.subarray(0, rows),
      rows,
    );
  }
}

/** Hidden layers with relu, then one output unit: sigmoid for classification, identity for estimation. */
export function denseLayers(inputs: number, hiddenSizes: readonly number[], task: LearnerTask): DenseLayerSpec[] {
  const layers: DenseLayerSpec[] = [];
  let width = inputs;
  for (const units of hiddenSizes) {
    layers.push({ inputs: width, units, activation: 'relu' });
    width = units;
  }
  layers.push({ inputs: width, units: 1, activation: task === 'classification' ? 'sigmoid' : 'identity' });
  return layers;
}

/**
 * Seeded initial weights: a linear model starts at zero (its loss is convex); a network draws He
 * uniform kernels for relu layers and Glorot uniform for the output; biases start at zero.
 */
export function initialWeights(layers: readonly DenseLayerSpec[], seed: number): Float32Array[] {
  const random = new SeededRandom(seed);
  return layers.flatMap((layer) => {
    const kernel = new Float32Array(layer.inputs * layer.units);
    if (layers.length > 1) {
      const limit =
        layer.activation === 'relu' ? Math.sqrt(6 / layer.inputs) : Math.sqrt(6 / (layer.inputs + layer.units));
      for (let i = 0; i < kernel.length; i++) kernel[i] = random.uniform(-limit, limit);
    }
    return [kernel, new Float32Array(layer.units)];
  });
}

function welford(m: Float64Array, value: number): void {
  const n = (m[0] as number) + 1;
  const delta = value - (m[1] as number);
  const mean = (m[1] as number) + delta / n;
  m[0] = n;
  m[1] = mean;
  m[2] = (m[2] as number) + delta * (value - mean);
}
