// Errors of the simulator (CONTRIBUTING.md habit 5).
import { LooperError } from '../errors.js';

/** A user id the simulator did not create; retrying cannot help. */
export class UnknownUserError extends LooperError {
  constructor(readonly userId: string) {
    super(
      'unknown_user',
      `simulator: no user "${userId}"; ids are the entities of nextDecideRequest and the keys of the events`,
    );
    this.name = 'UnknownUserError';
  }
}
