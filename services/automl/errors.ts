// Typed errors of the automl service and of `looper automl` (CONTRIBUTING.md habit 5).
import { LooperError, type LooperErrorOptions } from '../lib/errors.js';

/** A search or retrain that cannot run as asked: the message says why and what to do. */
export class AutomlError extends LooperError {
  constructor(message: string, options: LooperErrorOptions = {}, code = 'automl') {
    super(code, message, options);
    this.name = 'AutomlError';
  }
}

/**
 * A search or retrain refused because its replay held fewer examples than it needs. Retriable:
 * it runs once enough have arrived, and `examples` and `needed` say how many more that is.
 */
export class TooFewExamplesError extends AutomlError {
  constructor(
    readonly blueprint: string,
    /** The examples the replay found that teach the blueprint's score. */
    readonly examples: number,
    readonly needed: number,
    message: string,
  ) {
    super(message, { retriable: true }, 'automl_too_few_examples');
    this.name = 'TooFewExamplesError';
  }
}
