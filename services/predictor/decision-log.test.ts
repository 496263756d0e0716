import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import type { TopicCodec } from '../lib/topic-codec.js';
import type { Decision } from '../lib/schemas/generated.js';
import { SEND_CHUNK_MESSAGES } from '../lib/kafka.js';
import { SegmentLog } from '../lib/wal/segment-log.js';
import { FRAME_HEADER_BYTES } from '../lib/wal/frames.js';
import { createDecisionLog, decisionLogDefaults, type DecisionLog, type DecisionLogOptions } from './decision-log.js';

const dirs: string[] = [];
const disks: SegmentLog[] = [];
afterEach(async () => {
  // A run the test left for dead closes only now, so that no file handle outlives the test.
  for (const disk of disks.splice(0)) await disk.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Step = 'ok' | 'fail' | 'hang' | Promise<void>;

/**
 * A producer that takes each send as its script says (then 'ok' for ever): 'fail' throws at once,
 * 'hang' never answers (a frozen or dead process), a promise answers when it settles.
 */
function scriptedProducer(script: Step[], onSend: (call: number) => void = () => {}) {
  const delivered: string[] = [];
  const sends: number[] = [];
  let calls = 0;
  const producer = {
    async send({ messages }: { messages: Array<{ value: Buffer }> }) {
      const call = calls++;
      onSend(call);
      const step = script[call] ?? 'ok';
      if (step === 'fail') throw new Error('the broker is away');
      if (step === 'hang') await new Promise(() => {});
      if (step instanceof Promise) await step;
      delivered.push(...messages.map((m) => m.value.toString()));
      sends.push(messages.length);
    },
  } as unknown as Producer;
  return { producer, delivered, sends, calls: () => calls };
}

function gate(): { promise: Promise<void>; open(): void; fail(): void } {
  let open!: () => void;
  let fail!: () => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = () => reject(new Error('the request timed out'));
  });
  return { promise, open, fail };
}

// Each decision is its id on the wire, keyed by its entity.
const codec = { encode: (_topic: unknown, d: Decision) => Buffer.from(d.decisionId) } as unknown as TopicCodec;
const decision = (i: number) => ({ entity: 'e', decisionId: `d${i}` }) as Decision;
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `d${from + k}`);
const options: DecisionLogOptions = {
  ...decisionLogDefaults,
  lingerMs: 1,
  retryMs: 1,
  closeWaitMs: 20,
  maxBytesSetting: 'LOOPER_DECISION_LOG_MAX_BYTES=48',
};

async function until(what: string, holds: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !holds(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(holds(), what);
}

async function openLog(dir: string, producer: Producer, maxBytes = 1 << 20) {
  const lines: string[] = [];
  const metrics = new Registry();
  const log = (line: string) => lines.push(line);
  const disk = await SegmentLog.open({ dir, maxBytes, lockHint: 'one at a time', log });
  disks.push(disk);
  const decisions = createDecisionLog({ producer, codec, disk, metrics, log, now: () => 0 }, options);
  return { decisions, disk, lines, metrics };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'looper-decision-log-'));
  dirs.push(dir);
  return dir;
}

const appendAll = (log: DecisionLog, from: number, to: number) => {
  for (let i = from; i < to; i++) log.append(decision(i));
};
const segmentFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.log'));

