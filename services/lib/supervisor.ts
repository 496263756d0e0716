// Runs Looper's services as child processes (one process a service, as in production), prefixes
// their output, restarts one that crashes, and stops them all in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const serviceNames = ['features', 'joiner', 'trainer', 'predictor', 'automl', 'rollout', 'monitor'] as const;
export type ServiceProcessName = (typeof serviceNames)[number] | 'demo';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Supervisor {
  /** Stops every child (SIGTERM, then SIGKILL after `graceMs`): the demo first, then the services together. */
  stop(graceMs?: number): Promise<void>;
  /** Kills one child with SIGKILL (fault tests); the supervisor restarts it unless `restart` is false. */
  kill(name: ServiceProcessName, restart?: boolean): Promise<void>;
  /** Starts a killed, not restarted child again. */
  start(name: ServiceProcessName): void;
  /** The process id of a running child (benchmarks read its CPU time). */
  pid(name: ServiceProcessName): number | undefined;
}

export interface SupervisorOptions {
  env?: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Restart a child that exits on its own (default true). */
  restart?: boolean;
}

/**
 * Node flags for every service process, from LOOPER_SERVICE_NODE_ARGS (space-separated), such as
 * `--cpu-prof --cpu-prof-dir=prof` to profile a bench: Node refuses those in NODE_OPTIONS.
 */
function extraNodeArgs(env: NodeJS.ProcessEnv): string[] {
  return (env.LOOPER_SERVICE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
}

export function superviseServices(names: readonly ServiceProcessName[], options: SupervisorOptions): Supervisor {
  const children = new Map<ServiceProcessName, ChildProcess>();
  const noRestart = new Set<ServiceProcessName>();
  let stopping = false;

  function start(name: ServiceProcessName): void {
    const child = spawn(
      process.execPath,
      [...extraNodeArgs(options.env ?? process.env), '--import', 'tsx', `services/${name}/main.ts`],
      {
        cwd: repoRoot,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.set(name, child);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) =>
        options.log(line.startsWith('[') ? line : `[${name}] ${line}`),
      );
    }
    child.on('exit', (code, signal) => {
      if (children.get(name) === child) children.delete(name);
      if (stopping || noRestart.has(name)) return;
      options.log(
        `[supervisor] ${name} exited (${signal ?? `code ${code}`})${options.restart === false ? '' : '; restarting in 1 s'}`,
      );
      if (options.restart !== false) setTimeout(() => !stopping && !children.has(name) && start(name), 1000).unref();
    });
  }

  for (const name of names) start(name);

  const waitExit = (child: ChildProcess, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  return {
    async stop(graceMs = 15_000) {
      stopping = true;
      const stopOne = async (name: ServiceProcessName): Promise<void> => {
        const child = children.get(name);
        if (!child) return;
        child.kill('SIGTERM');
        if (!(await waitExit(child, graceMs))) {
          options.log(`[supervisor] ${name} did not stop in ${graceMs} ms; killing it`);
          child.kill('SIGKILL');
          await waitExit(child, 5000);
        }
      };
      // The simulated product first, so no request meets a stopping service; then the services
      // together: each leaves its consumer groups on its own, and one at a time adds up.
      await stopOne('demo');
      await Promise.all([...children.keys()].map(stopOne));
    },
    async kill(name, restart = true) {
      const child = children.get(name);
      if (!child) return;
      if (!restart) noRestart.add(name);
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    },
    start(name) {
      noRestart.delete(name);
      if (!children.has(name)) start(name);
    },
    pid: (name) => children.get(name)?.pid,
  };
}
