// What `looper stack` needs of each local component.

export type ComponentName = 'nats' | 'kafka' | 'schema-registry';

export type Log = (line: string) => void;

export interface StackComponent {
  readonly name: ComponentName;
  /** Where clients reach it (from LOOPER_* configuration). */
  readonly address: string;
  readonly logFile: string;
  /** Answers a real request within a bounded time. */
  healthy(): Promise<boolean>;
  /** The pid of the process `up` started, while it runs; null when not ours or not running. */
  managedPid(): number | null;
  /** Downloads what is missing, starts the process and waits (bounded) until healthy. */
  start(log: Log): Promise<void>;
  /** Stops the process `up` started; false when there was none. */
  stop(): Promise<boolean>;
}
