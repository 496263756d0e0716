// The predictor's decision log on disk against the real broker: decisions answered while Kafka
// refused them go to disk, the process dies before they are sent, and the next process on the same
// folder sends them, each exactly once, in order per entity (the record key).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { createKafkaClient, producerDefaults, readTopicToEnd } from '../../services/lib/kafka.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { createTopicCodec } from '../../services/lib/topic-codec.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { pollUntil } from '../../services/lib/poll.js';
import { SegmentLog } from '../../services/lib/wal/segment-log.js';
import { decision as decisionOf } from '../../services/lib/joiner/test-records.js';
import type { Decision } from '../../services/lib/schemas/generated.js';
import { createDecisionLog, decisionLogDefaults } from '../../services/predictor/decision-log.js';
import { allTopics, topics } from '../../topology/topics.js';
import { loopBlueprint } from '../support/loop.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';

describe('decision log on disk against the local broker', () => {
  const kafka = createKafkaClient(testConfig, { clientId: 'looper-test-decision-wal' });
  const registry = createSchemaRegistryClient(testConfig);
  const dir = mkdtempSync(join(tmpdir(), 'looper-decision-wal-'));
  let producer: Producer;

  before(async () => {
    await ensureStack();
    producer = kafka.producer({ ...producerDefaults, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  after(async () => {
    await producer.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decision log - decisions Kafka refused, left on disk by a crash, reach looper.decisions exactly once, in order per entity', async () => {
    const startedAt = Date.now() - 1000;
    const codec = await createTopicCodec(registry, allTopics);
    // Registered, so that a joiner running meanwhile knows the blueprint at once (it waits a while for an unknown one).
    const { blueprint } = await registerBlueprint({ kafka, registry }, loopBlueprint(uniqueName('decision_wal')));
    const entities = ['a', 'b', 'c'].map((e) => `${blueprint.name}-${e}`);
    const decisions: Decision[] = Array.from({ length: 60 }, (_, i) =>
      decisionOf({
        decisionId: randomUUID(),
        blueprint: blueprint.name,
        blueprintVersion: blueprint.version,
        entity: entities[i % entities.length]!,
        ts: Date.now() + i,
      }),
    );
    const open = (lines: string[]) =>
      SegmentLog.open({ dir, maxBytes: 1 << 20, lockHint: 'one predictor a folder', log: (line) => lines.push(line) });

    // The outage, at the client (kafkajs's words for a broker that is down): every send refused; then
    // the crash: the process answers nothing more.
    let refused = 0;
    let crashed = false;
    const away = {
      async send() {
        if (crashed) return new Promise(() => {});
        refused++;
        throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
      },
    } as unknown as Producer;
    const firstLines: string[] = [];
    const first = createDecisionLog(
      { producer: away, codec, disk: await open(firstLines), metrics: new Registry(), log: (l) => firstLines.push(l) },
      { ...decisionLogDefaults, retryMs: 50 },
    );
    first.append(decisions[0]!);
    await pollUntil('the first send to be refused', 10_000, async () => (refused > 0 ? true : undefined));
    for (const d of decisions.slice(1)) first.append(d);
    crashed = true;
    assert.equal(first.logged(), 0);

    // The next process on the same folder, Kafka back.
    const lines: string[] = [];
    const disk = await open(lines);
    const second = createDecisionLog(
      { producer, codec, disk, metrics: new Registry(), log: (l) => lines.push(l) },
      decisionLogDefaults,
    );
    await second.flush();
    assert.equal(second.logged(), decisions.length);
    assert.ok(disk.caughtUp());

    const onTopic: Decision[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.decisions.name, 60_000, startedAt)) {
      const d = await codec.decode<Decision>(topics.decisions, message.value!);
      if (d.blueprint === blueprint.name) onTopic.push(d);
    }
    const idsOf = (list: Decision[], entity: string) =>
      list.filter((d) => d.entity === entity).map((d) => d.decisionId);
    assert.equal(onTopic.length, decisions.length, 'no decision twice, none missing');
    for (const entity of entities)
      assert.deepEqual(idsOf(onTopic, entity), idsOf(decisions, entity), `${entity}: each once, in order`);
    assert.ok(
      firstLines.some((l) => /^decision log: Kafka did not take a send \(Connection error: .*\): 1 decisions/.test(l)),
      firstLines.join('\n'),
    );
    assert.ok(
      lines.some((l) => l.includes('by an earlier run: sending them before newer ones')),
      lines.join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.log')),
      [],
      'drained segments are deleted',
    );
    await disk.close();
  });
});
