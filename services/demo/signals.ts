// How the demo process stops. Ctrl-C in a terminal sends SIGINT to every process of the group, and
// `looper up` then sends the demo SIGTERM (services/lib/supervisor.ts): every signal, however many,
// leads to the one stop, as services/lib/runtime.ts does for the services. A second stop used to
// drain the SDK's NATS connection again, whose CONNECTION_DRAINING rejection was unhandled.
import { errorMessage } from '../lib/errors.js';

/** Stops on the first SIGINT or SIGTERM and exits 0, or 1 with a line saying why the stop failed. */
export function stopOnSignals(stop: () => Promise<void>, log: (line: string) => void): void {
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    log(`${signal}: stopping`);
    stopping = stop().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log(`stopping failed: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a later signal must find the handler, or Node's default would kill the process.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
