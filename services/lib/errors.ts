// Typed errors shared by every Looper package. Each sets `name`, carries the context a reader
// needs, chains `cause`, and says whether retrying can help (CONTRIBUTING.md habit 5).

export interface LooperErrorOptions {
  cause?: unknown;
  retriable?: boolean;
}

export class LooperError extends Error {
  /** A stable, machine-readable code (also used in error replies and dead letters). */
  readonly code: string;
  /** True when the same call may succeed later without any change. */
  readonly retriable: boolean;

  constructor(code: string, message: string, options: LooperErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LooperError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** The environment or options are invalid; `problems` lists each one with what to do. */
export class ConfigError extends LooperError {
  constructor(readonly problems: string[]) {
    super('invalid_config', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A local stack component failed to download, start or become healthy. */
export class StackError extends LooperError {
  constructor(
    readonly component: string,
    message: string,
    readonly logPath: string | null,
    options: LooperErrorOptions = {},
  ) {
    super('stack_failed', `${component}: ${message}${logPath ? `\n  log: ${logPath}` : ''}`, options);
    this.name = 'StackError';
  }
}

/** The schema registry refused or failed a request; `reason` is the registry's own message. */
export class SchemaRegistryError extends LooperError {
  constructor(
    readonly subject: string,
    readonly reason: string,
    options: LooperErrorOptions = {},
  ) {
    super('schema_registry', `schema registry refused ${subject}: ${reason}`, options);
    this.name = 'SchemaRegistryError';
  }
}

/** Kafka refused this client's connection: its credentials, TLS or SASL settings do not fit the listener. */
export class KafkaRefusedError extends LooperError {
  constructor(
    readonly brokers: string,
    message: string,
    options: LooperErrorOptions = {},
  ) {
    super('kafka_refused', message, options);
    this.name = 'KafkaRefusedError';
  }
}

/** A named thing (blueprint, version, topic) does not exist. */
export class NotFoundError extends LooperError {
  constructor(what: string, hint: string) {
    super('not_found', `${what} not found${hint ? `: ${hint}` : ''}`);
    this.name = 'NotFoundError';
  }
}

/** A command line or call was given something it cannot use: an option's value, an unknown name. */
export class UsageError extends LooperError {
  constructor(message: string, code = 'bad_usage') {
    super(code, message);
    this.name = 'UsageError';
  }
}

/** Something the code relies on did not hold: a bug to report, never the caller's mistake. */
export class InvariantError extends LooperError {
  constructor(message: string) {
    super('invariant', message);
    this.name = 'InvariantError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
