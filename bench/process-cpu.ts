// CPU time of the processes a benchmark involves, read from Linux's /proc: on a machine whose cores
// the client, the services and the servers share, where a request's CPU goes says more than its
// rate. Elsewhere (no /proc) every reading is absent and the bench prints no breakdown.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used, or undefined when it cannot be read. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Process ids whose command line matches `pattern` (the servers the bench did not start). */
export function pidsMatching(pattern: RegExp): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    try {
      return pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      return false;
    }
  });
}

/** CPU seconds each named process group used while `work` ran. */
export async function cpuWhile<T>(groups: Record<string, readonly number[]>, work: () => Promise<T>): Promise<{ result: T; cpuSeconds: Record<string, number> }> {
  const read = () => Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0)]));
  const before = read();
  const result = await work();
  const after = read();
  return { result, cpuSeconds: Object.fromEntries(Object.keys(groups).map((name) => [name, after[name]! - before[name]!])) };
}
