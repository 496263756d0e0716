// Errors of the blueprint package (CONTRIBUTING.md habit 5): one class per failure mode, with context fields.
import { LooperError, type LooperErrorOptions } from '../errors.js';
import type { BlueprintProblem } from './problem.js';

/** A blueprint did not compile; `problems` lists every problem with its path and a fix. Retrying cannot help. */
export class BlueprintInvalidError extends LooperError {
  constructor(
    readonly problems: readonly BlueprintProblem[],
    options: Omit<LooperErrorOptions, 'retriable'> = {},
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((p) => `  ${p.path}: ${p.message} (fix: ${p.fix})`);
    super('invalid_blueprint', [`invalid blueprint, ${count}:`, ...lines].join('\n'), { ...options, retriable: false });
    this.name = 'BlueprintInvalidError';
  }
}
