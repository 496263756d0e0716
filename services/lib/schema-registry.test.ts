import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registryAuthHeaders, registryReason } from './schema-registry.js';
import { noSecurity } from './security-config.js';

/** What the registry client throws for a refused call: its message, and the HTTP status. */
const responseError = (status: number, body = '') =>
  Object.assign(new Error(`looper - Error, status ${status}${body ? `: ${body}` : ''}`), { status });

test('registryReason - a 401 or 403 names the credential variables instead of the bare status', () => {
  assert.equal(
    registryReason(responseError(401)),
    'HTTP 401, not authenticated: set LOOPER_SCHEMA_REGISTRY_USERNAME and LOOPER_SCHEMA_REGISTRY_PASSWORD to a user the registry accepts',
  );
  assert.equal(
    registryReason(responseError(403)),
    "HTTP 403, not allowed: give the registry's user (LOOPER_SCHEMA_REGISTRY_USERNAME) a role that may do this",
  );
});

test("registryReason - other refusals are the registry's own message", () => {
  const body = JSON.stringify({ error_code: 409, message: 'Schema being registered is incompatible' });
  assert.equal(registryReason(responseError(409, body)), 'Schema being registered is incompatible');
  assert.equal(registryReason(new Error('socket hang up')), 'socket hang up');
});

test('registryAuthHeaders - basic auth from the registry credentials, and no header without them', () => {
  const schemaRegistry = { username: 'looper', password: 'pa:ss' };
  assert.deepEqual(registryAuthHeaders({ security: { ...noSecurity, schemaRegistry } }), {
    authorization: `Basic ${Buffer.from('looper:pa:ss').toString('base64')}`,
  });
  assert.deepEqual(registryAuthHeaders({ security: noSecurity }), {});
});
