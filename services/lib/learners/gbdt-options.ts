// Hyper-parameters of gradient-boosted trees: options → compile → compiled hyper-parameters with
// named defaults and messages that say what to do (CONTRIBUTING.md habit 6). Unknown keys are refused by
// name, as AutoML passes search points as plain JSON.

import { HyperParameterError } from './errors.js';
import { DEFAULT_HASH_BUCKETS } from './preprocess.js';

export interface GbdtOptions {
  /** Boosting rounds (trees) of each fit, at most: early stopping may keep fewer. Default 50. */
  nTrees?: number;
  /** Shrinkage applied to every leaf value. Default 0.1. */
  learningRate?: number;
  /** Depth of each tree (a root alone is depth 0). Default 4. */
  maxDepth?: number;
  /** Leaves of each tree, at most. Default 2^maxDepth (no limit beyond the depth). */
  maxLeaves?: number;
  /** Bins per input column, from quantiles of the buffered data (2..256). Default 32. */
  maxBins?: number;
  /** L2 penalty on leaf values (the λ of the gain and of −G/(H+λ)). Default 1. */
  lambda?: number;
  /** Smallest hessian sum a child may hold (squared loss: a weighted example count). Default 1. */
  minChildWeight?: number;
  /** Share of the training rows each tree sees, drawn with the seeded PRNG. Default 1. */
  subsample?: number;
  /** Share of the input columns each tree may split on, drawn with the seeded PRNG. Default 1. */
  colsample?: number;
  /** Seed of the validation split and of subsampling: the same seed and examples give the same model. Default 1. */
  seed?: number;
  /** Share of the buffer held out to stop boosting early; 0 turns early stopping off. Default 0.1. */
  validationFraction?: number;
  /** Rounds without a better validation loss before boosting stops. Default 10. */
  earlyStoppingRounds?: number;
  /** Examples kept for refitting: the most recent ones. Default 50000. */
  bufferSize?: number;
  /** learnOne refits once this many examples arrived since the last fit. Default 1000. */
  refitEvery?: number;
  /** Buckets per hashed string feature. Default 16. */
  hashBuckets?: number;
}

export type GbdtHyperParameters = Readonly<Required<GbdtOptions>>;

export const GBDT_DEFAULTS = {
  nTrees: 50,
  learningRate: 0.1,
  maxDepth: 4,
  maxBins: 32,
  lambda: 1,
  minChildWeight: 1,
  subsample: 1,
  colsample: 1,
  seed: 1,
  validationFraction: 0.1,
  earlyStoppingRounds: 10,
  bufferSize: 50000,
  refitEvery: 1000,
  hashBuckets: DEFAULT_HASH_BUCKETS,
} as const;

const KNOWN = [
  'nTrees',
  'learningRate',
  'maxDepth',
  'maxLeaves',
  'maxBins',
  'lambda',
  'minChildWeight',
  'subsample',
  'colsample',
  'seed',
  'validationFraction',
  'earlyStoppingRounds',
  'bufferSize',
  'refitEvery',
  'hashBuckets',
] as const;

/** Checks `options` and fills in every default; HyperParameterError lists each problem. */
export function compileGbdtOptions(options: Readonly<Record<string, unknown>>): GbdtHyperParameters {
  const problems: string[] = [];
  const known = new Set<string>(KNOWN);
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !known.has(key))
      problems.push(`unknown hyper-parameter "${key}": gbdt knows ${KNOWN.join(', ')}`);
  }
  const number = (key: (typeof KNOWN)[number], fallback: number, ok: (v: number) => boolean, rule: string): number => {
    const value = options[key];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && ok(value)) return value;
    problems.push(`${key} must be ${rule}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const int = (low: number, high: number) => (v: number) => Number.isInteger(v) && v >= low && v <= high;
  const nTrees = number('nTrees', GBDT_DEFAULTS.nTrees, int(1, 10000), 'an integer from 1 to 10000');
  const learningRate = number(
    'learningRate',
    GBDT_DEFAULTS.learningRate,
    (v) => v > 0 && v <= 1,
    'a number in (0, 1]: try 0.1, or 0.3 with fewer trees',
  );
  const maxDepth = number('maxDepth', GBDT_DEFAULTS.maxDepth, int(1, 16), 'an integer from 1 to 16');
  const maxLeaves = number(
    'maxLeaves',
    2 ** maxDepth,
    int(2, 65536),
    'an integer from 2 to 65536 (leave it out for 2^maxDepth)',
  );
  const maxBins = number('maxBins', GBDT_DEFAULTS.maxBins, int(2, 256), 'an integer from 2 to 256');
  const lambda = number('lambda', GBDT_DEFAULTS.lambda, (v) => v >= 0, 'a number ≥ 0 (0 turns the penalty off)');
  const minChildWeight = number('minChildWeight', GBDT_DEFAULTS.minChildWeight, (v) => v >= 0, 'a number ≥ 0');
  const subsample = number('subsample', GBDT_DEFAULTS.subsample, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  const colsample = number('colsample', GBDT_DEFAULTS.colsample, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  const seed = number('seed', GBDT_DEFAULTS.seed, int(0, 0xffffffff), 'an integer from 0 to 4294967295');
  const validationFraction = number(
    'validationFraction',
    GBDT_DEFAULTS.validationFraction,
    (v) => v >= 0 && v <= 0.5,
    'a number in [0, 0.5] (0 turns early stopping off)',
  );
  const earlyStoppingRounds = number(
    'earlyStoppingRounds',
    GBDT_DEFAULTS.earlyStoppingRounds,
    int(1, 10000),
    'an integer from 1 to 10000',
  );
  const bufferSize = number('bufferSize', GBDT_DEFAULTS.bufferSize, int(1, 1_000_000), 'an integer from 1 to 1000000');
  const refitEvery = number('refitEvery', GBDT_DEFAULTS.refitEvery, int(1, 1_000_000), 'an integer from 1 to 1000000');
  const hashBuckets = number('hashBuckets', GBDT_DEFAULTS.hashBuckets, int(1, 4096), 'an integer from 1 to 4096');
  if (problems.length > 0) throw new HyperParameterError('gbdt', problems);
  return {
    nTrees,
    learningRate,
    maxDepth,
    maxLeaves,
    maxBins,
    lambda,
    minChildWeight,
    subsample,
    colsample,
    seed,
    validationFraction,
    earlyStoppingRounds,
    bufferSize,
    refitEvery,
    hashBuckets,
  };
}
