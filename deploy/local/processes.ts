// Background processes owned by the stack: started detached with a log file and a pid file, so
// `down` stops only what `up` started (the pid file plus a command-line check guard against reuse).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LooperError } from '../../services/lib/errors.js';

export interface ManagedProcess {
  pidFile: string;
  logFile: string;
  /** A string the process's command line must contain for the pid to count as ours. */
  marker: string;
}

export function startDetached(
  proc: ManagedProcess,
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): number {
  mkdirSync(dirname(proc.logFile), { recursive: true });
  const log = openSync(proc.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', log, log], env });
    if (child.pid === undefined) throw new LooperError('spawn_failed', `could not spawn ${command}`);
    child.unref();
    writeFileSync(proc.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** The pid of our running process, or null (a stale pid file is removed). */
export function runningPid(proc: ManagedProcess): number | null {
  if (!existsSync(proc.pidFile)) return null;
  const pid = Number(readFileSync(proc.pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isOurs(pid, proc.marker)) return pid;
  rmSync(proc.pidFile, { force: true });
  return null;
}

function isOurs(pid: number, marker: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves once the process is gone. */
export async function stopProcess(proc: ManagedProcess, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(proc);
  if (pid === null) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isOurs(pid, proc.marker)) await sleep(100);
  if (isOurs(pid, proc.marker)) {
    process.kill(pid, 'SIGKILL');
    while (isOurs(pid, proc.marker)) await sleep(50);
  }
  rmSync(proc.pidFile, { force: true });
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it resolves true or `timeoutMs` passes; also stops early if `alive()` turns false. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<'ready' | 'timeout' | 'exited'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return 'ready';
    if (!alive()) return 'exited';
    await sleep(250);
  }
  return 'timeout';
}

export function lastLines(file: string, count: number): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.slice(-count).join('\n');
}

/** Runs a command to completion with its output appended to `logFile`; resolves its exit code. */
export async function runLogged(command: string, args: string[], logFile: string): Promise<number> {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
      child.on('error', (error) => reject(new Error(`could not run ${command}: ${error.message}`, { cause: error })));
      child.on('close', (status) => resolve(status ?? 1));
    });
  } finally {
    closeSync(fd);
  }
}
