// Hyper-parameters of the ngram family: options → compile → compiled hyper-parameters with named
// defaults (CONTRIBUTING.md habit 6); unknown keys are refused by name.

import {
  CLASS_OPTION_KEYS,
  classOptionsJson,
  readClassOptions,
  type ClassOptions,
  type CompiledClassOptions,
} from './class-options.js';
import type { MulticlassHyperParameter } from './contract.js';
import { MulticlassOptionsError } from './errors.js';

export interface NGramOptions extends ClassOptions {
  /** The `last_n` feature holding the items so far, newest last. Required. */
  sequenceFeature?: string;
  /** 1 (the newest item) or 2 (the two newest). Default 2. */
  order?: number;
  /** Pseudo-count per class in every context. Default 0.1. */
  k?: number;
  /** Most pair contexts kept. Default 100000. */
  maxContexts?: number;
}

export interface NGramHyperParameters extends CompiledClassOptions {
  readonly sequenceFeature: string;
  readonly order: 1 | 2;
  readonly k: number;
  readonly maxContexts: number;
}

export function compileNGramOptions(options: Readonly<Record<string, unknown>>): NGramHyperParameters {
  const problems: string[] = [];
  const known = new Set(['sequenceFeature', 'order', 'k', 'maxContexts', ...CLASS_OPTION_KEYS]);
  for (const key of Object.keys(options))
    if (options[key] !== undefined && !known.has(key))
      problems.push(`unknown hyper-parameter "${key}": ngram knows ${[...known].join(', ')}`);
  const { sequenceFeature, order = 2, k = 0.1, maxContexts = 100_000 } = options;
  if (typeof sequenceFeature !== 'string' || sequenceFeature === '')
    problems.push(
      `sequenceFeature must name the last_n feature holding the items, got ${JSON.stringify(sequenceFeature)}`,
    );
  if (order !== 1 && order !== 2) problems.push(`order must be 1 or 2, got ${JSON.stringify(order)}`);
  if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0 || k > 100)
    problems.push(`k must be a number in (0, 100]: try 0.01 to 1; got ${JSON.stringify(k)}`);
  if (typeof maxContexts !== 'number' || !Number.isInteger(maxContexts) || maxContexts < 10 || maxContexts > 10_000_000)
    problems.push(`maxContexts must be an integer from 10 to 10000000, got ${JSON.stringify(maxContexts)}`);
  const classes = readClassOptions(options, problems);
  if (problems.length > 0) throw new MulticlassOptionsError('ngram', problems);
  return {
    sequenceFeature: sequenceFeature as string,
    order: order as 1 | 2,
    k: k as number,
    maxContexts: maxContexts as number,
    ...classes,
  };
}

/** The compiled hyper-parameters as one flat JSON object (ModelVersion.hyperParameters); compiles back to the same. */
export function ngramHyperParametersJson(h: NGramHyperParameters): Record<string, MulticlassHyperParameter> {
  return {
    sequenceFeature: h.sequenceFeature,
    order: h.order,
    k: h.k,
    maxContexts: h.maxContexts,
    ...classOptionsJson(h),
  };
}
