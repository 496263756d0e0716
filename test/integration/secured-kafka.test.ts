// Kafka SASL/TLS and registry basic auth on real servers (issue #22), as security.test.ts does for
// NATS, brought up as a user would: `looper stack up --secure` (deploy/local/secure.ts) on a data
// folder of the test's own, from the jars the shared stack fetched, on ports of its own:
// - a second Kafka broker (KRaft, one node) whose only client listener is SASL_SSL: SCRAM-SHA-512
//   over TLS, with a CA and server certificate made with openssl and the SCRAM users created when
//   the storage is formatted. The broker reaches itself (inter-broker) on that same SASL_SSL
//   listener as user `broker`; only its controller listener is PLAINTEXT, on 127.0.0.1.
// - a second Apicurio Registry 3.0.9 (the stack's registry, reached at /apis/ccompat/v7) with HTTP
//   basic auth. Apicurio supports it by configuration, without an identity server: Quarkus's
//   embedded user realm (quarkus.http.auth.basic, quarkus.security.users.embedded.*), so no proxy.
// - a plain nats-server: decide and outcome requests go to the predictors of a queue group, and on
//   the shared NATS another test's predictor could take one and write it to the shared Kafka.
// The predictor and the joiner run under superviseServices with the settings the stack wrote
// (client.env: the passwords from files, the CA from LOOPER_KAFKA_TLS_CA); `looper stack status`
// and `looper stack down` find them through the stack's record that it runs secured.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { compileConfig, type LooperConfig } from '../../services/lib/config.js';
import { KafkaRefusedError } from '../../services/lib/errors.js';
import { createKafkaClient, producerDefaults, readTopicToEnd } from '../../services/lib/kafka.js';
import { connectOrExplain } from '../../services/lib/kafka-refusal.js';
import { pollUntil } from '../../services/lib/poll.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { noSecurity } from '../../services/lib/security-config.js';
import type { Decision, Example } from '../../services/lib/schemas/generated.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { createTopicCodec, type TopicCodec } from '../../services/lib/topic-codec.js';
import { LooperClient } from '../../services/sdk/index.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics, topics, type TopicSpec } from '../../topology/topics.js';
import { stackStatus } from '../../deploy/local/stack.js';
import { stackPaths } from '../../deploy/local/paths.js';
import { ensureSecuredStack, stackMode } from '../../deploy/local/secure.js';
import { freePort } from '../support/ports.js';
import { looper } from '../support/cli.js';
import { serviceLogFile } from '../support/service-log.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { freePortPair, securedServersMissing } from '../support/secured-servers.js';

const WRONG_PASSWORD = `wrong-${randomBytes(9).toString('hex')}-never-logged`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const missing = securedServersMissing(testConfig.dataDir);

