// `looper stack up | down | status | logs`: the real Kafka, schema registry and NATS on this machine.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { LooperConfig } from '../../services/lib/config.js';
import { errorMessage, StackError } from '../../services/lib/errors.js';
import { spanText } from '../../services/lib/duration-text.js';
import type { ComponentName, Log, StackComponent } from './component.js';
import { createKafka } from './kafka.js';
import { createNats } from './nats.js';
import { lastLines } from './processes.js';
import { createSchemaRegistry } from './schema-registry.js';
import { table } from '../../services/lib/table.js';
import {
  clearStackMode,
  ensureSecuredStack,
  recordStackMode,
  SECURED_STACK_USER,
  stackMode,
  type SecuredStack,
  type StackMode,
} from './secure.js';

/** The components; with `secured`, Kafka and the registry as `looper stack up --secure` runs them (secure.ts). */
export function stackComponents(config: LooperConfig, secured: SecuredStack | null = null): StackComponent[] {
  return [createNats(config), createKafka(config, secured), createSchemaRegistry(config, secured)];
}

export interface ComponentStatus {
  name: ComponentName;
  address: string;
  healthy: boolean;
  /** The pid when `looper stack up` started it and it still runs. */
  managedPid: number | null;
  logFile: string | null;
}

async function statusOf(component: StackComponent): Promise<ComponentStatus> {
  const managedPid = component.managedPid();
  return {
    name: component.name,
    address: component.address,
    healthy: await component.healthy(),
    managedPid,
    logFile: managedPid !== null || existsSync(component.logFile) ? component.logFile : null,
  };
}

/**
 * Starts whatever does not answer yet; components that answer are left alone (up is idempotent).
 * With `secure`, Kafka and the registry start secured (secure.ts): `config` must then carry the
 * secured stack's client settings, which the health checks use. Without it, a stack that runs
 * secured stays secured. An open stack is not switched to secured while any part of it runs.
 */
export async function stackUp(
  config: LooperConfig,
  log: Log,
  options: { readonly secure?: boolean } = {},
): Promise<ComponentStatus[]> {
  const running = stackComponents(config).filter((c) => c.managedPid() !== null);
  const current = stackMode(config.dataDir) ?? 'open';
  // Without --secure, a running stack stays the way it runs.
  const wanted: StackMode = options.secure === true ? 'secure' : running.length > 0 ? current : 'open';
  if (running.length > 0 && current !== wanted) {
    throw new StackError(
      running.map((c) => c.name).join(', '),
      `the local stack runs ${current === 'secure' ? 'secured' : 'open'}; run \`looper stack down\`, then \`looper stack up${wanted === 'secure' ? ' --secure' : ''}\``,
      null,
    );
  }
  const secured = wanted === 'secure' ? ensureSecuredStack(config.dataDir) : null;
  recordStackMode(config.dataDir, wanted);
  const components = stackComponents(config, secured);
  const failures: StackError[] = [];
  await Promise.all(
    components.map(async (component) => {
      if (await component.healthy()) {
        const owner = component.managedPid() !== null ? 'started by looper' : 'not started by looper';
        log(`${component.name}: already running at ${component.address} (${owner})`);
        return;
      }
      const started = Date.now();
      log(`${component.name}: starting at ${component.address}`);
      try {
        await component.start(log);
        log(
          `${component.name}: ready at ${component.address} in ${spanText(Date.now() - started)} (log: ${component.logFile})`,
        );
      } catch (error) {
        failures.push(
          error instanceof StackError
            ? error
            : new StackError(component.name, errorMessage(error), component.logFile, { cause: error }),
        );
      }
    }),
  );
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new StackError(failures.map((f) => f.component).join(', '), failures.map((f) => f.message).join('\n'), null);
  }
  if (secured !== null)
    log(
      `the stack is secured: Kafka takes SASL_SSL (SCRAM-SHA-512 as ${SECURED_STACK_USER}) only, the registry basic auth; looper's commands on this machine use ${secured.clientEnvFile}, and other clients need its settings`,
    );
  return Promise.all(components.map(statusOf));
}

/** Stops only the components `up` started; others are reported and left running. */
export async function stackDown(config: LooperConfig, log: Log): Promise<void> {
  // In reverse start order: the registry, then Kafka, then NATS.
  for (const component of stackComponents(config).reverse()) {
    if (await component.stop()) log(`${component.name}: stopped`);
    else log(`${component.name}: not started by looper, left as it is`);
  }
  // Nothing of the stack runs any more: looper's commands stop using its secured settings.
  clearStackMode(config.dataDir);
}

export async function stackStatus(config: LooperConfig): Promise<ComponentStatus[]> {
  return Promise.all(stackComponents(config).map(statusOf));
}

export function formatStatus(statuses: ComponentStatus[]): string {
  const rows = statuses.map((s) => [
    s.name,
    s.healthy ? 'healthy' : 'down',
    s.address,
    s.managedPid !== null ? `looper (pid ${s.managedPid})` : s.healthy ? 'external' : '-',
    s.logFile ?? '-',
  ]);
  return table(['component', 'state', 'address', 'started by', 'log'], rows);
}

/** Prints the last lines of each (or one) component's log; with `follow`, keeps streaming. */
export async function stackLogs(
  config: LooperConfig,
  name: string | undefined,
  lines: number,
  follow: boolean,
  out: Log,
): Promise<void> {
  const components = stackComponents(config).filter((c) => name === undefined || c.name === name);
  if (components.length === 0) {
    throw new StackError(
      name ?? '?',
      `no such component; choose one of ${stackComponents(config)
        .map((c) => c.name)
        .join(', ')}`,
      null,
    );
  }
  const files = components.map((c) => c.logFile).filter((f) => existsSync(f));
  if (files.length === 0) {
    out('no logs yet: the stack has not been started by looper on this machine');
    return;
  }
  if (follow) {
    await new Promise<void>((resolve) => {
      const tail = spawn('tail', ['-n', String(lines), '-F', ...files], { stdio: 'inherit' });
      tail.on('close', () => resolve());
    });
    return;
  }
  for (const file of files) {
    out(`==> ${file} <==`);
    out(lastLines(file, lines));
  }
}
