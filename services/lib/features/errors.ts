// Errors of the feature aggregators (CONTRIBUTING.md habit 5). All are programming or data-corruption
// errors: retrying the same call cannot help. Bad *events* are not errors here: event.ts returns a
// reason the caller dead-letters, and applyEvent answers 'ignored'.
import { LooperError, type LooperErrorOptions } from '../errors.js';

/** A stream feature spec that the aggregators cannot run, e.g. a count without a window. */
export class FeatureSpecError extends LooperError {
  constructor(
    readonly aggregate: string,
    readonly problem: string,
    options: Omit<LooperErrorOptions, 'retriable'> = {},
  ) {
    super('invalid_feature_spec', `stream feature spec (aggregate ${aggregate}): ${problem}`, {
      ...options,
      retriable: false,
    });
    this.name = 'FeatureSpecError';
  }
}

/** A feature state was handed a spec it was not made for (another aggregate, or window vs none). */
export class FeatureStateMismatchError extends LooperError {
  constructor(
    readonly stateKind: string,
    readonly specAggregate: string,
  ) {
    super(
      'feature_state_mismatch',
      `a ${stateKind} feature state cannot serve a spec with aggregate ${specAggregate}: create the state from the same spec`,
      { retriable: false },
    );
    this.name = 'FeatureStateMismatchError';
  }
}

/** Stored feature state bytes could not be decoded: corrupt, truncated, or of an unknown format version. */
export class FeatureStateDecodeError extends LooperError {
  constructor(
    /** Byte offset at which decoding failed. */
    readonly offset: number,
    readonly reason: string,
    options: Omit<LooperErrorOptions, 'retriable'> = {},
  ) {
    super('feature_state_decode', `cannot decode feature state at byte ${offset}: ${reason}`, {
      ...options,
      retriable: false,
    });
    this.name = 'FeatureStateDecodeError';
  }
}
