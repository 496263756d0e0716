// What secured-kafka.test.ts needs before `looper stack up --secure` can run in a folder of its own:
// Java, the jars the shared stack fetched, nats-server; and a port whose successor is free (the
// broker's listener and its controller's).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { kafkaLibs } from '../../deploy/local/kafka.js';
import { registryRunnerJar } from '../../deploy/local/schema-registry.js';
import { findNatsServer } from '../../deploy/local/nats.js';
import { freePort, tryListen } from './ports.js';

/** Why the secured servers cannot run here (Java, the stack's jars or nats-server missing), or null. */
export function securedServersMissing(dataDir: string): string | null {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) return 'Java (17) is not on PATH';
  const libs = kafkaLibs(dataDir);
  if (!existsSync(libs) || readdirSync(libs).length === 0)
    return `the Kafka jars are not in ${libs} (\`looper stack up\` fetches them)`;
  const jar = registryRunnerJar(dataDir);
  if (!existsSync(jar)) return `Apicurio Registry is not at ${jar} (\`looper stack up\` fetches it)`;
  if (findNatsServer() === null) return 'nats-server is not installed (`looper stack up` installs it)';
  return null;
}

/** A free loopback port whose successor is free too: the broker's listener and its controller's. */
export async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await tryListen(port + 1)) !== null) return port;
  }
}
