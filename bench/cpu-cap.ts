// A CPU limit per process, as an orchestrator gives each instance its own (a Kubernetes CPU limit is
// this same CFS quota). On one machine whose cores the client, the servers and every instance share,
// unlimited instances cannot show whether throughput adds up with instances; instances that each
// have a limit below their share of the machine can. Needs a writable cgroup cpu controller (root):
// cgroup v1's cpu hierarchy or cgroup v2's unified one; otherwise `openCpuCaps` says why not.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A short period: at the usual 100 ms, a process that spends its quarter early waits 75 ms with
 * requests in hand, and a closed-loop client piles its requests up at whichever instance waits.
 */
const PERIOD_US = 10_000;

export interface CpuCaps {
  /** Limits `pid` to `cores` (e.g. 0.25) from now on. */
  cap(pid: number, cores: number): void;
  /** Every capped process back where it was, the cgroups removed. */
  release(): void;
}

interface Hierarchy {
  mount: string;
  /** The process's cgroup path within the hierarchy, from /proc/<pid>/cgroup. */
  cgroupOf(pid: number): string;
  limit(dir: string, quotaUs: number): void;
}

function v1(): Hierarchy | null {
  const mount = '/sys/fs/cgroup/cpu';
  if (!existsSync(join(mount, 'cpu.cfs_quota_us'))) return null;
  return {
    mount,
    cgroupOf: (pid) => cgroupLine(pid, (controllers) => controllers.split(',').includes('cpu')),
    limit(dir, quotaUs) {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
    },
  };
}

function v2(): Hierarchy | null {
  const mount = '/sys/fs/cgroup';
  if (
    !existsSync(join(mount, 'cgroup.controllers')) ||
    !readFileSync(join(mount, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')
  )
    return null;
  return {
    mount,
    cgroupOf: (pid) => cgroupLine(pid, (controllers) => controllers === ''),
    limit: (dir, quotaUs) => writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`),
  };
}

/** The path of the line of /proc/<pid>/cgroup ("id:controllers:path") whose controllers match. */
function cgroupLine(pid: number, matches: (controllers: string) => boolean): string {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (path !== undefined && controllers !== undefined && matches(controllers)) return path;
  }
  return '/';
}

export function openCpuCaps(name: string): { caps: CpuCaps } | { unavailable: string } {
  const hierarchy = v1() ?? v2();
  if (!hierarchy) return { unavailable: 'no cgroup cpu controller at /sys/fs/cgroup' };
  const capped: Array<{ pid: number; dir: string; home: string }> = [];
  const caps: CpuCaps = {
    cap(pid, cores) {
      const home = join(hierarchy.mount, hierarchy.cgroupOf(pid));
      const dir = join(hierarchy.mount, `${name}-${pid}`);
      mkdirSync(dir, { recursive: true });
      hierarchy.limit(dir, Math.round(cores * PERIOD_US));
      writeFileSync(join(dir, 'cgroup.procs'), String(pid));
      capped.push({ pid, dir, home });
    },
    release() {
      for (const { pid, dir, home } of capped.splice(0)) {
        try {
          writeFileSync(join(home, 'cgroup.procs'), String(pid));
        } catch {
          // It has exited: its cgroup is empty already.
        }
        try {
          rmdirSync(dir);
        } catch {
          // Gone already, or a process it forked is still in it: an empty-to-be cgroup costs nothing.
        }
      }
    },
  };
  // A probe: a cgroup that cannot be made or limited here (not root, read-only) is said up front.
  const probe = join(hierarchy.mount, `${name}-probe`);
  try {
    mkdirSync(probe, { recursive: true });
    hierarchy.limit(probe, PERIOD_US);
    rmdirSync(probe);
  } catch (error) {
    return { unavailable: `cannot create a limited cgroup under ${hierarchy.mount}: ${(error as Error).message}` };
  }
  return { caps };
}
