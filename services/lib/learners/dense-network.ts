// A stack of dense layers trained with TensorFlow.js: the numeric core of the logistic, linear and
// MLP families. It knows vectors, not features; DenseLearner feeds it. Every call runs in tf.tidy,
// so no tensor outlives a call except the weights and the optimizer's moments.

import { tf } from './tf.js';

export type Activation = 'relu' | 'sigmoid' | 'identity';
export type DenseLoss = 'logistic' | 'squared';
export type OptimizerName = 'adam' | 'sgd';

export interface DenseLayerSpec {
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
}

export interface DenseNetworkOptions {
  readonly layers: readonly DenseLayerSpec[];
  /** logistic: binary cross-entropy on the logits (last layer sigmoid); squared: mean squared error. */
  readonly loss: DenseLoss;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  /** L2 penalty on the kernels (not the biases), added to the loss of every step. */
  readonly l2: number;
}

export class DenseNetwork {
  private readonly kernels: tf.Variable[];
  private readonly biases: tf.Variable[];
  private readonly variables: tf.Variable[];
  private readonly optimizer: tf.Optimizer;

  /** `weights`: kernel 0 ([inputs × units], row-major), bias 0, kernel 1, bias 1, ... */
  constructor(
    readonly options: DenseNetworkOptions,
    weights: readonly Float32Array[],
  ) {
    if (weights.length !== options.layers.length * 2)
      throw new RangeError(`expected ${options.layers.length * 2} weight arrays, got ${weights.length}`);
    // Copies: the CPU backend keeps a reference to the array a tensor is made from.
    this.kernels = options.layers.map((layer, i) =>
      tf.tidy(() => tf.variable(tf.tensor2d((weights[i * 2] as Float32Array).slice(), [layer.inputs, layer.units]))),
    );
    this.biases = options.layers.map((_, i) =>
      tf.tidy(() => tf.variable(tf.tensor1d((weights[i * 2 + 1] as Float32Array).slice()))),
    );
    this.variables = options.layers.flatMap((_, i) => [this.kernels[i] as tf.Variable, this.biases[i] as tf.Variable]);
    this.optimizer =
      options.optimizer === 'adam' ? tf.train.adam(options.learningRate) : tf.train.sgd(options.learningRate);
  }

  /** One optimizer step on `rows` examples: `x` is rows × inputs, `y` and `w` have `rows` values. */
  trainStep(x: Float32Array, y: Float32Array, w: Float32Array, rows: number): void {
    const inputs = this.options.layers[0]?.inputs ?? 0;
    tf.tidy(() => {
      const xt = tf.tensor2d(x, [rows, inputs]);
      const yt = tf.tensor2d(y, [rows, 1]);
      const wt = tf.tensor2d(w, [rows, 1]);
      this.optimizer.minimize(
        () => {
          const z = this.logits(xt);
          const perExample =
            this.options.loss === 'logistic'
              ? // max(z, 0) - z·y + log(1 + exp(-|z|)): cross-entropy on logits, stable for any z
                tf.add(tf.sub(tf.relu(z), tf.mul(z, yt)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))
              : tf.squaredDifference(z, yt);
          let loss: tf.Tensor = tf.div(tf.sum(tf.mul(perExample, wt)), rows);
          if (this.options.l2 > 0) {
            for (const kernel of this.kernels) loss = tf.add(loss, tf.mul(this.options.l2, tf.sum(tf.square(kernel))));
          }
          return loss as tf.Scalar;
        },
        false,
        this.variables,
      );
    });
  }

  /** The network's outputs (after the last activation) for `rows` examples, computed by TensorFlow.js. */
  predict(x: Float32Array, rows: number): Float32Array {
    const inputs = this.options.layers[0]?.inputs ?? 0;
    return tf.tidy(() => {
      const z = this.logits(tf.tensor2d(x, [rows, inputs]));
      const last = this.options.layers[this.options.layers.length - 1]?.activation;
      return (last === 'sigmoid' ? tf.sigmoid(z) : z).dataSync() as Float32Array;
    });
  }

  /** Copies of the current weights, in constructor order. */
  readWeights(): Float32Array[] {
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  dispose(): void {
    this.optimizer.dispose();
    for (const v of this.variables) v.dispose();
  }

  /** Forward pass up to the last layer's pre-activation. */
  private logits(x: tf.Tensor): tf.Tensor {
    let h = x;
    const layers = this.options.layers;
    for (let i = 0; i < layers.length; i++) {
      h = tf.add(tf.matMul(h, this.kernels[i] as tf.Variable), this.biases[i] as tf.Variable);
      if (i < layers.length - 1) h = applyActivation(h, (layers[i] as DenseLayerSpec).activation);
    }
    return h;
  }
}

function applyActivation(h: tf.Tensor, activation: Activation): tf.Tensor {
  if (activation === 'relu') return tf.relu(h);
  if (activation === 'sigmoid') return tf.sigmoid(h);
  return h;
}
