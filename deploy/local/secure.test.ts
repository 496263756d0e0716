import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileConfig } from '../../services/lib/config.js';
import {
  clearStackMode,
  ensureSecuredStack,
  recordStackMode,
  registryAuthProperties,
  securedStackEnv,
  stackMode,
} from './secure.js';

describe('secured local stack', () => {
  it('secured stack - makes its certificates and passwords once, readable by their owner only, and the same on every later call', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'looper-secure-'));
    try {
      const first = ensureSecuredStack(dataDir);
      const again = ensureSecuredStack(dataDir);
      assert.deepEqual(again, first, 'read, not made again');
      const dir = join(dataDir, 'stack', 'secure');
      for (const file of ['kafka-password', 'broker-password', 'registry-password', 'keystore-password', 'client.env'])
        assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
      assert.match(readFileSync(first.ca, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
      assert.deepEqual(Object.keys(first.kafkaUsers).sort(), ['broker', 'looper']);
      assert.notEqual(first.kafkaUsers['looper'], first.kafkaUsers['broker']);
      assert.match(first.registryUser.password, /^[0-9a-f]{36}$/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('secured stack - its client settings compile to SCRAM-SHA-512 over TLS with its CA, and basic auth to the registry, the passwords from files', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'looper-secure-'));
    try {
      const stack = ensureSecuredStack(dataDir);
      const fileLines = readFileSync(stack.clientEnvFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'));
      assert.deepEqual(
        fileLines,
        Object.entries(stack.clientEnv).map(([k, v]) => `${k}=${v}`),
      );
      const config = compileConfig(stack.clientEnv, '/home/user');
      assert.deepEqual(config.security.kafka.sasl, {
        mechanism: 'scram-sha-512',
        username: 'looper',
        password: stack.kafkaUsers['looper'],
      });
      assert.equal(config.security.kafka.tls?.ca, readFileSync(stack.ca, 'utf8'));
      assert.deepEqual(config.security.schemaRegistry, {
        username: 'looper',
        password: stack.registryUser.password,
      });
      assert.ok(
        Object.values(stack.clientEnv).every((v) => !v.includes(stack.kafkaUsers['looper']!)),
        'no password in the settings themselves',
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('secured stack - its settings apply only while the stack runs secured', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'looper-secure-'));
    try {
      assert.equal(stackMode(dataDir), null);
      assert.equal(securedStackEnv(dataDir), null);
      recordStackMode(dataDir, 'open');
      assert.equal(securedStackEnv(dataDir), null);
      recordStackMode(dataDir, 'secure');
      assert.equal(securedStackEnv(dataDir)?.['LOOPER_KAFKA_SASL_MECHANISM'], 'scram-sha-512');
      clearStackMode(dataDir);
      assert.equal(securedStackEnv(dataDir), null);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('secured stack - the registry asks for basic auth against its embedded realm, the user an admin', () => {
    assert.equal(
      registryAuthProperties('looper', 'pw'),
      [
        'quarkus.http.auth.basic=true',
        'quarkus.security.users.embedded.enabled=true',
        'quarkus.security.users.embedded.plain-text=true',
        'quarkus.security.users.embedded.users.looper=pw',
        'quarkus.security.users.embedded.roles.looper=sr-admin',
        '',
      ].join('\n'),
    );
  });
});
