// A product in Java with a NATS client and nothing else (examples/java), built with mvn and run
// with java as its README says. Its product events are published with Kafka's own
// kafka-console-producer (org.apache.kafka.tools.ConsoleProducer, from the stack's jars), not with
// Looper's code. Against the real stack: the features service counts those events, every decision
// the example prints is on looper.decisions with that count, every outcome it saw acknowledged is on
// looper.outcomes, and the joiner labels those decisions 1. Against a NATS server of this file's own, where the test plays the predictor:
// with nobody answering or past its deadline it falls back; an outcome refused as `unavailable` is
// asked again until acknowledged or its time is up, and one refused for another reason is not.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, type NatsConnection } from 'nats';
import { readTopicToEnd } from '../../services/lib/kafka.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { pollUntil } from '../../services/lib/poll.js';
import { subjects } from '../../services/lib/names.js';
import type { Decision, Example, Outcome } from '../../services/lib/schemas/generated.js';
import { findNatsServer } from '../../deploy/local/nats.js';
import { topics, type TopicSpec } from '../../topology/topics.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { startSharedServices, type SharedServices } from '../support/services.js';
import { waitForPredictor } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { groupLag } from '../support/loop.js';
import { consumerGroups } from '../../services/lib/names.js';
import { kafkaLibs } from '../../deploy/local/kafka.js';

const run = promisify(execFile);
const javaDir = fileURLToPath(new URL('../../examples/java/', import.meta.url));
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const onPath = (command: string) =>
  (process.env['PATH'] ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
const absent = ['mvn', 'java'].filter((command) => !onPath(command));
const skip = absent.length > 0 && `${absent.join(' and ')} not installed: the Java example cannot be built or run`;

/** One line the example prints per decision. */
interface Printed {
  entity: string;
  decisionId: string | null;
  action: string;
  score: number | null;
  fallback: boolean;
  fallbackReason: string | null;
  acknowledged: boolean;
}

/**
 * Builds examples/java into `buildDir` and returns its jar: offline from ~/.m2 when every
 * dependency and plugin is there, else once from Maven Central.
 */
async function buildJavaExample(buildDir: string): Promise<string> {
  const args = ['-B', '-q', 'package', `-Dlooper.build.dir=${buildDir}`];
  try {
    await run('mvn', ['-o', ...args], { cwd: javaDir });
  } catch {
    try {
      await run('mvn', args, { cwd: javaDir });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`mvn package in examples/java failed (is Maven Central reachable?):\n${stdout}${stderr}`, {
        cause: error,
      });
    }
  }
  return join(buildDir, 'looper-java-example.jar');
}

/** Runs the example's jar with LOOPER_NATS_URL at `natsUrl`: its exit code, printed lines and stderr. */
function runJava(
  jar: string,
  args: string[],
  natsUrl: string,
): Promise<{ code: number; lines: Printed[]; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-jar', jar, ...args], {
      env: { ...process.env, LOOPER_NATS_URL: natsUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => {
      const lines = stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Printed);
      resolve({ code: code ?? 1, lines, stdout, stderr });
    });
  });
}

/**
 * Publishes `lines` (key|value) to `topic` with Kafka's own kafka-console-producer, run from the
 * stack's jars as `kafka-console-producer.sh` runs it.
 */
