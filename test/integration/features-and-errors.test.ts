// The services' behaviour on bad input and on an empty disk, against the real stack:
// decide error replies, Avro product events, dead letters, late events, and a features store
// rebuilt from its changelog.
import { requestFeatures } from '../../services/lib/features-client.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { serviceStateDir } from '../../services/lib/service-paths.js';
import { connect, type NatsConnection } from 'nats';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka } from 'kafkajs';
import { createKafkaClient, producerDefaults, readTopicToEnd } from '../../services/lib/kafka.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { createTopicCodec } from '../../services/lib/topic-codec.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics, topics } from '../../topology/topics.js';
import { subjects } from '../../services/lib/names.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { DecideError, LooperClient } from '../../services/sdk/index.js';
import type { Blueprint, DeadLetter, Metric } from '../../services/lib/schemas/generated.js';
import { summarizeLateness } from '../../services/lib/monitoring/lateness.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import { pollUntil } from '../../services/lib/poll.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A blueprint whose stream features read one Avro (or JSON) topic: a count and a mean of `amount`. */
function avroBlueprint(name: string, topic: string, format: 'avro' | 'json' = 'avro'): Blueprint {
  const yaml = readFileSync('examples/notification_send.yaml', 'utf8')
    .replace(/^blueprint: notification_send\b/m, `blueprint: ${name}`)
    .replace(
      /^ {2}streams:[\s\S]*?^label:/m,
      `  streams:\n    - { name: purchases_1d, topic: ${topic}, aggregate: count, window: 1d, format: ${format} }\n    - { name: amount_mean_1d, topic: ${topic}, field: amount, aggregate: mean, window: 1d, format: ${format} }\n\nlabel:`,
    );
  const result = parseBlueprintYaml(yaml);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

/** The message JSON.parse gives for `text`, which a bad_request reply quotes. */
function parseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} is JSON`);
}

/** A JSON object `{"a": {"a": ... 1}}` nested `depth` deep. */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('services on bad input and on an empty disk', { timeout: 300_000 }, () => {
  const name = uniqueName('avro');
  const topic = uniqueName('test.purchases');
  const jsonName = uniqueName('json');
  const jsonTopic = uniqueName('test.purchases_json');
  let kafka: Kafka;
  let admin: Admin;
  let nats: NatsConnection;
  let supervisor: Supervisor | undefined;
  let rebuilt: ChildProcess | undefined;
  const registry = createSchemaRegistryClient(testConfig);
  /** Ops server addresses by service, read from their logs (ephemeral ports). */
  const addresses = new Map<string, string>();

  const lookup = (entity: string) => requestFeatures(nats, name, entity, 6);
  /** The Avro schema of the purchases topic, registered for its value subject; its id. */
  const registerPurchaseSchema = async (): Promise<number> => {
    const schema = {
      type: 'record',
      name: 'Purchase',
      namespace: 'test',
      fields: [
        { name: 'amount', type: 'double' },
        { name: 'ts', type: 'long' },
      ],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: `${topic}-value` },
    );
    return id;
  };

  before(async () => {
    await ensureStack();
    kafka = createKafkaClient(testConfig, { clientId: 'looper-test' });
    admin = kafka.admin();
    await admin.connect();
    await applyTopology(admin, registry, allTopics);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 6 },
        { topic: jsonTopic, numPartitions: 6 },
      ],
    });
    await registerBlueprint({ kafka, registry }, avroBlueprint(name, topic));
    await registerBlueprint({ kafka, registry }, avroBlueprint(jsonName, jsonTopic, 'json'));
    nats = await connect({ servers: testConfig.natsUrl });
    supervisor = superviseServices(['features', 'predictor'], {
      env: { ...process.env, LOOPER_OPS_PORT: '0' },
      log: (line) => {
        const m = /^\[(\w+)\] ops server on (http:\/\/\S+)/.exec(line);
        if (m) addresses.set(m[1]!, m[2]!);
        if (process.env['LOOPER_TEST_SERVICE_LOG']) console.log(`# ${line}`);
      },
    });
  });

  const rebuiltInstance = uniqueName('rebuilt');

  after(async () => {
    if (rebuilt && rebuilt.exitCode === null) {
      rebuilt.kill('SIGTERM');
      await new Promise((resolve) => rebuilt!.once('exit', resolve));
    }
    rmSync(serviceStateDir(testConfig.dataDir, 'features', rebuiltInstance), { recursive: true, force: true });
    await supervisor?.stop();
    await nats?.close();
    await admin?.deleteTopics({ topics: [topic, jsonTopic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('decide - an unknown blueprint, malformed JSON, a missing entity and a NaN-like context value each get an error reply', async () => {
    const client = await LooperClient.connect({ ...testConfig, deadlineMs: 500 });
    await pollUntil('the predictor', 60_000, async () => (await client.decide(name, 'u1', {})).decisionId ?? undefined);
    await assert.rejects(client.decide('no_such_blueprint', 'u1', {}), (error: unknown) => {
      assert.ok(error instanceof DecideError);
      assert.equal(error.code, 'unknown_blueprint');
      assert.match(error.message, /no blueprint "no_such_blueprint" is registered/);
      return true;
    });
    await assert.rejects(
      client.decide(name, '', {}),
      (error: unknown) => error instanceof DecideError && error.code === 'missing_entity',
    );
    const raw = async (body: string) =>
      JSON.parse(
        decoder.decode((await nats.request(subjects.decide(name), encoder.encode(body), { timeout: 2000 })).data),
      );
    assert.equal((await raw('{"entity": ')).error.code, 'bad_request');
    assert.deepEqual((await raw('{"entity": "u1", "context": {"hour": 1e999}}')).error, {
      code: 'bad_context',
      message: 'context.hour: Infinity is not an int',
    });
    assert.deepEqual((await raw('{"entity": "u1", "context": {"hour": 24}}')).error, {
      code: 'bad_context',
      message:
        'context.hour: 24 is outside [0, 24): the blueprint declares hour cyclic with period 24, and models read it on a circle where 24 is 0 again; send a value from 0 up to, not including, 24',
    });
    await client.close();
  });

  it('decide - 1 MB and 10 MB bodies, NaN and Infinity, a context 10,000 deep, a 100 KB entity, a 10,000-character key and prototype keys each get their reply, and the predictor carries on', async () => {
    const request = async (body: string | Uint8Array) =>
      JSON.parse(
        decoder.decode(
          (
            await nats.request(subjects.decide(name), typeof body === 'string' ? encoder.encode(body) : body, {
              timeout: 5000,
            })
          ).data,
        ),
      ) as { error?: { code: string; message: string }; decisionId?: string; action?: string };
    await pollUntil('the predictor', 60_000, async () => (await request('{"entity": "u1"}')).action);
    const refusal = async (body: string | Uint8Array) => (await request(body)).error;
    const decided = async (body: string) => {
      const reply = await request(body);
      assert.equal(reply.error, undefined, JSON.stringify(reply.error));
      assert.ok(reply.action === 'send' || reply.action === 'skip', JSON.stringify(reply));
    };

    // The server's max_payload is NATS's default, 1 MiB: 1 MB reaches the predictor, 10 MB never leaves the client.
    assert.equal(nats.info?.max_payload, 1024 * 1024);
    const oneMb = `{"entity": "u1", "context": {"note": "${'x'.repeat(1_000_000 - 41)}"}}`;
    assert.equal(encoder.encode(oneMb).length, 1_000_000);
    assert.deepEqual(await refusal(oneMb), {
      code: 'bad_request',
      message: 'the request is 1000000 bytes, over the 524288-byte limit: send only the declared context',
    });
    await assert.rejects(
      async () => nats.request(subjects.decide(name), new Uint8Array(10_000_000), { timeout: 5000 }),
      (error: unknown) => (error as { code?: string }).code === 'MAX_PAYLOAD_EXCEEDED',
    );

    for (const token of ['NaN', 'Infinity', '-Infinity']) {
      const body = `{"entity": "u1", "context": {"hour": ${token}}}`;
      assert.deepEqual(await refusal(body), {
        code: 'bad_request',
        message: `the request is not JSON (${parseError(body)}); send {"entity": "...", "context": {...}}`,
      });
    }

    assert.deepEqual(await refusal(`{"entity": "u1", "context": {"hour": ${nestedJson(10_000)}}}`), {
      code: 'bad_context',
      message: 'context.hour: {"a":{"a":{"a":{…}}}} is not an int',
    });
    await decided(`{"entity": "u1", "context": {"hour": 3, "extra": ${nestedJson(10_000)}}}`);

    assert.deepEqual(await refusal(JSON.stringify({ entity: 'e'.repeat(100 * 1024), context: { hour: 3 } })), {
      code: 'bad_request',
      message:
        "entity is 102400 characters, over the 256-character limit of an entity id: send the user's id, not its data",
    });

    await decided(JSON.stringify({ entity: 'u1', context: { ['k'.repeat(10_000)]: 1, hour: 3 } }));
    await decided(
      '{"entity": "u1", "context": {"__proto__": {"hour": 99, "polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": {"polluted": true}, "hour": 3}}',
    );
    assert.deepEqual(await refusal('{"__proto__": {"entity": "u1"}}'), {
      code: 'missing_entity',
      message: 'entity is missing: every decide names the user it is about',
    });
    await decided('{"entity": "u1", "context": {"hour": 3, "platform": "ios"}}');
  });

  it('outcomes - a 1 MB body, NaN and prototype keys each get their reply on looper.outcome', async () => {
    const id = randomUUID();
    const outcome = async (body: string) =>
      JSON.parse(
        decoder.decode((await nats.request(subjects.outcome, encoder.encode(body), { timeout: 10_000 })).data),
      ) as { ok: boolean; error?: { code: string; message: string } };
    const shape = '{"decisionId": "...", "value": 1}';
    const oneMb = `{"decisionId": "${id}", "value": 1, "note": "${'x'.repeat(1_000_000 - 78)}"}`;
    assert.equal(encoder.encode(oneMb).length, 1_000_000);
    assert.deepEqual(await outcome(oneMb), {
      ok: false,
      error: { code: 'bad_request', message: `the request is 1000000 bytes, over the 65536-byte limit; send ${shape}` },
    });
    const nan = `{"decisionId": "${id}", "value": NaN}`;
    assert.deepEqual(await outcome(nan), {
      ok: false,
      error: { code: 'bad_request', message: `the request is not JSON (${parseError(nan)}); send ${shape}` },
    });
    assert.deepEqual(await outcome(`{"decisionId": "${id}", "__proto__": {"value": 1}}`), {
      ok: false,
      error: { code: 'bad_value', message: 'value is missing: send a number, e.g. 1 for a click' },
    });
    assert.deepEqual(await outcome(`{"decisionId": "${id}", "value": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`), {
      ok: false,
      error: { code: 'bad_value', message: 'value must be a number, not [[[[…]]]]' },
    });
    assert.deepEqual(
      await outcome(
        `{"decisionId": "${id}", "value": 1, "constructor": {"prototype": {"polluted": true}}, "prototype": 1, "__proto__": {"ts": "x"}}`,
      ),
      { ok: true },
    );
  });

  it('features - JSON events with prototype keys, a 100 KB key or a value 10,000 deep go to looper.dlq with their reasons, and the good events around them count', async () => {
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    const started = Date.now();
    const send = async (value: string, key = 'buyer-3') =>
      producer.send({ topic: jsonTopic, acks: -1, messages: [{ key, value }] });
    const proto = `{"__proto__": {"amount": 50}, "constructor": {"prototype": {"amount": 60}}, "prototype": {"amount": 70}, "ts": ${started}}`;
    await send(`{"amount": 5, "ts": ${started}}`);
    await send(proto);
    await send(`{"amount": 1, "ts": ${started}}`, 'k'.repeat(100 * 1024));
    await send(`{"amount": ${nestedJson(10_000)}, "ts": ${started}}`);
    await send(`{"amount": 15, "ts": ${started}}`);
    const values = await pollUntil('the good JSON purchases in the features', 90_000, async () => {
      const v = (await requestFeatures(nats, jsonName, 'buyer-3', 6)).values?.[0];
      return v?.['purchases_1d'] === 4 ? v : undefined;
    });
    // The prototype-keyed and the deep event are purchases (counted) without a readable amount.
    assert.deepEqual([values['purchases_1d'], values['amount_mean_1d']], [4, 10]);

    const codec = await createTopicCodec(registry, allTopics);
    const letters = await pollUntil('the JSON dead letters', 30_000, async () => {
      const found: DeadLetter[] = [];
      for (const { message } of await readTopicToEnd(kafka, topics.deadLetters.name, 30_000, started - 1000)) {
        const letter = await codec.decode<DeadLetter>(topics.deadLetters, message.value!);
        if (letter.sourceTopic === jsonTopic) found.push(letter);
      }
      return found.length >= 3 ? found : undefined;
    });
    const seen = letters.map((l) => `${l.errorCode}: ${l.reason.replace(/ \(feature spec [^)]+\)$/, '')}`).sort();
    assert.deepEqual(seen, [
      'missing_field: field "amount" is missing in the event',
      'too_long: the record key is 102400 characters, over the 256-character limit of an entity id',
      'wrong_type: field "amount" is a record, not a number',
    ]);
    const protoLetter = letters.find((l) => l.errorCode === 'missing_field')!;
    assert.equal(protoLetter.payload.toString(), proto);
    assert.ok(letters.every((l) => l.service === 'features' && / \(feature spec [^)]+\)$/.test(l.reason)));
    await producer.disconnect();
  });

  it('features - Avro events count, a record that is not Avro goes to looper.dlq with its reason, and the consumer carries on', async () => {
    const id = await registerPurchaseSchema();
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    const send = async (value: Buffer) => producer.send({ topic, acks: -1, messages: [{ key: 'buyer-1', value }] });
    await send(await registry.encode(id, { amount: 10, ts: Date.now() }));
    await send(Buffer.from('{"amount": 99}'));
    await send(await registry.encode(id, { amount: 30, ts: Date.now() }));
    await pollUntil('both Avro purchases in the features', 90_000, async () => {
      const values = (await lookup('buyer-1')).values?.[0];
      return values?.['purchases_1d'] === 2 ? values : undefined;
    }).then((values) => assert.equal(values['amount_mean_1d'], 20));

    const codec = await createTopicCodec(registry, allTopics);
    const letters: DeadLetter[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.deadLetters.name)) {
      const letter = await codec.decode<DeadLetter>(topics.deadLetters, message.value!);
      if (letter.sourceTopic === topic) letters.push(letter);
    }
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.errorCode, 'bad_avro');
    assert.equal(letters[0]!.service, 'features');
    assert.match(letters[0]!.reason, /not Confluent wire-format Avro/);
    assert.equal(letters[0]!.payload.toString(), '{"amount": 99}');
    await producer.disconnect();
  });

  it('features - each kind of bad event gets its own dead letter, code and reason, and the good events around it still count', async () => {
    const id = await registerPurchaseSchema();
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    const send = async (value: Buffer, key: string | null = 'buyer-2') =>
      producer.send({ topic, acks: -1, messages: [{ key, value }] });
    const started = Date.now();
    await send(await registry.encode(id, { amount: 5, ts: started }));
    await send(Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 1, 2, 3])); // a schema id the registry never issued
    await send(Buffer.alloc(0));
    await send(await registry.encode(id, { amount: 7, ts: started }), null); // no key: no entity
    await send(await registry.encode(id, { amount: Number.NaN, ts: started }));
    await send(await registry.encode(id, { amount: 15, ts: started }));
    const values = await pollUntil('the good purchases in the features', 90_000, async () => {
      const v = (await lookup('buyer-2')).values?.[0];
      return v?.['amount_mean_1d'] === 10 ? v : undefined;
    });
    const codec = await createTopicCodec(registry, allTopics);
    const letters: DeadLetter[] = [];
    await pollUntil('the dead letters', 30_000, async () => {
      letters.length = 0;
      for (const { message } of await readTopicToEnd(kafka, topics.deadLetters.name, 30_000, started - 1000)) {
        const letter = await codec.decode<DeadLetter>(topics.deadLetters, message.value!);
        if (letter.sourceTopic === topic && letter.ts >= started) letters.push(letter);
      }
      return letters.length >= 4 ? true : undefined;
    });
    const seen = letters.map((l) => `${l.errorCode}: ${l.reason}`).sort();
    console.log(seen.map((l) => `# dead letter ${l}`).join('\n'));
    assert.deepEqual([...new Set(letters.map((l) => l.errorCode))].sort(), [
      'empty_event',
      'no_key',
      'unknown_schema_id',
      'wrong_type',
    ]);
    assert.ok(
      seen.some((l) => /^wrong_type: field "amount" is NaN, not a finite number/.test(l)),
      'the NaN amount is refused by the mean, with the field and the value',
    );
    assert.ok(
      letters.every((l) => l.service === 'features' && l.sourcePartition !== null && l.sourceOffset !== null),
      'each letter says where the record was',
    );
    // The mean skipped the NaN; the count counted that purchase, which did happen.
    assert.deepEqual([values['purchases_1d'], values['amount_mean_1d']], [3, 10]);
    await producer.disconnect();
  });

  it('features - under the default lateness an event 2 s behind its partition counts, one 60 s behind is dropped, and both are counted per feature', async () => {
    const started = Date.now();
    const id = await registerPurchaseSchema();
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    // One key, so one partition: the first event sets its watermark, the next two are behind it.
    const send = async (amount: number, ts: number) =>
      producer.send({
        topic,
        acks: -1,
        messages: [{ key: 'late-1', value: await registry.encode(id, { amount, ts }) }],
      });
    const now = Date.now();
    await send(10, now);
    await send(20, now - 2000); // a producer that warmed up a JVM before sending: 2 s behind
    await send(90, now - 60_000); // far beyond the 5 s default: dropped
    await producer.disconnect();

    const features = addresses.get('features');
    assert.ok(features, 'the features service logged its ops address');
    const sample = (text: string, feature: string, arrival: string) => {
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('looper_feature_events_total{') &&
            l.includes(`blueprint="${name}"`) &&
            l.includes(`feature="${feature}"`) &&
            l.includes(`arrival="${arrival}"`),
        );
      return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const counted = await pollUntil('the late events on the features /metrics', 90_000, async () => {
      const text = await (await fetch(`${features}/metrics`)).text();
      return sample(text, 'purchases_1d', 'late_dropped') === 1 && sample(text, 'amount_mean_1d', 'late_dropped') === 1
        ? text
        : undefined;
    });
    for (const feature of ['purchases_1d', 'amount_mean_1d']) {
      assert.equal(sample(counted, feature, 'late_applied'), 1, `${feature}: the 2 s late event, applied`);
      assert.equal(sample(counted, feature, 'late_dropped'), 1, `${feature}: the 60 s late event, dropped`);
      assert.match(
        counted,
        new RegExp(`^looper_feature_events_total\\{[^}]*topic="${topic.replaceAll('.', '\\.')}"`, 'm'),
      );
    }
    const values = (await lookup('late-1')).values?.[0];
    assert.deepEqual(
      [values?.['purchases_1d'], values?.['amount_mean_1d']],
      [2, 15],
      'the 2 s late purchase counts (and its amount), the 60 s late one does not',
    );

    // The same counts reach looper.metrics, where looper status and the monitor read them.
    const codec = await createTopicCodec(registry, allTopics);
    const reported = await pollUntil('the lateness reports on looper.metrics', 60_000, async () => {
      const records: Metric[] = [];
      for (const { message } of await readTopicToEnd(kafka, topics.metrics.name, 30_000, started - 1000)) {
        const m = await codec.decode<Metric>(topics.metrics, message.value!);
        if (m.blueprint === name) records.push(m);
      }
      const summary = summarizeLateness(records, 0);
      return summary.filter((f) => f.lateDropped === 1).length === 2 ? summary : undefined;
    });
    assert.deepEqual(
      reported.map((f) => [f.feature, f.topic, f.latenessMs, f.lateApplied, f.lateDropped]),
      [
        ['amount_mean_1d', topic, 5000, 1, 1],
        ['purchases_1d', topic, 5000, 1, 1],
      ],
    );
  });

  it('features - a new instance on an empty disk rebuilds its state from the changelog', async () => {
    const before = (await lookup('buyer-1')).values?.[0];
    await supervisor!.kill('features', false);
    rebuilt = spawn(process.execPath, ['--import', 'tsx', 'services/features/main.ts'], {
      env: { ...process.env, LOOPER_INSTANCE: rebuiltInstance },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    rebuilt.stdout!.on('data', (chunk) => (output += chunk));
    const after = await pollUntil(
      'the rebuilt instance to answer',
      120_000,
      async () => (await lookup('buyer-1')).values?.[0],
    );
    assert.match(output, /restored [1-9]\d* keys from \d+ changelog records/);
    assert.deepEqual(after, before);
  });
});
