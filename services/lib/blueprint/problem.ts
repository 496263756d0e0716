// What the blueprint compiler answers: the compiled blueprint, or every problem found in one go.
import type { Blueprint } from '../schemas/generated.js';

/** One thing wrong with a blueprint: where, what, and what to do about it. */
export interface BlueprintProblem {
  /** Where: a key path such as `features.streams[1].window`, or `line 3, col 5` for YAML syntax. */
  path: string;
  /** What is wrong, e.g. `"one hour" is not a duration like 1h`. */
  message: string;
  /** What to do about it, e.g. `did you mean classification?`. */
  fix: string;
}

export type CompileResult = { ok: true; blueprint: Blueprint } | { ok: false; problems: BlueprintProblem[] };

/** The path reported for problems with the document as a whole. */
export const DOCUMENT_PATH = '(document)';

/** `features` + `streams` → `features.streams`; `features.streams` + 1 → `features.streams[1]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}
