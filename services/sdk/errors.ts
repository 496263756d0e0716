// Typed errors of the SDK (CONTRIBUTING.md habit 5), exported to product code by index.ts.
import { LooperError, errorMessage } from '../lib/errors.js';

/** Looper answered with an error (unknown blueprint, malformed request, missing entity, …). */
export class DecideError extends LooperError {
  constructor(
    code: string,
    message: string,
    readonly blueprint: string,
  ) {
    super(code, `decide ${blueprint}: ${message}`);
    this.name = 'DecideError';
  }
}

/** Looper could not be reached and no fallback action is known for the blueprint. */
export class LooperUnavailableError extends LooperError {
  constructor(blueprint: string, cause: unknown) {
    super(
      'unavailable',
      `decide ${blueprint}: Looper did not answer (${errorMessage(cause)}) and no fallbackAction is known; pass { fallbackAction }`,
      { cause, retriable: true },
    );
    this.name = 'LooperUnavailableError';
  }
}

/** The outcome was refused (bad_request, bad_value) or not acknowledged (unavailable: report it again). */
export class OutcomeError extends LooperError {
  constructor(
    code: string,
    message: string,
    readonly decisionId: string,
  ) {
    super(code, `outcome of ${decisionId}: ${message}`, { retriable: code === 'unavailable' });
    this.name = 'OutcomeError';
  }
}

/**
 * The client was closed: a call made after close(), or an outcome still being tried again when it
 * was. Not retriable on this client; an outcome refused so was perhaps not taken: report it again
 * from a new client (safe, a decision keeps its first outcome).
 */
export class ClientClosedError extends LooperError {
  constructor(what: string) {
    super('closed', `${what}: the LooperClient was closed (close() was called); use a new client`);
    this.name = 'ClientClosedError';
  }
}
