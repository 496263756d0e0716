// Errors of the segment log (CONTRIBUTING.md habit 5): one class per failure mode, with context fields.
import { errorMessage, LooperError } from '../errors.js';

/** Another live process holds the log's folder: two writers would interleave their segments and both send them. */
export class LogDirLockedError extends LooperError {
  constructor(
    readonly dir: string,
    /** The process that holds it. */
    readonly pid: number,
    /** What to do, in the caller's terms (which setting gives each process its own folder). */
    hint: string,
  ) {
    // Retriable: the holder may be a predecessor still shutting down.
    super('log_dir_locked', `${dir} is in use by process ${pid}: ${hint}`, { retriable: true });
    this.name = 'LogDirLockedError';
  }
}

/** The log's folder or files cannot be created or read: the log cannot open. */
export class LogOpenError extends LooperError {
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super('log_open_failed', `cannot open the log in ${dir}: ${errorMessage(cause)}`, {
      cause,
    });
    this.name = 'LogOpenError';
  }
}
