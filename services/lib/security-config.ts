// Credentials and TLS for NATS, Kafka and the schema registry, read from the environment: each
// secret from its variable or, with the _FILE suffix, from a file (a mounted secret), never from a
// blueprint or the command line. Problems name the variables, never the values, so a secret can
// not leak through an error message or a log.

/** How a service authenticates to NATS; at most one of user/password, token, credentials file, nkey seed. */
export type NatsAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'userPassword'; readonly user: string; readonly password: string }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'credentials'; readonly credentials: string }
  | { readonly kind: 'nkey'; readonly seed: string };

export interface TlsFiles {
  /** PEM text of the CA that signed the server's certificate; null: the system's CAs. */
  readonly ca: string | null;
  /** PEM client certificate and key, for mutual TLS; null when not used. */
  readonly cert: string | null;
  readonly key: string | null;
}

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface SecuritySettings {
  readonly nats: { readonly auth: NatsAuth; readonly tls: TlsFiles | null };
  readonly kafka: {
    readonly sasl: {
      readonly mechanism: KafkaSaslMechanism;
      readonly username: string;
      readonly password: string;
    } | null;
    readonly tls: TlsFiles | null;
  };
  readonly schemaRegistry: { readonly username: string; readonly password: string } | null;
}

export const noSecurity: SecuritySettings = {
  nats: { auth: { kind: 'none' }, tls: null },
  kafka: { sasl: null, tls: null },
  schemaRegistry: null,
};

export const securityVariables = {
  natsUser: 'LOOPER_NATS_USER',
  natsPassword: 'LOOPER_NATS_PASSWORD',
  natsToken: 'LOOPER_NATS_TOKEN',
  natsCredentials: 'LOOPER_NATS_CREDS',
  natsNkeySeed: 'LOOPER_NATS_NKEY_SEED',
  natsTls: 'LOOPER_NATS_TLS',
  natsTlsCa: 'LOOPER_NATS_TLS_CA',
  natsTlsCert: 'LOOPER_NATS_TLS_CERT',
  natsTlsKey: 'LOOPER_NATS_TLS_KEY',
  kafkaSaslMechanism: 'LOOPER_KAFKA_SASL_MECHANISM',
  kafkaSaslUsername: 'LOOPER_KAFKA_SASL_USERNAME',
  kafkaSaslPassword: 'LOOPER_KAFKA_SASL_PASSWORD',
  kafkaTls: 'LOOPER_KAFKA_TLS',
  kafkaTlsCa: 'LOOPER_KAFKA_TLS_CA',
  kafkaTlsCert: 'LOOPER_KAFKA_TLS_CERT',
  kafkaTlsKey: 'LOOPER_KAFKA_TLS_KEY',
  registryUsername: 'LOOPER_SCHEMA_REGISTRY_USERNAME',
  registryPassword: 'LOOPER_SCHEMA_REGISTRY_PASSWORD',
} as const;

/** The variable that names a file holding `variable`'s secret, e.g. LOOPER_KAFKA_SASL_PASSWORD_FILE. */
export const secretFileVariable = (variable: string): string => `${variable}_FILE`;

type Env = Readonly<Record<string, string | undefined>>;
export type ReadFile = (path: string) => string;

