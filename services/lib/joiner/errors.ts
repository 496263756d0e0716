// Errors of the joiner core (CONTRIBUTING.md habit 5): one class per failure mode, with context fields.
// Neither is retriable: the same bytes or the same record fail the same way again.
import { LooperError } from '../errors.js';

/** A decision, outcome or event cannot be joined as it is (e.g. a timestamp that is not epoch ms); dead-letter it. */
export class JoinerInputError extends LooperError {
  constructor(
    /** What was rejected: decision, outcome, event or now. */
    readonly record: 'decision' | 'outcome' | 'event' | 'now',
    /** The decision id it names, when known. */
    readonly decisionId: string | null,
    message: string,
  ) {
    super(`invalid_${record}`, `${record}${decisionId === null ? '' : ` ${decisionId}`}: ${message}`, {
      retriable: false,
    });
    this.name = 'JoinerInputError';
  }
}

/** Stored joiner state (a pending decision, done marker or early outcome) cannot be decoded. */
export class JoinerStateError extends LooperError {
  constructor(
    /** Which kind of record (or key) was being decoded. */
    readonly kind: 'pending' | 'done' | 'early outcome' | 'recent event' | 'key',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('corrupt_joiner_state', `stored ${kind}${kind === 'key' ? '' : ' record'}: ${message}`, {
      ...options,
      retriable: false,
    });
    this.name = 'JoinerStateError';
  }
}
