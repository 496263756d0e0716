// NATS: the server at LOOPER_NATS_URL when one answers; otherwise `nats-server -js` started here
// (installed from Debian's packages when missing and we are allowed to install).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connectNats } from '../../services/lib/nats-connect.js';
import { isLoopbackHost, type LooperConfig } from '../../services/lib/config.js';
import { StackError } from '../../services/lib/errors.js';
import type { Log, StackComponent } from './component.js';
import { componentDir, stackPaths } from './paths.js';
import {
  lastLines,
  runLogged,
  runningPid,
  startDetached,
  stopProcess,
  waitFor,
  type ManagedProcess,
} from './processes.js';

const startTimeoutMs = 30_000;

export function findNatsServer(): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/usr/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

export function createNats(config: LooperConfig): StackComponent {
  const paths = stackPaths(config.dataDir);
  const dir = componentDir(paths, 'nats');
  const proc: ManagedProcess = {
    pidFile: join(dir, 'nats.pid'),
    logFile: join(dir, 'nats.log'),
    marker: join(dir, 'jetstream'),
  };
  const url = new URL(config.natsUrl);

  async function healthy(): Promise<boolean> {
    const nc = await connectNats(config, 'looper-stack', { timeout: 1500, reconnect: false, maxReconnectAttempts: 0 });
    try {
      await nc.flush();
      return true;
    } finally {
      await nc.close();
    }
  }

  async function install(log: Log): Promise<string> {
    const mayInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
    if (!mayInstall) {
      throw new StackError(
        'nats',
        'nats-server is not installed and cannot be installed from here; install it (Debian: sudo apt-get install nats-server) or point LOOPER_NATS_URL at a running server',
        null,
      );
    }
    log('nats: installing Debian package nats-server');
    const logFile = proc.logFile;
    mkdirSync(dir, { recursive: true });
    let code = await runLogged('apt-get', ['install', '-y', '-q', 'nats-server'], logFile);
    if (code !== 0) {
      await runLogged('apt-get', ['update', '-q'], logFile);
      code = await runLogged('apt-get', ['install', '-y', '-q', 'nats-server'], logFile);
    }
    const binary = findNatsServer();
    if (code !== 0 || !binary)
      throw new StackError('nats', `apt-get install nats-server failed (exit ${code})`, logFile);
    return binary;
  }

  async function start(log: Log): Promise<void> {
    if (!isLoopbackHost(url.hostname)) {
      throw new StackError(
        'nats',
        `${config.natsUrl} does not answer, and the local stack only starts NATS on this machine; check LOOPER_NATS_URL`,
        null,
      );
    }
    mkdirSync(dir, { recursive: true });
    const binary = findNatsServer() ?? (await install(log));
    const pid = startDetached(
      proc,
      binary,
      ['-js', '-a', url.hostname, '-p', url.port || '4222', '-sd', join(dir, 'jetstream')],
      dir,
    );
    const outcome = await waitFor(
      () => healthy(),
      startTimeoutMs,
      () => runningPid(proc) === pid,
    );
    if (outcome !== 'ready') {
      throw new StackError(
        'nats',
        outcome === 'exited'
          ? `nats-server exited while starting:\n${lastLines(proc.logFile, 8)}`
          : `nats-server did not answer at ${config.natsUrl} within ${startTimeoutMs / 1000} s`,
        proc.logFile,
      );
    }
  }

  return {
    name: 'nats',
    address: config.natsUrl,
    logFile: proc.logFile,
    healthy: () => healthy().catch(() => false),
    managedPid: () => runningPid(proc),
    start,
    stop: () => stopProcess(proc),
  };
}