async function consoleProduce(topic: string, lines: readonly string[]): Promise<void> {
  const child = spawn(
    'java',
    [
      '-cp',
      `${kafkaLibs(testConfig.dataDir)}/*`,
      'org.apache.kafka.tools.ConsoleProducer',
      ...['--bootstrap-server', testConfig.kafkaBrokers.join(',')],
      ...['--topic', topic],
      ...['--property', 'parse.key=true', '--property', 'key.separator=|'],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  child.stdin.end(`${lines.join('\n')}\n`);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  assert.equal(code, 0, `kafka-console-producer exited ${code}:\n${output}`);
}

describe('a Java client over NATS', { timeout: 240_000, skip }, () => {
  const name = uniqueName('java_client');
  const eventsTopic = uniqueName('java_opens');
  const buildDir = mkdtempSync(join(tmpdir(), 'looper-java-'));
  let jar: string;
  let clients: TestClients;
  let services: SharedServices | undefined;
  /** A NATS server of this file's own, on which the test plays the predictor. */
  let privateServer: ChildProcess | undefined;
  let privateUrl: string;
  let privateNats: NatsConnection | undefined;

  /** The records of `topic` since `since`, decoded, by decision id; waits until `ids` all have one. */
  const recordsOf = async <T extends { decisionId: string }>(
    topic: TopicSpec,
    since: number,
    ids: readonly string[],
    what: string,
  ): Promise<Map<string, T>> => {
    let found = new Map<string, T>();
    try {
      return await pollUntil(
        what,
        60_000,
        async () => {
          found = new Map();
          for (const { message } of await readTopicToEnd(clients.kafka, topic.name, 30_000, since)) {
            if (!message.value) continue;
            const record = await clients.codec.decode<T>(topic, message.value);
            if (ids.includes(record.decisionId)) found.set(record.decisionId, record);
          }
          return ids.every((id) => found.has(id)) ? found : undefined;
        },
        1000,
      );
    } catch (error) {
      const missing = ids.filter((id) => !found.has(id));
      assert.fail(`${(error as Error).message}: ${missing.length} of ${ids.length} missing (${missing.join(', ')})`);
    }
  };

  before(async () => {
    // The build runs while the services start.
    const built = buildJavaExample(buildDir);
    built.catch(() => undefined);
    clients = await connectTestClients();
    const admin = clients.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: eventsTopic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const bp = parseBlueprintYaml(`
blueprint: ${name}
task: classification
entity: user
features:
  context: [{ name: hour, type: int }]
  streams: [{ name: opens_1h, topic: ${eventsTopic}, aggregate: count, window: 1h }]
# a short window: the decisions without an outcome become examples (label 0) 5 s later
label: { window: 5s, missing: 0 }
# argmax: no exploration, so every decision before a model is the default (skip)
decision: { policy: argmax, actions: [send, skip], default: skip, deadline: 1s }
`);
    assert.ok(bp.ok, bp.ok ? '' : JSON.stringify(bp.problems));
    await registerBlueprint({ kafka: clients.kafka, registry: clients.registry }, bp.blueprint);
    services = startSharedServices(['features', 'predictor', 'joiner'], 'java-client');

    const binary = findNatsServer();
    assert.ok(binary, 'nats-server is not installed: looper stack up installs it (Debian package nats-server)');
    const port = await freePort();
    privateUrl = `nats://127.0.0.1:${port}`;
    privateServer = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    privateNats = await pollUntil('the test NATS server to answer', 20_000, () =>
      connect({ servers: privateUrl, reconnect: false }),
    );

    await services.ready('features');
    await services.ready('predictor');
    await services.ready('joiner');
    await waitForPredictor(name, { hour: 9 });
    jar = await built;
  });

  after(async () => {
    await privateNats?.close();
    privateServer?.kill('SIGTERM');
    await services?.stop();
    await clients?.close();
    rmSync(buildDir, { recursive: true, force: true });
  });

  it('java client - with events from kafka-console-producer counted, its decisions are on looper.decisions, its acknowledged outcomes on looper.outcomes, and the joiner labels those decisions 1', async () => {
    // Record timestamps are the producer's clock, this machine's: a second's margin.
    const since = Date.now() - 1000;
    // Three opens of user-java-0 and one of user-java-1, keyed by the user, as JSON lines.
    const opens = { 'user-java-0': 3, 'user-java-1': 1 };
    await consoleProduce(
      eventsTopic,
      Object.entries(opens).flatMap(([user, n]) =>
        Array.from({ length: n }, (_, i) => `${user}|${JSON.stringify({ screen: 'home', n: i })}`),
      ),
    );
    const admin = clients.kafka.admin();
    await admin.connect();
    try {
      await pollUntil('the features service to count the events', 60_000, async () =>
        (await groupLag(admin, consumerGroups.features, [eventsTopic])) === 0 ? true : undefined,
      );
    } finally {
      await admin.disconnect();
    }
    const count = 6;
    // A 1 s deadline: a busy machine's slow reply is still Looper's, not a fallback made in Java.
    const result = await runJava(
      jar,
      [name, String(count), '{"hour": 9}', '--deadline-ms', '1000'],
      testConfig.natsUrl,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(
      result.lines.map((l) => [l.entity, l.action, l.fallback, l.fallbackReason, l.acknowledged]),
      Array.from({ length: count }, (_, i) => [`user-java-${i}`, 'skip', true, 'no_model', true]),
      result.stdout,
    );
    const ids = result.lines.map((l) => l.decisionId!);
    for (const id of ids) assert.match(id, UUID);

    const decisions = await recordsOf<Decision>(
      topics.decisions,
      since,
      ids,
      `the Java client's decisions on ${topics.decisions.name}`,
    );
    for (const line of result.lines) {
      const d = decisions.get(line.decisionId!)!;
      assert.deepEqual([d.blueprint, d.entity, d.action], [name, line.entity, line.action]);
      assert.equal(
        d.features['opens_1h'],
        opens[line.entity as keyof typeof opens] ?? 0,
        `${line.entity}'s opens_1h: the events kafka-console-producer published`,
      );
    }
    const outcomes = await recordsOf<Outcome>(
      topics.outcomes,
      since,
      ids,
      `the Java client's outcomes on ${topics.outcomes.name}`,
    );
    for (const id of ids) assert.equal(outcomes.get(id)!.value, 1, `the outcome of ${id}`);
    const examples = await recordsOf<Example>(
      topics.examples,
      since,
      ids,
      `the joiner's examples of the Java client's decisions on ${topics.examples.name}`,
    );
    for (const line of result.lines) {
      const e = examples.get(line.decisionId!)!;
      assert.deepEqual(
        [e.blueprint, e.entity, e.action, e.label, e.labelSource],
        [name, line.entity, line.action, 1, 'outcome'],
      );
    }
  });

  it("java client - an error reply's code and message go to stderr and it exits 1", async () => {
    const unknown = await runJava(
      jar,
      [`${name}_missing`, '2', '{"hour": 9}', '--deadline-ms', '1000'],
      testConfig.natsUrl,
    );
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, '');
    assert.match(
      unknown.stderr,
      new RegExp(
        `^looper-java-example: decide ${name}_missing for user-java-0: unknown_blueprint: no blueprint "${name}_missing" is registered`,
      ),
    );
    const badContext = await runJava(jar, [name, '2', '{"hour": "nine"}', '--deadline-ms', '1000'], testConfig.natsUrl);
    assert.equal(badContext.code, 1);
    assert.equal(
      badContext.stderr,
      `looper-java-example: decide ${name} for user-java-0: bad_context: context.hour: "nine" is not an int\n`,
    );
    const usage = await runJava(jar, [name, 'many'], testConfig.natsUrl);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^looper-java-example: <count> must be a positive whole number, not "many"\nusage: /);
  });

  it('java client - with no predictor it falls back to the action given at once, and without one exits 1 saying so', async () => {
    const fellBack = await runJava(jar, ['nobody_here', '2', '--fallback', 'skip'], privateUrl);
    assert.equal(fellBack.code, 0, fellBack.stderr);
    assert.deepEqual(
      fellBack.lines.map((l) => [l.entity, l.decisionId, l.action, l.fallback, l.fallbackReason, l.acknowledged]),
      [
        ['user-java-0', null, 'skip', true, 'unreachable', false],
        ['user-java-1', null, 'skip', true, 'unreachable', false],
      ],
    );
    const refused = await runJava(jar, ['nobody_here', '2'], privateUrl);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      "looper-java-example: decide nobody_here for user-java-0: unreachable: no predictor answers looper.decide.nobody_here: start Looper's services (npx looper up), and no fallback action is known: pass one\n",
    );
  });

  it('java client - past its deadline it falls back; an outcome refused as unavailable is asked again until acknowledged or its time is up, one refused otherwise is not', async () => {
    const nats = privateNats!;
    // Never answers: every decide waits out its deadline.
    nats.subscribe(subjects.decide('silent'));
    // Answers each entity with a decision of its own id.
    const idOf = new Map<string, string>();
    nats.subscribe(subjects.decide('served'), {
      callback: (_, msg) => {
        const { entity } = JSON.parse(decoder.decode(msg.data)) as { entity: string };
        const decisionId = idOf.get(entity) ?? randomUUID();
        idOf.set(entity, decisionId);
        const reply = { decisionId, blueprint: 'served', version: 1, model: null, family: null, score: 0.75 };
        msg.respond(encoder.encode(JSON.stringify({ ...reply, action: 'send', propensity: 1, fallback: false })));
      },
    });
    // user-java-0's outcome: unavailable twice, then acknowledged; user-java-1's: refused; user-java-2's: never taken.
    const asked = new Map<string, number>();
    nats.subscribe(subjects.outcome, {
      callback: (_, msg) => {
        const { decisionId } = JSON.parse(decoder.decode(msg.data)) as { decisionId: string };
        const n = (asked.get(decisionId) ?? 0) + 1;
        asked.set(decisionId, n);
        const error = (code: string, message: string) => ({ ok: false, error: { code, message } });
        const reply =
          decisionId === idOf.get('user-java-0')
            ? n <= 2
              ? error('unavailable', 'Kafka did not acknowledge the outcome within 5 s')
              : { ok: true }
            : decisionId === idOf.get('user-java-1')
              ? error('bad_request', 'decisionId is not a decision id')
              : error('unavailable', 'Kafka did not acknowledge the outcome within 5 s');
        msg.respond(encoder.encode(JSON.stringify(reply)));
      },
    });
    await nats.flush();

    const late = await runJava(jar, ['silent', '1', '--deadline-ms', '200', '--fallback', 'skip'], privateUrl);
    assert.equal(late.code, 0, late.stderr);
    assert.deepEqual(
      late.lines.map((l) => [l.decisionId, l.action, l.fallbackReason]),
      [[null, 'skip', 'unreachable']],
    );

    const served = await runJava(jar, ['served', '3', '--outcome-retry-ms', '1000'], privateUrl);
    assert.equal(served.code, 1);
    assert.deepEqual(
      served.lines.map((l) => [l.entity, l.decisionId, l.action, l.score, l.fallback, l.acknowledged]),
      [
        ['user-java-0', idOf.get('user-java-0'), 'send', 0.75, false, true],
        ['user-java-1', idOf.get('user-java-1'), 'send', 0.75, false, false],
        ['user-java-2', idOf.get('user-java-2'), 'send', 0.75, false, false],
      ],
    );
    assert.equal(
      served.stderr,
      `looper-java-example: outcome of ${idOf.get('user-java-1')}: bad_request: decisionId is not a decision id\n` +
        `looper-java-example: outcome of ${idOf.get('user-java-2')}: unavailable: Kafka did not acknowledge the outcome within 5 s\n`,
    );
    assert.equal(asked.get(idOf.get('user-java-0')!), 3, 'asked again twice after unavailable');
    assert.equal(asked.get(idOf.get('user-java-1')!), 1, 'a refusal is not asked again');
    // Waits 100, 200, 400 ms between tries, and gives up when the next wait would end past 1 s:
    // four tries at most, and at least two however slow the replies.
    const tries = asked.get(idOf.get('user-java-2')!) ?? 0;
    assert.ok(tries >= 2 && tries <= 4, `asked ${tries} times before --outcome-retry-ms was up`);
  });
});
