// One process at a time in a folder: a LOCK file naming the holder's pid and, on Linux, its start
// time. A lock left by a process that died (a crash, a SIGKILL) is taken over, so it needs no
// cleaning; the start time tells a live holder from an unrelated process that got its pid after a
// reboot or in a new container, which would otherwise keep the folder locked for ever. A lock that
// names this very process is a leftover too (a restarted container's process often has the same pid).
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogDirLockedError } from './errors.js';

const LOCK_FILE = 'LOCK';

export interface DirLock {
  release(): void;
}

/** The start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22), or null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function holderIsAlive(pid: number, startTime: string | null): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it lives, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return startTime === null || processStartTime(pid) === startTime;
}

/** Locks `dir` (which exists) for this process, or throws LogDirLockedError naming the live holder and `hint`. */
export function lockDir(dir: string, hint: string): DirLock {
  const path = join(dir, LOCK_FILE);
  const mine = `${process.pid} ${processStartTime(process.pid) ?? '-'}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, mine, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const [pidText, startTime] = readFileSync(path, 'utf8').trim().split(' ');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && holderIsAlive(pid, startTime === '-' ? null : (startTime ?? null)))
      throw new LogDirLockedError(dir, pid, hint);
    unlinkSync(path);
  }
  return {
    release() {
      try {
        if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
      } catch {
        // Gone already: nothing to release.
      }
    },
  };
}
