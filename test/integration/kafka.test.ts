import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKafkaClient, producerDefaults } from '../../services/lib/kafka.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import type { Kafka, Consumer } from 'kafkajs';
import { newestRecordTime } from '../../services/demo/history.js';
import { createTestTopic, deleteTestTopic } from '../support/topics.js';

/** Consumes until `count` messages arrived, then stops the consumer (committing what it consumed). */
async function consume(consumer: Consumer, count: number): Promise<string[]> {
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === count) resolve();
        },
      })
      .catch(reject);
  });
  return values;
}

describe('kafka consumer groups on the local broker', () => {
  let kafka: Kafka;
  const topic = uniqueName('looper.test.groups');

  before(async () => {
    await ensureStack();
    kafka = createKafkaClient(testConfig, { clientId: 'looper-test' });
    await createTestTopic(kafka, topic, 2);
  });

  after(() => deleteTestTopic(kafka, topic));

  it('kafka - a group joins, consumes, commits, and a rejoin resumes after the committed offset', async () => {
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: ['a', 'b', 'c'].map((v) => ({ key: v, value: v })) });

    const groupId = uniqueName('looper-test-group');
    const first = kafka.consumer({ groupId });
    await first.connect();
    await first.subscribe({ topic, fromBeginning: true });
    assert.deepEqual((await consume(first, 3)).sort(), ['a', 'b', 'c']);
    await first.disconnect();

    await producer.send({ topic, acks: -1, messages: [{ key: 'd', value: 'd' }] });
    await producer.disconnect();

    const second = kafka.consumer({ groupId });
    await second.connect();
    await second.subscribe({ topic, fromBeginning: true });
    assert.deepEqual(await consume(second, 1), ['d']);
    await second.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    const total = committed[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    assert.equal(total, 4, 'the group committed all four records across both partitions');
  });

  it('kafka - the newest record time is found by a search over the time index, to a second', async () => {
    const timed = uniqueName('looper.test.times');
    const base = Date.now() - 3_600_000;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: timed, numPartitions: 2 }], waitForLeaders: true });
      assert.equal(
        await newestRecordTime(admin, timed, base - 60_000, Date.now()),
        null,
        'an empty topic has no newest record',
      );
      const producer = kafka.producer(producerDefaults);
      await producer.connect();
      const offsetsMs = [0, 600_000, 1_234_567];
      await producer.send({
        topic: timed,
        acks: -1,
        messages: offsetsMs.map((ms, i) => ({ key: `k${i}`, value: 'v', timestamp: String(base + ms) })),
      });
      await producer.disconnect();
      const newest = await newestRecordTime(admin, timed, base - 60_000, Date.now());
      assert.ok(
        newest !== null && newest <= base + 1_234_567 && newest > base + 1_234_567 - 1000,
        `newest ${newest} within a second below ${base + 1_234_567}`,
      );
      assert.equal(
        await newestRecordTime(admin, timed, base + 1_300_000, Date.now()),
        null,
        'no record after the window start',
      );
    } finally {
      await admin.deleteTopics({ topics: [timed] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
