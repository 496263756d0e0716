// One set of Looper services for several suites of one test file: starting and stopping four
// services costs each file some 15 s, which tasks sharing them pay once.
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import type { ServiceProcessName } from '../../services/lib/supervisor.js';
import { pollUntil } from '../../services/lib/poll.js';
import { serviceLogFile } from './service-log.js';

export interface SharedServices {
  readonly supervisor: Supervisor;
  /** Waits until `service` answers /readyz 200 (its consumer group gave it partitions). */
  ready(service: ServiceProcessName, timeoutMs?: number): Promise<void>;
  /** The base URL of `service`'s ops server (/metrics, /healthz, /readyz), once it has said it. */
  opsUrl(service: ServiceProcessName): string | undefined;
  stop(): Promise<void>;
}

/** Starts `names` with ephemeral ops ports, their output in <tmpdir>/looper-<logName>.log. */
export function startSharedServices(names: ServiceProcessName[], logName: string): SharedServices {
  const addresses = new Map<string, string>();
  const log = serviceLogFile(logName);
  const supervisor = superviseServices(names, {
    env: { ...process.env, LOOPER_OPS_PORT: '0' },
    log: (line) => {
      log.write(line);
      const m = /^\[(\w+)\] ops server on (http:\/\/\S+)/.exec(line);
      if (m) addresses.set(m[1]!, m[2]!);
    },
  });
  return {
    supervisor,
    async ready(service, timeoutMs = 120_000) {
      await pollUntil(`the ${service} to be ready`, timeoutMs, async () => {
        const base = addresses.get(service);
        return base &&
          (await fetch(`${base}/readyz`)
            .then((r) => r.ok)
            .catch(() => false))
          ? true
          : undefined;
      });
    },
    opsUrl: (service) => addresses.get(service),
    async stop() {
      await supervisor.stop();
      log.end();
    },
  };
}
