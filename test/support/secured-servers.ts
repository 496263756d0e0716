// A Kafka broker with a SASL_SSL listener and an Apicurio Registry with HTTP basic auth, each a
// second copy started from the jars the local stack fetched (deploy/local), in a folder of the
// test's own: for secured-kafka.test.ts. The shared stack's servers are never touched.
import { execFileSync, spawnSync } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatKafkaStorage,
  kafkaLibs,
  kafkaProcess,
  kafkaServerProperties,
  startKafkaBroker,
  type SaslSslListener,
} from '../../deploy/local/kafka.js';
import { registryProcess, registryRunnerJar, startRegistryProcess } from '../../deploy/local/schema-registry.js';
import { findNatsServer } from '../../deploy/local/nats.js';
import type { ManagedProcess } from '../../deploy/local/processes.js';
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

export interface Certificates {
  /** The CA (PEM) that signed the server certificate: what clients trust. */
  readonly ca: string;
  /** PKCS12 keystore with the server's key and its certificate for 127.0.0.1 and localhost. */
  readonly keystore: string;
  readonly keystorePassword: string;
}

/** A CA, and a server certificate for 127.0.0.1 it signs, made with openssl in `dir`. */
export function makeCertificates(dir: string): Certificates {
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=looper-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
  );
  writeFileSync(
    at('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    at('server.ext'),
    '-out',
    at('server.pem'),
  );
  const keystorePassword = randomBytes(12).toString('hex');
  openssl(
    'pkcs12',
    '-export',
    '-in',
    at('server.pem'),
    '-inkey',
    at('server.key'),
    '-name',
    'broker',
    '-out',
    at('server.p12'),
    '-passout',
    `pass:${keystorePassword}`,
  );
  return { ca: at('ca.pem'), keystore: at('server.p12'), keystorePassword };
}

/**
 * A SCRAM-SHA-512 credential for `kafka-storage format --add-scram`, given salted (PBKDF2, as
 * SCRAM stores it) so that the password itself is on no command line.
 */
export function scramCredential(name: string, password: string): string {
  const salt = randomBytes(16);
  const iterations = 8192;
  const salted = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `SCRAM-SHA-512=[name=${name},iterations=${iterations},salt="${salt.toString('base64')}",saltedpassword="${salted.toString('base64')}"]`;
}

/** A free loopback port whose successor is free too: the broker's listener and its controller's. */
export async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await tryListen(port + 1)) !== null) return port;
  }
}

export interface StartedServer {
  readonly proc: ManagedProcess;
  readonly pid: number;
}

export interface SecuredKafkaOptions {
  readonly dataDir: string;
  readonly dir: string;
  readonly port: number;
  readonly certificates: Certificates;
  /** The SCRAM users (name → password) created when the storage is formatted; `broker` is the broker's own. */
  readonly users: Readonly<Record<string, string>>;
}

/** Formats and starts a single-node KRaft broker whose only client listener is SASL_SSL (SCRAM-SHA-512). */
export async function startSecuredKafka(options: SecuredKafkaOptions): Promise<StartedServer> {
  const { dir, certificates, users } = options;
  const brokerPassword = users['broker'];
  if (brokerPassword === undefined) throw new Error('startSecuredKafka needs a SCRAM user named broker');
  mkdirSync(dir, { recursive: true });
  const listener: SaslSslListener = {
    mechanism: 'SCRAM-SHA-512',
    keystore: certificates.keystore,
    keystorePassword: certificates.keystorePassword,
    truststore: certificates.ca,
    interBroker: { username: 'broker', password: brokerPassword },
  };
  const propertiesFile = join(dir, 'server.properties');
  // Mode 600: it holds the broker's own SCRAM password and the keystore's.
  writeFileSync(propertiesFile, kafkaServerProperties('127.0.0.1', options.port, join(dir, 'data'), listener), {
    mode: 0o600,
  });
  const proc = kafkaProcess(dir, propertiesFile);
  const libs = kafkaLibs(options.dataDir);
  const scram = Object.entries(users).flatMap(([name, password]) => ['--add-scram', scramCredential(name, password)]);
  await formatKafkaStorage(libs, propertiesFile, proc.logFile, scram);
  return { proc, pid: startKafkaBroker(proc, libs, propertiesFile, dir) };
}

export interface SecuredRegistryOptions {
  readonly dataDir: string;
  readonly dir: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
}

/**
 * Starts Apicurio with HTTP basic auth against Quarkus's embedded user realm (a properties file in
 * its working folder, so the password is on no command line): anonymous requests get 401.
 */
export function startSecuredRegistry(options: SecuredRegistryOptions): StartedServer & { url: string } {
  const { dir, username, password } = options;
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(
    join(dir, 'config', 'application.properties'),
    [
      'quarkus.http.auth.basic=true',
      'quarkus.security.users.embedded.enabled=true',
      'quarkus.security.users.embedded.plain-text=true',
      `quarkus.security.users.embedded.users.${username}=${password}`,
      `quarkus.security.users.embedded.roles.${username}=sr-admin`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const url = `http://127.0.0.1:${options.port}/apis/ccompat/v7`;
  const proc = registryProcess(dir);
  return { proc, pid: startRegistryProcess(proc, registryRunnerJar(options.dataDir), dir, new URL(url)), url };
}
