// Fetches the stack's jars from Maven Central with `mvn`, into a Maven repository under
// LOOPER_DATA_DIR, printing download progress (bytes so far) while mvn runs.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError, InvariantError } from '../../services/lib/errors.js';
import { spanText } from '../../services/lib/duration-text.js';

export const pomPath = fileURLToPath(new URL('./pom.xml', import.meta.url));

/** A version pinned in deploy/local/pom.xml (the one place the stack's versions are declared). */
export function pinnedVersion(property: 'kafka.version' | 'apicurio.version'): string {
  const pom = readFileSync(pomPath, 'utf8');
  const match = new RegExp(`<${property.replace('.', '\\.')}>([^<]+)</`).exec(pom);
  if (!match) throw new InvariantError(`deploy/local/pom.xml declares no <${property}>`);
  return match[1]!;
}

function directoryBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of entries) {
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      total += stat.isDirectory() ? directoryBytes(path) : stat.size;
    } catch {
      // a file mvn renamed between readdir and stat
    }
  }
  return total;
}

export interface MavenRun {
  component: string;
  goalArgs: string[];
  mavenRepo: string;
  logFile: string;
  log: (line: string) => void;
}

export async function runMaven(run: MavenRun): Promise<void> {
  const args = ['-B', '-f', pomPath, `-Dmaven.repo.local=${run.mavenRepo}`, ...run.goalArgs];
  const { createWriteStream } = await import('node:fs');
  const logStream = createWriteStream(run.logFile, { flags: 'a' });
  const startBytes = directoryBytes(run.mavenRepo);
  const started = Date.now();
  let lastReport = 0;
  const ticker = setInterval(() => {
    const mb = (directoryBytes(run.mavenRepo) - startBytes) / 1e6;
    if (mb - lastReport >= 1) {
      lastReport = mb;
      run.log(
        `${run.component}: downloading from Maven Central… ${mb.toFixed(0)} MB (${spanText(Date.now() - started)})`,
      );
    }
  }, 2000);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(logStream, { end: false });
      child.stderr.pipe(logStream, { end: false });
      child.on('error', (error) =>
        reject(
          new StackError(
            run.component,
            `could not run mvn (${error.message}); install Apache Maven (Debian: apt-get install maven)`,
            run.logFile,
            { cause: error },
          ),
        ),
      );
      child.on('close', (status) => resolve(status ?? 1));
    });
    if (code !== 0) {
      throw new StackError(
        run.component,
        `mvn ${run.goalArgs.join(' ')} failed (exit ${code}); is Maven Central reachable?`,
        run.logFile,
      );
    }
  } finally {
    clearInterval(ticker);
    logStream.end();
  }
  const mb = (directoryBytes(run.mavenRepo) - startBytes) / 1e6;
  run.log(`${run.component}: downloaded ${mb.toFixed(0)} MB in ${spanText(Date.now() - started)}`);
}
