import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileConfig } from './config.js';
import { ConfigError } from './errors.js';
import { natsConnectionOptions } from './nats-connect.js';

const files: Record<string, string> = {
  '/run/secrets/nats': 's3cret\n',
  '/run/secrets/kafka': 'k-pass',
  '/run/secrets/empty': '',
  '/etc/looper/ca.pem': '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  '/etc/looper/client.pem': 'CERT',
  '/etc/looper/client.key': 'KEY',
  '/etc/looper/looper.creds': '-----BEGIN NATS USER JWT-----\n...\n',
};
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};
const compile = (env: Record<string, string>) => compileConfig(env, '/home/ada', readFile);
const problems = (env: Record<string, string>): string[] => {
  try {
    compile(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  throw new Error('expected a ConfigError');
};

test('security - nothing set: no credentials, no TLS', () => {
  const { security } = compile({});
  assert.deepEqual(security, {
    nats: { auth: { kind: 'none' }, tls: null },
    kafka: { sasl: null, tls: null },
    schemaRegistry: null,
  });
});

test('security - a secret comes from its variable or from the file its _FILE variable names, trailing newline dropped', () => {
  assert.deepEqual(
    compile({ LOOPER_NATS_USER: 'looper', LOOPER_NATS_PASSWORD_FILE: '/run/secrets/nats' }).security.nats.auth,
    { kind: 'userPassword', user: 'looper', password: 's3cret' },
  );
  assert.deepEqual(compile({ LOOPER_NATS_TOKEN: 't0ken' }).security.nats.auth, { kind: 'token', token: 't0ken' });
  assert.deepEqual(compile({ LOOPER_NATS_CREDS: '/etc/looper/looper.creds' }).security.nats.auth, {
    kind: 'credentials',
    credentials: files['/etc/looper/looper.creds'],
  });
});

test("security - Kafka SASL and TLS, and registry basic auth, pass through to the clients' settings", () => {
  const { security } = compile({
    LOOPER_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    LOOPER_KAFKA_SASL_USERNAME: 'svc',
    LOOPER_KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka',
    LOOPER_KAFKA_TLS_CA: '/etc/looper/ca.pem',
    LOOPER_SCHEMA_REGISTRY_USERNAME: 'reg',
    LOOPER_SCHEMA_REGISTRY_PASSWORD: 'reg-pass',
  });
  assert.deepEqual(security.kafka, {
    sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'k-pass' },
    tls: { ca: files['/etc/looper/ca.pem'], cert: null, key: null },
  });
  assert.deepEqual(security.schemaRegistry, { username: 'reg', password: 'reg-pass' });
  assert.deepEqual(
    compile({ LOOPER_KAFKA_TLS: 'true' }).security.kafka.tls,
    { ca: null, cert: null, key: null },
    "TLS with the system's CAs",
  );
});

test('security - NATS connection options carry the credentials and the TLS files', () => {
  const config = compile({
    LOOPER_NATS_URL: 'tls://nats.example:4222',
    LOOPER_NATS_USER: 'looper',
    LOOPER_NATS_PASSWORD: 'pw',
    LOOPER_NATS_TLS_CA: '/etc/looper/ca.pem',
    LOOPER_NATS_TLS_CERT: '/etc/looper/client.pem',
    LOOPER_NATS_TLS_KEY: '/etc/looper/client.key',
  });
  assert.deepEqual(natsConnectionOptions(config, 'looper-test'), {
    servers: ['tls://nats.example:4222'],
    name: 'looper-test',
    noAsyncTraces: true,
    user: 'looper',
    pass: 'pw',
    tls: { ca: files['/etc/looper/ca.pem'], cert: 'CERT', key: 'KEY' },
  });
  assert.equal(typeof natsConnectionOptions(compile({ LOOPER_NATS_TOKEN: 't' }), 'x').token, 'string');
  // A cluster: several of its servers, comma-separated.
  assert.deepEqual(natsConnectionOptions(compile({ LOOPER_NATS_URL: 'nats://a:4222, nats://b:4222' }), 'x').servers, [
    'nats://a:4222',
    'nats://b:4222',
  ]);
});

test('security - every problem is named by its variables, and no message contains a secret', () => {
  const env = {
    LOOPER_NATS_USER: 'looper',
    LOOPER_NATS_TOKEN: 'tok-SECRET-1',
    LOOPER_KAFKA_SASL_MECHANISM: 'gssapi',
    LOOPER_KAFKA_SASL_PASSWORD: 'kafka-SECRET-2',
    LOOPER_SCHEMA_REGISTRY_PASSWORD: 'reg-SECRET-3',
    LOOPER_NATS_NKEY_SEED_FILE: '/run/secrets/missing',
    LOOPER_KAFKA_TLS_CERT: '/etc/looper/client.pem',
    LOOPER_NATS_TLS: 'yes',
  };
  const found = problems(env);
  assert.deepEqual(found, [
    'LOOPER_NATS_NKEY_SEED_FILE: cannot read /run/secrets/missing (ENOENT)',
    'LOOPER_NATS_USER and LOOPER_NATS_PASSWORD go together: set both, or neither',
    'NATS takes one way to authenticate, but LOOPER_NATS_USER, LOOPER_NATS_TOKEN are all set; keep one',
    'LOOPER_KAFKA_SASL_MECHANISM: "gssapi" is not one of plain, scram-sha-256, scram-sha-512',
    'LOOPER_SCHEMA_REGISTRY_USERNAME and LOOPER_SCHEMA_REGISTRY_PASSWORD go together: set both, or neither',
    'LOOPER_NATS_TLS: "yes" is not true or false',
    'LOOPER_KAFKA_TLS_CERT and LOOPER_KAFKA_TLS_KEY go together: set both for a client certificate, or neither',
  ]);
  assert.ok(!found.join('\n').includes('SECRET'), 'no secret value in any message');
  assert.deepEqual(
    problems({ LOOPER_NATS_PASSWORD: 'a', LOOPER_NATS_PASSWORD_FILE: '/run/secrets/nats', LOOPER_NATS_USER: 'u' }),
    [
      'LOOPER_NATS_PASSWORD and LOOPER_NATS_PASSWORD_FILE are both set; keep one',
      'LOOPER_NATS_USER and LOOPER_NATS_PASSWORD go together: set both, or neither',
    ],
  );
  assert.deepEqual(
    problems({ LOOPER_KAFKA_SASL_PASSWORD_FILE: '/run/secrets/empty', LOOPER_KAFKA_SASL_USERNAME: 'u' }),
    ['LOOPER_KAFKA_SASL_PASSWORD_FILE: /run/secrets/empty is empty'],
  );
});
