// `looper stack up --secure`: the local Kafka with SASL_SSL as its only client listener (SCRAM-SHA-512
// over TLS) and the registry with HTTP basic auth (Quarkus's embedded user realm), so that Looper can
// be tried the way a production cluster runs it. NATS stays as it is (see docs/security.md for its
// own TLS and credentials).
//
// What the secured stack needs is made once under <data dir>/stack/secure, readable by its owner
// only: a CA and a server certificate for 127.0.0.1 (openssl), the SCRAM passwords of the user
// `looper` and of the broker itself, the registry's password, and client.env — the LOOPER_*
// settings a client needs. The stack records which way it runs (stack/mode): while it runs
// secured, looper's own commands and the services they start read client.env (services/cli/main.ts).
import { execFileSync } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretFileVariable, securityVariables } from '../../services/lib/security-config.js';
import { stackPaths } from './paths.js';

export type StackMode = 'open' | 'secure';

/** The user every client of the secured stack is, on Kafka and on the registry. */
export const SECURED_STACK_USER = 'looper';

export interface Certificates {
  /** The CA (PEM) that signed the server certificate: what clients trust. */
  readonly ca: string;
  /** PKCS12 keystore with the server's key and its certificate for 127.0.0.1 and localhost. */
  readonly keystore: string;
  readonly keystorePassword: string;
}

/** What the secured stack's servers are started with. */
export interface SecuredStack extends Certificates {
  /** SCRAM users (name → password) created when the broker's storage is formatted; `broker` is its own. */
  readonly kafkaUsers: Readonly<Record<string, string>>;
  readonly registryUser: { readonly username: string; readonly password: string };
  /** The LOOPER_* settings of a client (passwords by file). */
  readonly clientEnv: Readonly<Record<string, string>>;
  /** The file that holds them as KEY=value lines. */
  readonly clientEnvFile: string;
}

function secureDir(dataDir: string): string {
  return join(stackPaths(dataDir).run, 'secure');
}

function modeFile(dataDir: string): string {
  return join(stackPaths(dataDir).run, 'mode');
}

/** How the local stack was brought up; null when `looper stack down` stopped it (or it never ran). */
export function stackMode(dataDir: string): StackMode | null {
  const file = modeFile(dataDir);
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8').trim() === 'secure' ? 'secure' : 'open';
}

export function clearStackMode(dataDir: string): void {
  rmSync(modeFile(dataDir), { force: true });
}

export function recordStackMode(dataDir: string, mode: StackMode): void {
  mkdirSync(stackPaths(dataDir).run, { recursive: true });
  writeFileSync(modeFile(dataDir), `${mode}\n`);
}

/** A CA, and a server certificate for 127.0.0.1 and localhost it signs, made with openssl in `dir`, valid `days`. */
export function makeCertificates(dir: string, days = 1): Certificates {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const valid = ['-days', String(days)];
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    ...valid,
    '-subj',
    '/CN=looper-local-ca',
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
    ...valid,
    '-extfile',
    at('server.ext'),
    '-out',
    at('server.pem'),
  );
  const keystorePassword = randomBytes(12).toString('hex');
  // The password is read from a file, so that it is on no command line.
  writeFileSync(at('keystore-password'), keystorePassword, { mode: 0o600 });
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
    `file:${at('keystore-password')}`,
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

/** Quarkus's settings for HTTP basic auth against its embedded realm, with `username` as the registry's admin. */
export function registryAuthProperties(username: string, password: string): string {
  return [
    'quarkus.http.auth.basic=true',
    'quarkus.security.users.embedded.enabled=true',
    'quarkus.security.users.embedded.plain-text=true',
    `quarkus.security.users.embedded.users.${username}=${password}`,
    `quarkus.security.users.embedded.roles.${username}=sr-admin`,
    '',
  ].join('\n');
}

/** A client's settings for a SASL_SSL broker and a basic-auth registry, the passwords read from files. */
export function securedClientEnv(files: {
  readonly ca: string;
  readonly kafkaPassword: string;
  readonly registryPassword: string;
}): Record<string, string> {
  return {
    [securityVariables.kafkaSaslMechanism]: 'scram-sha-512',
    [securityVariables.kafkaSaslUsername]: SECURED_STACK_USER,
    [secretFileVariable(securityVariables.kafkaSaslPassword)]: files.kafkaPassword,
    [securityVariables.kafkaTlsCa]: files.ca,
    [securityVariables.registryUsername]: SECURED_STACK_USER,
    [secretFileVariable(securityVariables.registryPassword)]: files.registryPassword,
  };
}

/** The secured stack's material, made on first use (certificates valid a year), read after. */
export function ensureSecuredStack(dataDir: string): SecuredStack {
  const dir = secureDir(dataDir);
  const at = (name: string) => join(dir, name);
  const password = (name: string) => {
    if (!existsSync(at(name))) writeFileSync(at(name), `${randomBytes(18).toString('hex')}\n`, { mode: 0o600 });
    return readFileSync(at(name), 'utf8').trim();
  };
  // The passwords are kept whatever happens to the certificates: the secured broker's storage was
  // formatted with them.
  if (!existsSync(at('server.p12')) || !existsSync(at('keystore-password'))) makeCertificates(dir, 365);
  const files = { ca: at('ca.pem'), kafkaPassword: at('kafka-password'), registryPassword: at('registry-password') };
  const kafkaUsers = { [SECURED_STACK_USER]: password('kafka-password'), broker: password('broker-password') };
  const registryUser = { username: SECURED_STACK_USER, password: password('registry-password') };
  const clientEnv = securedClientEnv(files);
  const clientEnvFile = at('client.env');
  writeFileSync(
    clientEnvFile,
    `# The settings of a client of the secured local stack (looper stack up --secure).\n${Object.entries(clientEnv)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  return {
    ca: files.ca,
    keystore: at('server.p12'),
    keystorePassword: readFileSync(at('keystore-password'), 'utf8').trim(),
    kafkaUsers,
    registryUser,
    clientEnv,
    clientEnvFile,
  };
}

/** The client settings of the local stack while it runs secured; null when it runs open or was never secured. */
export function securedStackEnv(dataDir: string): Readonly<Record<string, string>> | null {
  return stackMode(dataDir) === 'secure' ? ensureSecuredStack(dataDir).clientEnv : null;
}
