// Hyper-parameters of the softmax family: options → compile → compiled hyper-parameters with named
// defaults and messages that say what to do (CONTRIBUTING.md habit 6). AutoML passes search points as plain
// JSON, so unknown keys are refused by name rather than ignored.

import type { MulticlassHyperParameter } from './contract.js';
import {
  CLASS_OPTION_KEYS,
  classOptionsJson,
  readClassOptions,
  type ClassOptions,
  type CompiledClassOptions,
} from './class-options.js';
import { MulticlassOptionsError } from './errors.js';
import {
  readSequenceInput,
  SEQUENCE_INPUT_KEYS,
  type SequenceInputOptions,
  type SequenceInputSpec,
} from './sequence-input.js';

export interface SoftmaxOptions extends SequenceInputOptions, ClassOptions {
  /** AdaGrad step size: a weight's step is learningRate · g / sqrt(Σ g²). Default 0.2. */
  learningRate?: number;
  /** L2 penalty, applied to the weights an example touches (lazily, as sparse learners do). Default 1e-6. */
  l2?: number;
}

export interface SoftmaxHyperParameters extends CompiledClassOptions {
  readonly input: SequenceInputSpec;
  readonly learningRate: number;
  readonly l2: number;
}

/** Output rows × input columns may not pass this (16.8 M weights: 64 MiB of f32, twice while learning). */
export const MAX_SOFTMAX_WEIGHTS = 1 << 24;

const OWN_KEYS = ['learningRate', 'l2', ...CLASS_OPTION_KEYS];

export function compileSoftmaxOptions(options: Readonly<Record<string, unknown>>): SoftmaxHyperParameters {
  const problems: string[] = [];
  const known = new Set([...SEQUENCE_INPUT_KEYS, ...OWN_KEYS]);
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !known.has(key))
      problems.push(`unknown hyper-parameter "${key}": softmax knows ${[...known].join(', ')}`);
  }
  const input = readSequenceInput(options, problems);
  const number = (key: 'learningRate' | 'l2', fallback: number, ok: (v: number) => boolean, rule: string): number => {
    const v = options[key];
    if (v === undefined) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && ok(v)) return v;
    problems.push(`${key} must be ${rule}, got ${JSON.stringify(v)}`);
    return fallback;
  };
  const learningRate = number('learningRate', 0.2, (v) => v > 0 && v <= 10, 'a number in (0, 10]: try 0.05 to 0.5');
  const l2 = number('l2', 1e-6, (v) => v >= 0 && v < 1, 'a number in [0, 1) (0 turns the penalty off)');
  const { classes, capacity } = readClassOptions(options, problems);
  const weights = (input.buckets + 1) * (capacity + 1);
  if (weights > MAX_SOFTMAX_WEIGHTS) {
    problems.push(
      `the model would hold ${weights} weights ((buckets + 1) × (classes + 1)), more than ${MAX_SOFTMAX_WEIGHTS}: lower buckets or capacity`,
    );
  }
  if (problems.length > 0) throw new MulticlassOptionsError('softmax', problems);
  return { input, learningRate, l2, classes, capacity };
}

/** The compiled hyper-parameters as one flat JSON object (ModelVersion.hyperParameters); compiles back to the same. */
export function softmaxHyperParametersJson(h: SoftmaxHyperParameters): Record<string, MulticlassHyperParameter> {
  return {
    ...h.input,
    extraFeatures: [...h.input.extraFeatures],
    learningRate: h.learningRate,
    l2: h.l2,
    ...classOptionsJson(h),
  };
}
