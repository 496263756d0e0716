// The vocabulary options every multi-class family shares: declared `classes`, or a learned
// vocabulary of at most `capacity` classes. Read into the family's compiled hyper-parameters.

import type { MulticlassHyperParameter } from './contract.js';
import { MulticlassOptionsError } from './errors.js';
import { ClassVocabulary, DEFAULT_VOCABULARY_CAPACITY } from './vocabulary.js';

export interface ClassOptions {
  /** Declared class names (a fixed vocabulary); null or absent: classes are learned from the labels. */
  classes?: readonly string[] | null;
  /** Most classes a learned vocabulary keeps (besides "__other__"). Default 1000. */
  capacity?: number;
}

export interface CompiledClassOptions {
  readonly classes: readonly string[] | null;
  /** Class rows besides "__other__": the declared count, or the learned vocabulary's capacity. */
  readonly capacity: number;
}

export const CLASS_OPTION_KEYS: readonly string[] = ['classes', 'capacity'];

/** Checks `classes` and `capacity` in `options`, pushing each problem. */
export function readClassOptions(options: Readonly<Record<string, unknown>>, problems: string[]): CompiledClassOptions {
  if (options.classes !== undefined && options.classes !== null) {
    if (options.capacity !== undefined)
      problems.push('give classes (a declared vocabulary) or capacity (a learned one), not both');
    if (!Array.isArray(options.classes)) {
      problems.push(`classes must be a list of class names, got ${JSON.stringify(options.classes)}`);
      return { classes: null, capacity: DEFAULT_VOCABULARY_CAPACITY };
    }
    try {
      const classes = ClassVocabulary.declared(options.classes as string[])
        .classNames()
        .slice(1);
      return { classes, capacity: classes.length };
    } catch (error) {
      if (!(error instanceof MulticlassOptionsError)) throw error;
      problems.push(...error.problems);
      return { classes: null, capacity: DEFAULT_VOCABULARY_CAPACITY };
    }
  }
  const v = options.capacity;
  if (v === undefined) return { classes: null, capacity: DEFAULT_VOCABULARY_CAPACITY };
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100_000) return { classes: null, capacity: v };
  problems.push(`capacity must be an integer from 1 to 100000, got ${JSON.stringify(v)}`);
  return { classes: null, capacity: DEFAULT_VOCABULARY_CAPACITY };
}

/** The JSON of the class options: `classes` when declared, `capacity` when learned. */
export function classOptionsJson(c: CompiledClassOptions): Record<string, MulticlassHyperParameter> {
  return c.classes === null ? { capacity: c.capacity } : { classes: [...c.classes] };
}

/** A new, empty vocabulary for these options. */
export function vocabularyFor(c: CompiledClassOptions): ClassVocabulary {
  return c.classes === null ? ClassVocabulary.learned({ capacity: c.capacity }) : ClassVocabulary.declared(c.classes);
}

/** Whether a stored vocabulary is of the kind and size the options make (artifacts are checked with it). */
export function vocabularyMatches(c: CompiledClassOptions, vocabulary: ClassVocabulary): boolean {
  return (c.classes === null) === (vocabulary.kind === 'learned') && vocabulary.size === c.capacity + 1;
}
