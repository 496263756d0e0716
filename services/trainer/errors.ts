// Typed errors of the trainer (CONTRIBUTING.md habit 5).
import { LooperError, type LooperErrorOptions } from '../lib/errors.js';

/** A deployed model cannot become the blueprint's training configuration. */
export class AdoptionError extends LooperError {
  constructor(
    readonly blueprint: string,
    readonly modelVersion: string,
    reason: string,
    options: LooperErrorOptions = {},
  ) {
    super('adoption_failed', `${blueprint}: cannot train ${modelVersion}: ${reason}`, options);
    this.name = 'AdoptionError';
  }
}