describe('decision log', () => {
  it('decision log - while Kafka takes them, decisions go out from memory in bounded sends, in order, and nothing touches the disk', async () => {
    const dir = tempDir();
    const kafka = scriptedProducer([]);
    const { decisions, disk } = await openLog(dir, kafka.producer);
    const total = 2 * SEND_CHUNK_MESSAGES + 7;
    appendAll(decisions, 0, total);
    await decisions.flush();
    assert.deepEqual(kafka.sends, [SEND_CHUNK_MESSAGES, SEND_CHUNK_MESSAGES, 7]);
    assert.deepEqual(kafka.delivered, ids(0, total), 'every decision once, in order');
    assert.equal(decisions.logged(), total);
    assert.deepEqual(segmentFiles(dir), []);
    assert.equal(disk.bytes(), 0);
  });

  it('decision log - after a failed send, every decision goes to disk and reaches Kafka once it is back, in order, once each', async () => {
    const dir = tempDir();
    const late: { log?: DecisionLog } = {};
    // Decisions keep coming while Kafka is away: 5 more at each refused send.
    const kafka = scriptedProducer(
      ['fail', 'fail', 'fail'],
      (call) => call < 3 && appendAll(late.log!, 10 + 5 * call, 15 + 5 * call),
    );
    const opened = await openLog(dir, kafka.producer);
    const decisions = (late.log = opened.decisions);
    appendAll(decisions, 0, 10);
    await decisions.flush();
    assert.deepEqual(kafka.delivered, ids(0, 25));
    assert.equal(decisions.logged(), 25);
    assert.deepEqual(opened.lines, [
      'decision log: Kafka did not take 10 decisions (the broker is away); sends refused since the last such line: 1; decisions waiting on disk: 0 bytes',
      `decision log: Kafka did not take a send (the broker is away): 15 decisions and those that follow go to ${dir} until Kafka takes them`,
      `decision log: caught up: 25 decisions from ${dir} are on looper.decisions; logging from memory again`,
    ]);
    assert.equal(opened.disk.bytes(), 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(segmentFiles(dir), [], 'the drained segment is deleted');
    appendAll(decisions, 25, 26);
    await decisions.flush();
    assert.deepEqual(kafka.delivered, ids(0, 26), 'memory again once caught up');
    assert.deepEqual(segmentFiles(dir), []);
  });

  it('decision log - a whole chunk more while a send is outstanding goes to disk; that send then succeeding is not sent again', async () => {
    const dir = tempDir();
    const slow = gate();
    const kafka = scriptedProducer([slow.promise]);
    const { decisions, disk, lines } = await openLog(dir, kafka.producer);
    appendAll(decisions, 0, 1);
    await until('the first send is outstanding', () => kafka.calls() === 1);
    appendAll(decisions, 1, SEND_CHUNK_MESSAGES);
    assert.deepEqual(segmentFiles(dir), [], 'a chunk less stays in memory');
    appendAll(decisions, SEND_CHUNK_MESSAGES, SEND_CHUNK_MESSAGES + 1);
    assert.deepEqual(segmentFiles(dir), ['0000000001.log'], 'the chunk, with the decision in flight, is on disk');
    const frame = (i: number) => FRAME_HEADER_BYTES + 'e'.length + `d${i}`.length;
    assert.equal(
      disk.bytes(),
      Array.from({ length: SEND_CHUNK_MESSAGES + 1 }, (_, i) => frame(i)).reduce((a, b) => a + b),
    );
    appendAll(decisions, SEND_CHUNK_MESSAGES + 1, SEND_CHUNK_MESSAGES + 3);
    slow.open();
    await decisions.flush();
    assert.deepEqual(kafka.delivered, ids(0, SEND_CHUNK_MESSAGES + 3), 'd0 once, though its copy was on disk');
    assert.deepEqual(kafka.sends, [1, SEND_CHUNK_MESSAGES, 2]);
    assert.equal(
      lines[0],
      `decision log: a send to Kafka is still outstanding after 500 more decisions: 501 decisions and those that follow go to ${dir} until Kafka takes them`,
    );
  });

  it('decision log - a send outstanding when decisions went to disk that then fails is sent from disk first', async () => {
    const dir = tempDir();
    const slow = gate();
    const kafka = scriptedProducer([slow.promise]);
    const { decisions } = await openLog(dir, kafka.producer);
    appendAll(decisions, 0, 1);
    await until('the first send is outstanding', () => kafka.calls() === 1);
    appendAll(decisions, 1, SEND_CHUNK_MESSAGES + 3);
    slow.fail();
    await decisions.flush();
    assert.deepEqual(kafka.delivered, ids(0, SEND_CHUNK_MESSAGES + 3));
    assert.deepEqual(kafka.sends, [SEND_CHUNK_MESSAGES, 3]);
  });

  it('decision log - past its bound the log drops and counts decisions, with one line a period, and keeps taking them', async () => {
    const dir = tempDir();
    let away = true;
    const kafka = scriptedProducer([]);
    const producer = {
      send: (record: never) => (away ? Promise.reject(new Error('the broker is away')) : kafka.producer.send(record)),
    } as unknown as Producer;
    const frame = FRAME_HEADER_BYTES + 'e'.length + 'd0'.length; // 15 bytes
    const { decisions, disk, lines, metrics } = await openLog(dir, producer, 3 * frame + 3);
    appendAll(decisions, 0, 1);
    await until('d0 is on disk', () => disk.bytes() > 0);
    appendAll(decisions, 1, 10);
    assert.equal(disk.bytes(), 3 * frame);
    const text = await metrics.metrics();
    assert.match(text, /^looper_decisions_not_logged_total\{reason="full"\} 7$/m);
    assert.match(text, /^looper_decision_log_bytes 45$/m);
    assert.deepEqual(
      lines.filter((line) => line.includes('full')),
      [
        'decision log: the log on disk is full (45 bytes; LOOPER_DECISION_LOG_MAX_BYTES=48): 1 decisions answered will never reach looper.decisions',
      ],
    );
    away = false;
    await decisions.flush();
    assert.deepEqual(kafka.delivered, ids(0, 3));
    appendAll(decisions, 10, 11);
    await decisions.flush();
    assert.deepEqual(kafka.delivered, [...ids(0, 3), 'd10']);
  });

  it('decision log - what a crashed run left on disk goes out before any newer decision, once each', async () => {
    const dir = tempDir();
    const crashed = scriptedProducer(['fail', 'hang']);
    const first = await openLog(dir, crashed.producer);
    appendAll(first.decisions, 0, 1);
    await until('the first run went to disk', () => first.disk.bytes() > 0);
    appendAll(first.decisions, 1, 5);
    await until('the first run sends from disk, and freezes there', () => crashed.calls() === 2);
    // The first run is gone without a flush: a new one opens the same folder.
    const kafka = scriptedProducer([]);
    const second = await openLog(dir, kafka.producer);
    appendAll(second.decisions, 5, 7);
    await second.decisions.flush();
    assert.deepEqual(kafka.delivered, ids(0, 7));
    assert.equal(
      second.lines[0],
      `decision log: ${5 * (FRAME_HEADER_BYTES + 3)} bytes of decisions left in ${dir} by an earlier run: sending them before newer ones`,
    );
  });

  it('decision log - close puts what Kafka did not take in time on disk, and what comes after it too, for the next start', async () => {
    const dir = tempDir();
    const stuck = scriptedProducer(['hang']);
    const first = await openLog(dir, stuck.producer);
    appendAll(first.decisions, 0, 1);
    await until('the first send is outstanding', () => stuck.calls() === 1);
    appendAll(first.decisions, 1, 3);
    await first.decisions.close();
    appendAll(first.decisions, 3, 4);
    await first.decisions.flush();
    assert.equal(stuck.calls(), 1, 'nothing more is sent after close');
    const kafka = scriptedProducer([]);
    const second = await openLog(dir, kafka.producer);
    await second.decisions.flush();
    assert.deepEqual(kafka.delivered, ids(0, 4));
  });
});
