// CPU time of the machine (os.cpus) and of the processes a benchmark involves (Linux's /proc): on
// a machine whose cores the client, the services and the servers share, where a request's CPU goes
// says more than its rate. Without /proc every process reading is absent and no breakdown is printed.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

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
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        return pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
      } catch {
        return false;
      }
    });
}

/** CPU seconds each named process group used while `work` ran. */
export async function cpuWhile<T>(
  groups: Record<string, readonly number[]>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: Record<string, number> }> {
  const read = () =>
    Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [name, pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0)]),
    );
  const before = read();
  const result = await work();
  const after = read();
  return {
    result,
    cpuSeconds: Object.fromEntries(Object.keys(groups).map((name) => [name, after[name]! - before[name]!])),
  };
}

/** Share of the machine's CPU time that was busy while `work` ran (all cores, all processes). */
export async function busyWhile<T>(work: () => Promise<T>): Promise<{ result: T; busy: number }> {
  const total = () =>
    cpus().reduce(
      (t, c) => ({
        idle: t.idle + c.times.idle,
        all: t.all + c.times.idle + c.times.user + c.times.sys + c.times.nice + c.times.irq,
      }),
      { idle: 0, all: 0 },
    );
  const before = total();
  const result = await work();
  const after = total();
  return { result, busy: 1 - (after.idle - before.idle) / Math.max(1, after.all - before.all) };
}
