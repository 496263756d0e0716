// Typed errors of the multiclass package (CONTRIBUTING.md habit 5). None is retriable: the same options,
// examples, call or artifact fail the same way every time. Codes match the learners package's
// (invalid_hyper_parameters, invalid_training_input) so the trainer handles both alike.

import { LooperError } from '../errors.js';

// decodeArtifact already throws the learners' ArtifactError: one class for every unreadable artifact.
export { ArtifactError } from '../learners/errors.js';

/** Options of a model, vocabulary, input or metric are invalid; `problems` lists each with what to do. */
export class MulticlassOptionsError extends LooperError {
  constructor(
    /** What was being configured: a family (softmax, ngram), "vocabulary", "sequence input", ... */
    readonly what: string,
    readonly problems: readonly string[],
  ) {
    super('invalid_hyper_parameters', `invalid ${what} options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MulticlassOptionsError';
  }
}

/** A training batch was refused before any update: lengths differ, a label or weight is unusable. */
export class MulticlassInputError extends LooperError {
  constructor(
    readonly family: string,
    message: string,
    /** Index of the offending example in the batch; null when the batch as a whole is wrong. */
    readonly index: number | null,
  ) {
    super('invalid_training_input', `${family}: ${message}`);
    this.name = 'MulticlassInputError';
  }
}

/** A scoring or metrics call got an unusable argument (k < 1, a buffer too short, a bad rank). */
export class ScoringArgumentError extends LooperError {
  constructor(
    /** The method that refused, e.g. "softmax.topK". */
    readonly method: string,
    message: string,
  ) {
    super('invalid_argument', `${method}: ${message}`);
    this.name = 'ScoringArgumentError';
  }
}