const MECHANISMS: readonly KafkaSaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export function compileSecurity(env: Env, problems: string[], readFile: ReadFile): SecuritySettings {
  /** A value from VAR, or from the file named by VAR_FILE (trailing newline dropped); both set is a problem. */
  const secret = (variable: string): string | null => {
    const direct = env[variable]?.trim() || undefined;
    const file = env[secretFileVariable(variable)]?.trim() || undefined;
    if (direct !== undefined && file !== undefined) {
      problems.push(`${variable} and ${variable}_FILE are both set; keep one`);
      return null;
    }
    if (file === undefined) return direct ?? null;
    try {
      const text = readFile(file).replace(/\r?\n$/, '');
      if (text === '') problems.push(`${variable}_FILE: ${file} is empty`);
      return text;
    } catch (error) {
      problems.push(`${variable}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return null;
    }
  };
  /** PEM text from a file path given in VAR. */
  const pem = (variable: string): string | null => {
    const path = env[variable]?.trim();
    if (!path) return null;
    try {
      return readFile(path);
    } catch (error) {
      problems.push(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return null;
    }
  };
  const flag = (variable: string): boolean => {
    const value = env[variable]?.trim().toLowerCase();
    if (value === undefined || value === '' || value === 'false' || value === '0') return false;
    if (value === 'true' || value === '1') return true;
    problems.push(`${variable}: "${env[variable]}" is not true or false`);
    return false;
  };
  const tls = (on: string, ca: string, cert: string, key: string): TlsFiles | null => {
    const files = { ca: pem(ca), cert: pem(cert), key: pem(key) };
    if ((files.cert === null) !== (files.key === null))
      problems.push(`${cert} and ${key} go together: set both for a client certificate, or neither`);
    return flag(on) || files.ca !== null || files.cert !== null ? files : null;
  };

  const v = securityVariables;
  const user = env[v.natsUser]?.trim() || null;
  const password = secret(v.natsPassword);
  const token = secret(v.natsToken);
  const credentialsPath = env[v.natsCredentials]?.trim() || null;
  const seed = secret(v.natsNkeySeed);
  if ((user === null) !== (password === null))
    problems.push(`${v.natsUser} and ${v.natsPassword} go together: set both, or neither`);
  const chosen = [
    user !== null || password !== null ? v.natsUser : null,
    token !== null ? v.natsToken : null,
    credentialsPath !== null ? v.natsCredentials : null,
    seed !== null ? v.natsNkeySeed : null,
  ].filter((x) => x !== null);
  if (chosen.length > 1)
    problems.push(`NATS takes one way to authenticate, but ${chosen.join(', ')} are all set; keep one`);
  let credentials: string | null = null;
  if (credentialsPath !== null) {
    try {
      credentials = readFile(credentialsPath);
    } catch (error) {
      problems.push(
        `${v.natsCredentials}: cannot read ${credentialsPath} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
  }
  const auth: NatsAuth =
    user !== null && password !== null
      ? { kind: 'userPassword', user, password }
      : token !== null
        ? { kind: 'token', token }
        : credentials !== null
          ? { kind: 'credentials', credentials }
          : seed !== null
            ? { kind: 'nkey', seed }
            : { kind: 'none' };

  const mechanismText = env[v.kafkaSaslMechanism]?.trim().toLowerCase() || null;
  const saslUser = env[v.kafkaSaslUsername]?.trim() || null;
  const saslPassword = secret(v.kafkaSaslPassword);
  let sasl: SecuritySettings['kafka']['sasl'] = null;
  if (mechanismText !== null || saslUser !== null || saslPassword !== null) {
    if (mechanismText !== null && !MECHANISMS.includes(mechanismText as KafkaSaslMechanism)) {
      problems.push(`${v.kafkaSaslMechanism}: "${env[v.kafkaSaslMechanism]}" is not one of ${MECHANISMS.join(', ')}`);
    } else if (saslUser === null || saslPassword === null) {
      problems.push(
        `Kafka SASL needs ${v.kafkaSaslUsername} and ${v.kafkaSaslPassword} (or ${v.kafkaSaslPassword}_FILE)`,
      );
    } else {
      sasl = {
        mechanism: (mechanismText as KafkaSaslMechanism | null) ?? 'plain',
        username: saslUser,
        password: saslPassword,
      };
    }
  }

  const registryUser = env[v.registryUsername]?.trim() || null;
  const registryPassword = secret(v.registryPassword);
  if ((registryUser === null) !== (registryPassword === null))
    problems.push(`${v.registryUsername} and ${v.registryPassword} go together: set both, or neither`);

  return {
    nats: { auth, tls: tls(v.natsTls, v.natsTlsCa, v.natsTlsCert, v.natsTlsKey) },
    kafka: { sasl, tls: tls(v.kafkaTls, v.kafkaTlsCa, v.kafkaTlsCert, v.kafkaTlsKey) },
    schemaRegistry:
      registryUser !== null && registryPassword !== null
        ? { username: registryUser, password: registryPassword }
        : null,
  };
}