describe('secured Kafka and registry', { timeout: 300_000, skip: missing ?? false }, () => {
  const name = uniqueName('secured_kafka');
  const dir = mkdtempSync(join(tmpdir(), 'looper-secured-kafka-'));
  const logs: string[] = [];
  const serviceLog = serviceLogFile('secured-kafka');
  const log = (line: string) => {
    logs.push(line);
    serviceLog.write(line);
  };
  /** The test's own stack: its folder and ports, no security settings (the stack adds its own). */
  let stackEnv: NodeJS.ProcessEnv;
  let stackStarted = false;
  let supervisor: Supervisor | undefined;
  let env: NodeJS.ProcessEnv;
  let config: LooperConfig;
  let kafka: Kafka;
  let admin: Admin | undefined;
  let registry: SchemaRegistry;
  let codec: TopicCodec;
  /** The secrets the stack made: none may appear in a log line. */
  let secrets: string[] = [];
  let kafkaPassword = '';
  let registryPassword = '';
  /** The record of `topic` about `decisionId`, read from the secured broker with SASL over TLS. */
  const recordOf = async <T extends { decisionId: string }>(topic: TopicSpec, decisionId: string) => {
    for (const { message } of await readTopicToEnd(kafka, topic.name)) {
      const record = await codec.decode<T>(topic, message.value!);
      if (record.decisionId === decisionId) return record;
    }
    return undefined;
  };

  before(async () => {
    const began = Date.now();
    const dataDir = join(dir, 'looper-data');
    // The jars the shared stack fetched, so that nothing is downloaded again.
    mkdirSync(dataDir, { recursive: true });
    symlinkSync(stackPaths(testConfig.dataDir).downloads, stackPaths(dataDir).downloads);
    const [kafkaPort, registryPort, natsPort] = [await freePortPair(), await freePort(), await freePort()];
    stackEnv = { ...process.env, LOOPER_OPS_PORT: '0' };
    for (const key of Object.keys(stackEnv))
      if (/^LOOPER_(KAFKA_(SASL|TLS)|SCHEMA_REGISTRY_(USER|PASS))/.test(key)) delete stackEnv[key];
    Object.assign(stackEnv, {
      LOOPER_DATA_DIR: dataDir,
      LOOPER_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
      LOOPER_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
      LOOPER_NATS_URL: `nats://127.0.0.1:${natsPort}`,
    });
    stackStarted = true;
    const up = await looper(['stack', 'up', '--secure'], stackEnv);
    assert.equal(up.code, 0, `looper stack up --secure:\n${up.out}`);
    assert.match(up.out, /the stack is secured: Kafka takes SASL_SSL \(SCRAM-SHA-512 as looper\) only/);
    assert.equal(stackMode(dataDir), 'secure');
    console.log(`# looper stack up --secure: ready ${seconds(Date.now() - began)} after the test began`);

    const secured = ensureSecuredStack(dataDir);
    kafkaPassword = secured.kafkaUsers['looper']!;
    registryPassword = secured.registryUser.password;
    secrets = [...Object.values(secured.kafkaUsers), registryPassword, secured.keystorePassword];
    env = { ...stackEnv, ...secured.clientEnv };
    config = compileConfig(env, homedir());
    kafka = createKafkaClient(config, { clientId: 'looper-test', onLog: () => undefined });
    admin = kafka.admin();
    await admin.connect();
    registry = createSchemaRegistryClient(config);
    await applyTopology(admin, registry, allTopics);
    codec = await createTopicCodec(registry, allTopics);
    const bp = parseBlueprintYaml(`
blueprint: ${name}
task: classification
entity: user
features: { context: [{ name: hour, type: int }] }
label: { window: 10m }
decision: { policy: threshold, threshold: 0.5, actions: [send, skip], default: skip }
`);
    assert.ok(bp.ok);
    await registerBlueprint({ kafka, registry }, bp.blueprint);
    supervisor = superviseServices(['predictor', 'joiner'], { env, log });
    console.log(`# ready to test ${seconds(Date.now() - began)} after the test began`);
  });

  after(async () => {
    await supervisor?.stop();
    serviceLog.end();
    await admin?.disconnect();
    if (stackStarted) {
      const down = await looper(['stack', 'down'], stackEnv);
      if (down.code !== 0) console.log(`# looper stack down:\n${down.out}`);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('secured kafka - decisions asked over NATS reach looper.decisions on the SASL_SSL broker, and the joiner labels them', async () => {
    const client = await LooperClient.connect({ ...config, deadlineMs: 1000 });
    try {
      const decision = await pollUntil('the predictor to answer over the secured broker', 90_000, async () => {
        const reply = await client.decide(name, 'user-1', { hour: 9 }).catch(() => undefined);
        return reply?.decisionId ? reply : undefined;
      });
      assert.deepEqual([decision.blueprint, decision.fallback], [name, true], 'no model yet: a fallback answers');
      // Resolves once the predictor has the outcome on looper.outcomes of the secured broker.
      await client.outcome(decision.decisionId!, 1);

      const logged = await pollUntil('the decision on looper.decisions', 30_000, () =>
        recordOf<Decision>(topics.decisions, decision.decisionId!),
      );
      assert.deepEqual(
        [logged.blueprint, logged.entity, logged.action, logged.fallback],
        [name, 'user-1', decision.action, true],
      );
      const example = await pollUntil('the joiner to label the decision on looper.examples', 60_000, () =>
        recordOf<Example>(topics.examples, decision.decisionId!),
      );
      assert.deepEqual([example.blueprint, example.entity, example.label], [name, 'user-1', 1]);
    } finally {
      await client.close();
    }
  });

  it('secured kafka - a wrong password, no TLS, no CA or no SASL is refused with an error that names the setting', async () => {
    const brokers = config.kafkaBrokers.join(',');
    /** The error connecting, with `settings`, the producer every service connects first (runtime.ts). */
    const refusal = async (settings: Record<string, string>) => {
      const partial = compileConfig({ LOOPER_KAFKA_BROKERS: brokers, ...settings }, homedir());
      const producer = createKafkaClient(partial, { clientId: 'looper-test', onLog: () => undefined }).producer({
        ...producerDefaults,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      const error = await connectOrExplain(() => producer.connect(), partial).then(
        () => null,
        (e: unknown) => e,
      );
      await producer.disconnect().catch(() => undefined);
      assert.ok(error instanceof KafkaRefusedError, `${JSON.stringify(Object.keys(settings))}: ${String(error)}`);
      console.log(`# refused with ${Object.keys(settings).join(', ')}: ${error.message}`);
      return error.message;
    };
    const sasl = {
      LOOPER_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      LOOPER_KAFKA_SASL_USERNAME: 'looper',
      LOOPER_KAFKA_SASL_PASSWORD: kafkaPassword,
    };
    const ca = { LOOPER_KAFKA_TLS_CA: env['LOOPER_KAFKA_TLS_CA']! };
    // A predictor with a wrong password says so, and exits.
    const refusedLogs: string[] = [];
    const wrong: NodeJS.ProcessEnv = {
      ...env,
      LOOPER_KAFKA_SASL_PASSWORD: WRONG_PASSWORD,
      LOOPER_INSTANCE: 'wrong-password',
    };
    delete wrong['LOOPER_KAFKA_SASL_PASSWORD_FILE'];
    const refused = superviseServices(['predictor'], {
      env: wrong,
      log: (line) => {
        refusedLogs.push(line);
        log(line);
      },
      restart: false,
    });
    let messages: string[];
    try {
      messages = await Promise.all([
        refusal(sasl),
        refusal({ ...sasl, LOOPER_KAFKA_TLS: 'true' }),
        refusal(ca),
        pollUntil('the predictor with a wrong password to exit', 60_000, () =>
          refusedLogs.some((line) => line.startsWith('[supervisor] predictor exited')) ? '' : undefined,
        ),
      ]);
    } finally {
      await refused.stop();
    }
    const [noTls, noCa, noSasl] = messages;
    assert.ok(
      refusedLogs.some((line) =>
        line.includes(
          `KafkaRefusedError: Kafka at ${brokers} refused the SASL credentials of user looper (SCRAM-SHA-512): check LOOPER_KAFKA_SASL_USERNAME and LOOPER_KAFKA_SASL_PASSWORD`,
        ),
      ),
      refusedLogs.join('\n'),
    );
    assert.equal(
      noTls,
      `Kafka at ${brokers} closed the connection without answering: if its listener requires TLS, set LOOPER_KAFKA_TLS=true (and LOOPER_KAFKA_TLS_CA for a private CA)`,
    );
    assert.equal(
      noCa,
      `Kafka at ${brokers} presented a TLS certificate this client does not trust (unable to verify the first certificate): set LOOPER_KAFKA_TLS_CA to the CA (PEM file) that signed it`,
    );
    assert.equal(
      noSasl,
      `Kafka at ${brokers} closed the connection after the TLS handshake: if its listener requires SASL, set LOOPER_KAFKA_SASL_MECHANISM, LOOPER_KAFKA_SASL_USERNAME and LOOPER_KAFKA_SASL_PASSWORD`,
    );
  });

  it('secured registry - refuses requests without credentials or with a wrong password (401), and Looper says which setting', async () => {
    const subjects = `${config.schemaRegistryUrl}/subjects`;
    const status = async (authorization?: string) =>
      (await fetch(subjects, authorization ? { headers: { authorization } } : {})).status;
    assert.deepEqual(
      [await status(), await status(basic('looper', WRONG_PASSWORD)), await status(basic('looper', registryPassword))],
      [401, 401, 200],
    );
    const anonymous = createSchemaRegistryClient({
      ...config,
      security: { ...config.security, schemaRegistry: null },
    });
    await assert.rejects(createTopicCodec(anonymous, [topics.decisions]), (error: Error) => {
      assert.equal(
        error.message,
        'schema registry refused looper.decisions-value: HTTP 401, not authenticated: set LOOPER_SCHEMA_REGISTRY_USERNAME and LOOPER_SCHEMA_REGISTRY_PASSWORD to a user the registry accepts',
      );
      return true;
    });
  });

  it('secured kafka - looper stack status reaches the secured broker and registry through the settings the stack wrote', async () => {
    // As a user runs it after `looper stack up --secure`: no security setting of their own.
    const cli = await looper(['stack', 'status'], stackEnv);
    assert.equal(cli.code, 0, cli.out);
    assert.deepEqual(
      cli.out
        .split('\n')
        .filter((line) => /^(nats|kafka|schema-registry) /.test(line))
        .map((line) => line.split(/\s+/).slice(0, 2).join(' ')),
      ['nats healthy', 'kafka healthy', 'schema-registry healthy'],
    );
    const status = async (settings: LooperConfig) =>
      (await stackStatus(settings)).map((c) => `${c.name} ${c.healthy ? 'healthy' : 'down'}`);
    assert.deepEqual(await status(config), ['nats healthy', 'kafka healthy', 'schema-registry healthy']);
    assert.deepEqual(await status({ ...config, security: noSecurity }), [
      'nats healthy',
      'kafka down',
      'schema-registry down',
    ]);
  });

  it('secured kafka - no password appears in any log line of the services or of the secured stack', () => {
    assert.ok(logs.length > 0);
    assert.equal(
      secrets.length,
      4,
      'the looper and broker SCRAM passwords, the registry password, the keystore password',
    );
    assert.deepEqual(
      logs.filter((line) => [...secrets, WRONG_PASSWORD].some((s) => line.includes(s))),
      [],
    );
    // Kafka prints its whole configuration when it starts, the SASL and keystore settings among it.
    const stackLogs = ['kafka/kafka.log', 'schema-registry/registry.log'].map((file) =>
      join(stackPaths(env['LOOPER_DATA_DIR']!).run, file),
    );
    for (const file of stackLogs) {
      const text = readFileSync(file, 'utf8');
      assert.ok(text.length > 0, `${file} has lines`);
      assert.deepEqual(secrets.filter((secret) => text.includes(secret)).length, 0, `no secret in ${file}`);
    }
  });
});
