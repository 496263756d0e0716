// Typed errors of the learners package (CONTRIBUTING.md habit 5). None of them is retriable: the same
// options, examples or artifact fail the same way every time.

import { LooperError } from '../errors.js';

/** A learner's hyper-parameters are invalid; `problems` lists each one with what to do. */
export class HyperParameterError extends LooperError {
  constructor(
    readonly family: string,
    readonly problems: string[],
  ) {
    super(
      'invalid_hyper_parameters',
      `invalid ${family} hyper-parameters:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'HyperParameterError';
  }
}

/** The declared features cannot make a model input (e.g. a name used twice). */
export class FeatureSchemaError extends LooperError {
  constructor(message: string) {
    super('invalid_feature_schema', message);
    this.name = 'FeatureSchemaError';
  }
}

/** A training batch was refused before any update: lengths differ, a label or weight is unusable. */
export class TrainingInputError extends LooperError {
  constructor(
    readonly family: string,
    message: string,
    /** Index of the offending example in the batch; null when the batch as a whole is wrong. */
    readonly index: number | null,
  ) {
    super('invalid_training_input', `${family}: ${message}`);
    this.name = 'TrainingInputError';
  }
}

/** A model artifact cannot be read: not an artifact, truncated, or of an unknown format. */
export class ArtifactError extends LooperError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('invalid_artifact', `model artifact: ${message}`, options);
    this.name = 'ArtifactError';
  }
}

/** No TensorFlow.js backend among the ones asked for could be started. */
export class BackendError extends LooperError {
  constructor(
    readonly tried: readonly string[],
    readonly reasons: readonly string[],
  ) {
    super(
      'no_tf_backend',
      `no TensorFlow.js backend could start (tried ${tried.join(', ')}):\n${reasons.map((r) => `  - ${r}`).join('\n')}`,
    );
    this.name = 'BackendError';
  }
}
