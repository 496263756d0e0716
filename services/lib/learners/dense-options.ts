// Hyper-parameters of the dense families: options → compile → compiled hyper-parameters with named
// defaults and messages that say what to do (CONTRIBUTING.md habit 6). AutoML passes search points as
// plain JSON, so unknown keys are refused by name rather than ignored.

import type { OptimizerName } from './dense-network.js';
import { HyperParameterError } from './errors.js';
import { DEFAULT_HASH_BUCKETS } from './preprocess.js';

export interface DenseOptions {
  /** Step size of the optimizer. Default 0.01 (suits Adam; SGD usually wants ~0.1). */
  learningRate?: number;
  /** L2 penalty on the weights (not the biases), per step. Default 1e-5. */
  l2?: number;
  /** Most examples per optimizer step; a larger learnMany batch is split. Default 128. */
  batchSize?: number;
  /** Seed of the weight initialisation: the same seed and examples give the same model. Default 1. */
  seed?: number;
  /** Buckets per hashed string feature. Default 16. */
  hashBuckets?: number;
  /** adam (default) or sgd. */
  optimizer?: OptimizerName;
  /** Units of each hidden layer (mlp only). Default [32]. */
  hiddenSizes?: number[];
}

export interface DenseHyperParameters {
  readonly learningRate: number;
  readonly l2: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly hashBuckets: number;
  readonly optimizer: OptimizerName;
  /** Empty for the linear families. */
  readonly hiddenSizes: readonly number[];
}

export const DENSE_DEFAULTS: DenseHyperParameters = {
  learningRate: 0.01,
  l2: 1e-5,
  batchSize: 128,
  seed: 1,
  hashBuckets: DEFAULT_HASH_BUCKETS,
  optimizer: 'adam',
  hiddenSizes: [],
};

export const MLP_DEFAULT_HIDDEN_SIZES: readonly number[] = [32];

const LIMITS = { batchSize: 65536, hashBuckets: 4096, hiddenLayers: 8, hiddenUnits: 1024 } as const;

/**
 * Checks `options` and fills in defaults; `withHidden` says whether the family has hidden layers
 * (and so accepts hiddenSizes, defaulting to MLP_DEFAULT_HIDDEN_SIZES).
 */
export function compileDenseOptions(
  family: string,
  options: Readonly<Record<string, unknown>>,
  withHidden: boolean,
): DenseHyperParameters {
  const problems: string[] = [];
  const known = new Set([
    'learningRate',
    'l2',
    'batchSize',
    'seed',
    'hashBuckets',
    'optimizer',
    ...(withHidden ? ['hiddenSizes'] : []),
  ]);
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !known.has(key)) {
      problems.push(
        `unknown hyper-parameter "${key}": ${family} knows ${[...known].join(', ')}${key === 'hiddenSizes' ? ' (use mlp for hidden layers)' : ''}`,
      );
    }
  }
  const number = (
    key: keyof DenseHyperParameters,
    fallback: number,
    ok: (v: number) => boolean,
    rule: string,
  ): number => {
    const value = options[key];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && ok(value)) return value;
    problems.push(`${key} must be ${rule}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const learningRate = number(
    'learningRate',
    DENSE_DEFAULTS.learningRate,
    (v) => v > 0 && v <= 10,
    'a number in (0, 10]: try 0.01 for adam or 0.1 for sgd',
  );
  const l2 = number('l2', DENSE_DEFAULTS.l2, (v) => v >= 0, 'a number ≥ 0 (0 turns the penalty off)');
  const batchSize = number(
    'batchSize',
    DENSE_DEFAULTS.batchSize,
    (v) => Number.isInteger(v) && v >= 1 && v <= LIMITS.batchSize,
    `an integer from 1 to ${LIMITS.batchSize}`,
  );
  const seed = number(
    'seed',
    DENSE_DEFAULTS.seed,
    (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
    'an integer from 0 to 4294967295',
  );
  const hashBuckets = number(
    'hashBuckets',
    DENSE_DEFAULTS.hashBuckets,
    (v) => Number.isInteger(v) && v >= 1 && v <= LIMITS.hashBuckets,
    `an integer from 1 to ${LIMITS.hashBuckets}`,
  );
  let optimizer = DENSE_DEFAULTS.optimizer;
  if (options.optimizer !== undefined) {
    if (options.optimizer === 'adam' || options.optimizer === 'sgd') optimizer = options.optimizer;
    else problems.push(`optimizer must be "adam" or "sgd", got ${JSON.stringify(options.optimizer)}`);
  }
  let hiddenSizes: readonly number[] = withHidden ? MLP_DEFAULT_HIDDEN_SIZES : [];
  if (withHidden && options.hiddenSizes !== undefined) {
    const sizes = options.hiddenSizes;
    const valid =
      Array.isArray(sizes) &&
      sizes.length >= 1 &&
      sizes.length <= LIMITS.hiddenLayers &&
      sizes.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 1 && s <= LIMITS.hiddenUnits);
    if (valid) hiddenSizes = [...(sizes as number[])];
    else
      problems.push(
        `hiddenSizes must list 1 to ${LIMITS.hiddenLayers} layer sizes, each an integer from 1 to ${LIMITS.hiddenUnits}, e.g. [32] or [64, 16]; got ${JSON.stringify(sizes)}`,
      );
  }
  if (problems.length > 0) throw new HyperParameterError(family, problems);
  return { learningRate, l2, batchSize, seed, hashBuckets, optimizer, hiddenSizes };
}

/** The compiled hyper-parameters as the JSON object ModelVersion.hyperParameters holds. */
export function denseHyperParametersJson(h: DenseHyperParameters): Record<string, number | string | number[]> {
  const json: Record<string, number | string | number[]> = {
    learningRate: h.learningRate,
    l2: h.l2,
    batchSize: h.batchSize,
    seed: h.seed,
    hashBuckets: h.hashBuckets,
    optimizer: h.optimizer,
  };
  if (h.hiddenSizes.length > 0) json.hiddenSizes = [...h.hiddenSizes];
  return json;
}
