// `looper events publish` against the local broker: events from a file and from stdin, keyed by a
// field or by --key, read back from the topic; a malformed line, a missing topic and an unreachable
// Kafka each end the command with one clear message, a non-zero exit and nothing published.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { createKafkaClient, readTopicToEnd } from '../../services/lib/kafka.js';
import { createTestTopic, deleteTestTopic } from '../support/topics.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';

/** `looper ...args` in a child process, with `stdin` piped in and `env` over this process's environment. */
function looper(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/looper.js', ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
    child.stdin.end(options.stdin ?? '');
  });
}

const read = async (kafka: Kafka, topic: string) =>
  (await readTopicToEnd(kafka, topic)).map((r) => ({
    partition: r.partition,
    key: r.message.key?.toString(),
    value: r.message.value?.toString(),
  }));

describe('looper events publish', () => {
  const kafka = createKafkaClient(testConfig, { clientId: 'looper-test-events' });
  const topic = uniqueName('test.events');
  const missing = uniqueName('test.events.missing');
  const dir = mkdtempSync(join(tmpdir(), 'looper-events-'));

  before(async () => {
    await ensureStack();
    await createTestTopic(kafka, topic, 3);
  });

  after(async () => {
    await deleteTestTopic(kafka, topic);
    await deleteTestTopic(kafka, missing);
    rmSync(dir, { recursive: true, force: true });
  });

  it('events publish - publishes each line of a file keyed by its field, and of stdin keyed by --key', async () => {
    const file = join(dir, 'opens.jsonl');
    const lines = [
      '{"user": "u1", "type": "open", "hour": 9}',
      '{"user": "u2", "type": "open", "hour": 10}',
      '',
      '{"user": "u1", "type": "close", "hour": 11}',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const published = await looper(['events', 'publish', topic, file, '--key-field', 'user']);
    assert.deepEqual(published, { code: 0, out: `published 3 events to ${topic} (keyed by field user)\n` });

    const piped = await looper(['events', 'publish', topic, '-', '--key', 'u3'], { stdin: '{"type": "open"}\n' });
    assert.deepEqual(piped, { code: 0, out: `published 1 event to ${topic} (keyed by key u3)\n` });

    const records = await read(kafka, topic);
    assert.deepEqual(
      records.map(({ key, value }) => ({ key, value })).sort((a, b) => a.value!.localeCompare(b.value!)),
      [
        { key: 'u1', value: lines[3] },
        { key: 'u1', value: lines[0] },
        { key: 'u2', value: lines[1] },
        { key: 'u3', value: '{"type": "open"}' },
      ].sort((a, b) => a.value!.localeCompare(b.value!)),
    );
    const u1 = records.filter((r) => r.key === 'u1');
    assert.equal(u1[0]!.partition, u1[1]!.partition, 'one key, one partition');
    assert.deepEqual(
      u1.map((r) => r.value),
      [lines[0], lines[3]],
      "a key's events keep the file's order",
    );
  });

  it('events publish - a line that is not a JSON object is refused by its number, and nothing is published', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"user": "u9", "type": "open"}\n["u9", "open"]\n');
    const before = (await read(kafka, topic)).length;
    const refused = await looper(['events', 'publish', topic, file, '--key-field', 'user']);
    assert.deepEqual(refused, {
      code: 1,
      out: `looper: events publish: line 2 of ${file} is not a JSON object but an array; write one JSON object per line, like {"user": "u1", "type": "open"}\n`,
    });
    assert.equal((await read(kafka, topic)).length, before);
  });

  it('events publish - a topic that does not exist is refused with how to create it, and --create creates it', async () => {
    const refused = await looper(['events', 'publish', missing, '--key', 'k'], { stdin: '{"a": 1}\n' });
    const broker = testConfig.kafkaBrokers[0]!;
    assert.deepEqual(refused, {
      code: 1,
      out: `looper: events publish: topic ${missing} does not exist on Kafka at ${testConfig.kafkaBrokers.join(',')}; pass --create to create it (the broker's default partitions and replication) or create it yourself (kafka-topics.sh --bootstrap-server ${broker} --create --topic ${missing} --partitions N). looper does not let the broker auto-create it, so that a misspelt topic is refused rather than made\n`,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      assert.equal((await admin.listTopics()).includes(missing), false, 'the refusal made no topic');
    } finally {
      await admin.disconnect();
    }

    const created = await looper(['events', 'publish', missing, '--key', 'k', '--create'], { stdin: '{"a": 1}\n' });
    assert.deepEqual(created, { code: 0, out: `published 1 event to ${missing} (keyed by key k)\n` });
    assert.deepEqual(
      (await read(kafka, missing)).map(({ key, value }) => ({ key, value })),
      [{ key: 'k', value: '{"a": 1}' }],
    );
  });

  it('events publish - an unreachable Kafka ends the command with where it looked and what to do', async () => {
    const refused = await looper(['events', 'publish', topic, '--key', 'k'], {
      stdin: '{"a": 1}\n',
      env: { LOOPER_KAFKA_BROKERS: '127.0.0.1:1' },
    });
    assert.equal(refused.code, 1);
    assert.match(
      refused.out,
      /^looper: cannot reach Kafka at 127\.0\.0\.1:1; start the local stack with `npx looper stack up` or set LOOPER_KAFKA_BROKERS \(KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127\.0\.0\.1:1\)\n$/,
    );
  });
});
