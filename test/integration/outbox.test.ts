// The joiner's outbox against the real broker: a send that fails after the broker took its records
// (a timeout while it restarts) leaves them in the outbox, and the next drain must not produce them
// a second time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { createKafkaClient, producerDefaults, readTopicToEnd } from '../../services/lib/kafka.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { createTopicCodec } from '../../services/lib/topic-codec.js';
import { openRocksStore, type KeyValueStore } from '../../services/lib/store/rocks.js';
import { allTopics, topics } from '../../topology/topics.js';
import { openOutbox, outboxEntries } from '../../services/joiner/outbox.js';
import { exampleRecord } from '../../services/lib/joiner/test-records.js';
import type { Example } from '../../services/lib/schemas/generated.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';

describe('joiner outbox on the local broker', () => {
  const kafka = createKafkaClient(testConfig, { clientId: 'looper-test-outbox' });
  const dir = mkdtempSync(join(tmpdir(), 'looper-outbox-'));
  let store: KeyValueStore;
  let producer: Producer;

  before(async () => {
    await ensureStack();
    store = await openRocksStore(dir);
    producer = kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  after(async () => {
    await producer.disconnect();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('outbox - a send that failed after the broker took it is not produced again by the next drain', async () => {
    const startedAt = Date.now() - 1000;
    const codec = await createTopicCodec(createSchemaRegistryClient(testConfig), allTopics);
    const lines: string[] = [];
    // Sends for real, then fails once: the client's view of a request that timed out after the broker wrote it.
    let failNext = false;
    const flaky = {
      ...producer,
      send: async (record: Parameters<Producer['send']>[0]) => {
        const sent = await producer.send(record);
        if (failNext) {
          failNext = false;
          throw new Error('request timed out (the broker took the records)');
        }
        return sent;
      },
    } as Producer;
    const outbox = await openOutbox({ kafka, codec, log: (line) => lines.push(line) }, store, flaky);
    const blueprint = uniqueName('outbox');
    const examples = ['a', 'b', 'c'].map((n) =>
      exampleRecord({ exampleId: `${blueprint}-${n}`, decisionId: `${blueprint}-${n}`, blueprint }),
    );
    await store.write({ put: outboxEntries(examples, (e) => codec.encode(topics.examples, e)), del: [] });

    failNext = true;
    await assert.rejects(outbox.drain(), /timed out/);
    assert.equal(await outbox.drain(), 0, 'the next drain finds every entry on the topic and sends none');

    const ids: string[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.examples.name, 60_000, startedAt)) {
      const e = await codec.decode<Example>(topics.examples, message.value!);
      if (e.blueprint === blueprint) ids.push(e.exampleId);
    }
    assert.deepEqual(ids.sort(), examples.map((e) => e.exampleId).sort(), 'each example is on the topic once');
    assert.deepEqual(
      lines.filter((l) => l.startsWith('outbox check after a failed send')),
      ['outbox check after a failed send: 3 of 3 examples had already been produced; producing the rest'],
    );
  });

  it('outbox - a recovery drops what reached the topic and produces the rest', async () => {
    const startedAt = Date.now() - 1000;
    const codec = await createTopicCodec(createSchemaRegistryClient(testConfig), allTopics);
    const blueprint = uniqueName('outbox-recovery');
    const examples = ['sent', 'unsent'].map((n) =>
      exampleRecord({
        exampleId: `${blueprint}-${n}`,
        decisionId: `${blueprint}-${n}`,
        blueprint,
        decisionTs: Date.now(),
      }),
    );
    const entries = outboxEntries(examples, (e) => codec.encode(topics.examples, e));
    await store.write({ put: entries, del: [] });
    // The state a crash leaves: the first entry produced, the process gone before removing it.
    await producer.send({
      topic: topics.examples.name,
      messages: [{ key: blueprint, value: codec.encode(topics.examples, examples[0]!) }],
    });
    const lines: string[] = [];
    const outbox = await openOutbox({ kafka, codec, log: (line) => lines.push(line) }, store, producer);
    assert.equal(outbox.emitted(), 1, 'only the entry not on the topic is produced');
    const ids: string[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.examples.name, 60_000, startedAt)) {
      const e = await codec.decode<Example>(topics.examples, message.value!);
      if (e.blueprint === blueprint) ids.push(e.exampleId);
    }
    assert.deepEqual(ids.sort(), examples.map((e) => e.exampleId).sort(), 'each example is on the topic once');
    assert.deepEqual(lines, [
      'outbox check after a restart or a new assignment: 1 of 2 examples had already been produced; producing the rest',
    ]);
  });
});
