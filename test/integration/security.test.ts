// Security on the real stack: a NATS server that requires TLS and a user/password, started by the
// test with a certificate it makes; the predictor connects with the password from a file and the
// CA from LOOPER_NATS_TLS_CA, answers decide requests from a client with the same settings, and
// refuses clients without them — and the password appears in no log line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { compileConfig, type LooperConfig } from '../../services/lib/config.js';
import { connectNats } from '../../services/lib/nats-connect.js';
import { pollUntil } from '../../services/lib/poll.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { LooperClient } from '../../services/sdk/index.js';
import { findNatsServer } from '../../deploy/local/nats.js';
import { uniqueName } from '../support/stack.js';
import { freePort } from '../support/ports.js';
import { connectTestClients, type TestClients } from '../support/clients.js';

const PASSWORD = `pw-${Math.random().toString(36).slice(2)}-never-logged`;

describe('security on the real stack', { timeout: 180_000 }, () => {
  const name = uniqueName('secured');
  const dir = mkdtempSync(join(tmpdir(), 'looper-security-'));
  let nats: ChildProcess | undefined;
  let supervisor: Supervisor | undefined;
  let clients: TestClients;
  let env: NodeJS.ProcessEnv;
  let config: LooperConfig;
  const logs: string[] = [];

  before(async () => {
    const binary = findNatsServer();
    assert.ok(binary, 'nats-server is not installed: looper stack up installs it (Debian package nats-server)');
    // One self-signed certificate for 127.0.0.1: the server's, and the CA the clients trust.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=looper-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'server.key'),
        '-out',
        join(dir, 'server.pem'),
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
    const port = await freePort();
    nats = spawn(
      binary,
      [
        '-a',
        '127.0.0.1',
        '-p',
        String(port),
        '--user',
        'looper',
        '--pass',
        PASSWORD,
        '--tls',
        '--tlscert',
        join(dir, 'server.pem'),
        '--tlskey',
        join(dir, 'server.key'),
      ],
      { stdio: 'ignore' },
    );
    env = {
      ...process.env,
      LOOPER_NATS_URL: `tls://127.0.0.1:${port}`,
      LOOPER_NATS_USER: 'looper',
      LOOPER_NATS_PASSWORD_FILE: join(dir, 'password'),
      LOOPER_NATS_TLS_CA: join(dir, 'server.pem'),
      LOOPER_OPS_PORT: '0',
    };
    config = compileConfig(env, homedir());
    await pollUntil('the authenticated NATS server to answer', 20_000, async () => {
      const nc = await connectNats(config, 'looper-test', { reconnect: false, timeout: 1000 }).catch(() => undefined);
      await nc?.close();
      return nc ? true : undefined;
    });

    clients = await connectTestClients();
    const bp = parseBlueprintYaml(`
blueprint: ${name}
task: classification
entity: user
features: { context: [{ name: hour, type: int }] }
label: { window: 30s }
decision: { policy: threshold, threshold: 0.5, actions: [send, skip], default: skip }
`);
    assert.ok(bp.ok);
    await registerBlueprint({ kafka: clients.kafka, registry: clients.registry }, bp.blueprint);
    supervisor = superviseServices(['predictor'], { env, log: (line) => logs.push(line) });
  });

  after(async () => {
    await supervisor?.stop();
    await clients?.close();
    nats?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('security - the predictor and a client with the password (from a file) and the CA decide over TLS', async () => {
    const client = await LooperClient.connect({ natsUrl: config.natsUrl, security: config.security, deadlineMs: 500 });
    try {
      const reply = await pollUntil('the predictor to answer over authenticated TLS', 60_000, async () => {
        const r = await client.decide(name, 'user-1', { hour: 9 }).catch(() => undefined);
        // Fallbacks explore too: an explored one answers a random action, not the default.
        return r?.decisionId && !r.explored ? r : undefined;
      });
      assert.deepEqual(
        [reply.blueprint, reply.action, reply.fallback],
        [name, 'skip', true],
        'no model yet: the default answers, over the secured connection',
      );
    } finally {
      await client.close();
    }
  });

  it('security - a client without the password, with a wrong one, or without the CA is refused with a clear error', async () => {
    const refused = async (settings: Record<string, string>) => {
      const partial = compileConfig({ LOOPER_NATS_URL: config.natsUrl, ...settings }, homedir());
      const error = await connectNats(partial, 'looper-test', { reconnect: false, timeout: 3000 }).then(
        async (nc) => {
          await nc.close();
          return null;
        },
        (e: unknown) => e as Error,
      );
      assert.ok(error, `connected with ${JSON.stringify(Object.keys(settings))}`);
      console.log(`# refused with ${Object.keys(settings).join(', ') || 'nothing'}: ${error.message}`);
      return error.message;
    };
    const ca = { LOOPER_NATS_TLS_CA: env['LOOPER_NATS_TLS_CA']! };
    assert.match(await refused(ca), /authorization violation/i);
    assert.match(
      await refused({ ...ca, LOOPER_NATS_USER: 'looper', LOOPER_NATS_PASSWORD: 'wrong' }),
      /authorization violation/i,
    );
    assert.match(
      await refused({ LOOPER_NATS_USER: 'looper', LOOPER_NATS_PASSWORD: PASSWORD }),
      /self[- ]signed certificate|unable to verify|certificate/i,
    );
  });

  it('security - the password appears in no log line of the predictor', () => {
    assert.ok(logs.length > 0);
    assert.deepEqual(
      logs.filter((line) => line.includes(PASSWORD)),
      [],
    );
  });
});
