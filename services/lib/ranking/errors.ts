// Typed errors of the ranking core (CONTRIBUTING.md habit 5). Each names where it was raised (the caller
// passes a short `where`, e.g. "predictor top_k" or "ndcgAt"), what was wrong and what to do. None
// is retriable: the same input fails the same way every time.

import { LooperError } from '../errors.js';

/** A cutoff k that is not a whole number ≥ 1. */
export class CutoffError extends LooperError {
  constructor(
    readonly where: string,
    readonly k: number,
  ) {
    super('invalid_cutoff', `${where}: k must be a whole number ≥ 1 (how many top positions count), got ${k}`);
    this.name = 'CutoffError';
  }
}

/** A candidate's score that cannot be ordered (NaN): the model produced no usable number for it. */
export class ScoreError extends LooperError {
  constructor(
    readonly where: string,
    /** The candidate's index in the request. */
    readonly index: number,
    readonly candidateId: string,
    readonly score: number,
  ) {
    super(
      'invalid_score',
      `${where}: candidate ${index} ("${candidateId}") has score ${score}; every score must be a number to be ordered (check the model's inputs for this candidate)`,
    );
    this.name = 'ScoreError';
  }
}

/** Two candidates of one request share an id, so outcomes naming that id would be ambiguous. */
export class DuplicateCandidateError extends LooperError {
  constructor(
    readonly where: string,
    readonly candidateId: string,
    readonly firstIndex: number,
    readonly secondIndex: number,
  ) {
    super(
      'duplicate_candidate',
      `${where}: candidates ${firstIndex} and ${secondIndex} share the id "${candidateId}"; ids must be unique within a request because an outcome names the candidate acted on by id`,
    );
    this.name = 'DuplicateCandidateError';
  }
}

/** A relevance gain (or label used as one) that is negative or not finite. */
export class GainError extends LooperError {
  constructor(
    readonly where: string,
    /** The gain's rank position (0-based) in the list given. */
    readonly index: number,
    readonly gain: number,
  ) {
    super(
      'invalid_gain',
      `${where}: the gain at position ${index} is ${gain}; gains are relevance grades, finite and ≥ 0 (0 = not relevant, 1 = clicked)`,
    );
    this.name = 'GainError';
  }
}

/** A shown position that is not a whole number ≥ 0, or that two shown candidates of one decision share. */
export class PositionError extends LooperError {
  constructor(
    readonly where: string,
    readonly position: number,
    reason: string,
  ) {
    super('invalid_position', `${where}: position ${position} ${reason}`);
    this.name = 'PositionError';
  }
}

/** A candidate's own features already use the name reserved for the training-only position feature. */
export class ReservedFeatureError extends LooperError {
  constructor(
    readonly where: string,
    readonly feature: string,
  ) {
    super(
      'reserved_feature',
      `${where}: the candidate already has a feature "${feature}"; that name is reserved for the position Looper adds to training examples, rename the candidate feature`,
    );
    this.name = 'ReservedFeatureError';
  }
}

/** A metrics window size that is not a whole number ≥ 1. */
export class WindowSizeError extends LooperError {
  constructor(
    readonly where: string,
    readonly window: number,
  ) {
    super(
      'invalid_window',
      `${where}: window must be a whole number ≥ 1 (how many recent decisions to keep), got ${window}`,
    );
    this.name = 'WindowSizeError';
  }
}
