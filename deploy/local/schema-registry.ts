// Apicurio Registry from its runnable archive on Maven Central, used only through its
// Confluent-compatible API (/apis/ccompat/v7); schemas persist in an H2 file under LOOPER_DATA_DIR.
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isLoopbackHost, type LooperConfig } from '../../services/lib/config.js';
import { StackError } from '../../services/lib/errors.js';
import { registryAuthHeaders } from '../../services/lib/schema-registry.js';
import type { Log, StackComponent } from './component.js';
import { pinnedVersion, runMaven } from './maven.js';
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
import { registryAuthProperties, type SecuredStack } from './secure.js';

const startTimeoutMs = 120_000;
const ccompatPath = '/apis/ccompat/v7';

/** Where the stack keeps Apicurio's runnable jar (fetched by `looper stack up` on its first run). */
export function registryRunnerJar(dataDir: string): string {
  const version = pinnedVersion('apicurio.version');
  return join(
    stackPaths(dataDir).downloads,
    `apicurio-registry-${version}`,
    `apicurio-registry-app-${version}-runner.jar`,
  );
}

/** The registry's process: its pid file and log in `dir`, recognised by that folder on its command line. */
export function registryProcess(dir: string): ManagedProcess {
  return {
    pidFile: join(dir, 'registry.pid'),
    logFile: join(dir, 'registry.log'),
    marker: `-Dlooper.stack.dir=${dir}`,
  };
}

/**
 * Starts Apicurio detached, serving `url`'s host and port, its H2 database and log in `dir` (also
 * its working directory: Quarkus reads more settings from `dir`/config/application.properties).
 */
export function startRegistryProcess(
  proc: ManagedProcess,
  runnerJar: string,
  dir: string,
  url: URL,
  database = 'db',
): number {
  return startDetached(
    proc,
    'java',
    [
      '-Xms128m',
      '-Xmx512m',
      `-Dlooper.stack.dir=${dir}`,
      `-Dquarkus.http.host=${url.hostname}`,
      `-Dquarkus.http.port=${url.port || '80'}`,
      '-Dquarkus.management.enabled=false',
      `-Dapicurio.datasource.url=jdbc:h2:file:${join(dir, database, 'registry')}`,
      '-jar',
      runnerJar,
    ],
    dir,
  );
}

/**
 * The stack's registry; with `secured`, it asks every request for HTTP basic auth as that user, and
 * keeps its schemas in a database of its own (db-secure), as the secured broker keeps its topics.
 */
export function createSchemaRegistry(
  config: LooperConfig,
  secured: Pick<SecuredStack, 'registryUser'> | null = null,
): StackComponent {
  const paths = stackPaths(config.dataDir);
  const version = pinnedVersion('apicurio.version');
  const runnerJar = registryRunnerJar(config.dataDir);
  const distDir = dirname(runnerJar);
  const dir = componentDir(paths, 'schema-registry');
  const proc = registryProcess(dir);
  const url = new URL(config.schemaRegistryUrl);

  async function healthy(): Promise<boolean> {
    const response = await fetch(`${config.schemaRegistryUrl}/subjects`, {
      headers: registryAuthHeaders(config),
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  }

  async function download(log: Log): Promise<void> {
    log(`schema-registry: fetching Apicurio Registry ${version} (first run only)`);
    const archiveDir = join(paths.downloads, 'archives');
    mkdirSync(archiveDir, { recursive: true });
    await runMaven({
      component: 'schema-registry',
      goalArgs: [
        'dependency:copy',
        `-Dartifact=io.apicurio:apicurio-registry-app:${version}:tar.gz:all`,
        `-DoutputDirectory=${archiveDir}`,
      ],
      mavenRepo: join(paths.mavenRepo, 'registry'),
      logFile: proc.logFile,
      log,
    });
    mkdirSync(distDir, { recursive: true });
    const archive = join(archiveDir, `apicurio-registry-app-${version}-all.tar.gz`);
    const code = await runLogged('tar', ['-xzf', archive, '-C', distDir], proc.logFile);
    if (code !== 0 || !existsSync(runnerJar)) {
      throw new StackError(
        'schema-registry',
        `unpacking ${archive} failed (exit ${code}) or it holds no ${runnerJar}`,
        proc.logFile,
      );
    }
  }

  async function start(log: Log): Promise<void> {
    if (!isLoopbackHost(url.hostname) || url.pathname !== ccompatPath) {
      throw new StackError(
        'schema-registry',
        `${config.schemaRegistryUrl} does not answer, and the local stack only starts a registry at http://127.0.0.1:<port>${ccompatPath}; check LOOPER_SCHEMA_REGISTRY_URL`,
        null,
      );
    }
    mkdirSync(dir, { recursive: true });
    if (!existsSync(runnerJar) || readdirSync(distDir).length === 0) await download(log);
    // Quarkus reads more settings from config/application.properties in its working folder.
    const settings = join(dir, 'config', 'application.properties');
    if (secured === null) rmSync(settings, { force: true });
    else {
      mkdirSync(dirname(settings), { recursive: true });
      writeFileSync(settings, registryAuthProperties(secured.registryUser.username, secured.registryUser.password), {
        mode: 0o600,
      });
      chmodSync(settings, 0o600);
    }
    const pid = startRegistryProcess(proc, runnerJar, dir, url, secured === null ? 'db' : 'db-secure');
    const outcome = await waitFor(
      () => healthy(),
      startTimeoutMs,
      () => runningPid(proc) === pid,
    );
    if (outcome !== 'ready') {
      throw new StackError(
        'schema-registry',
        outcome === 'exited'
          ? `Apicurio Registry exited while starting (java -jar ${runnerJar}):\n${lastLines(proc.logFile, 8)}`
          : `Apicurio Registry did not answer at ${config.schemaRegistryUrl}/subjects within ${startTimeoutMs / 1000} s`,
        proc.logFile,
      );
    }
  }

  return {
    name: 'schema-registry',
    address: config.schemaRegistryUrl,
    logFile: proc.logFile,
    healthy: () => healthy().catch(() => false),
    managedPid: () => runningPid(proc),
    start,
    stop: () => stopProcess(proc),
  };
}
