import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OutcomeWriter, type OutcomeRecord } from './outcome-writer.js';

const record = (key: string): OutcomeRecord => ({ key, value: Buffer.from(key) });

/** A send that resolves or fails when the test says so, recording the keys of each send. */
function controlledSend() {
  const sends: string[][] = [];
  const waiting: Array<{ resolve(): void; reject(error: Error): void }> = [];
  const send = (records: OutcomeRecord[]) => {
    sends.push(records.map((r) => r.key));
    return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
  };
  /** Lets the writer's queued microtasks run (its next send starts after the previous settles). */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { sends, waiting, send, settle };
}

describe('outcome writer', () => {
  it('outcome writer - requests arriving while a send is in flight go out together in the next send, each ok once acknowledged', async () => {
    const kafka = controlledSend();
    const writer = new OutcomeWriter(kafka.send, { deadlineMs: 60_000, maxPending: 100 });
    const a = writer.write([record('a')]);
    const b = writer.write([record('b1'), record('b2')]);
    const c = writer.write([record('c')]);
    assert.deepEqual(kafka.sends, [['a']], 'the first request is sent at once, without waiting for more');
    assert.equal(writer.pending(), 4);
    kafka.waiting.shift()!.resolve();
    assert.deepEqual(await a, { ok: true });
    await kafka.settle();
    assert.deepEqual(kafka.sends, [['a'], ['b1', 'b2', 'c']]);
    kafka.waiting.shift()!.resolve();
    assert.deepEqual(await Promise.all([b, c]), [{ ok: true }, { ok: true }]);
    assert.equal(writer.pending(), 0);
  });

  it('outcome writer - a failed send answers its requests unavailable with the reason, and the next request is sent afresh', async () => {
    const kafka = controlledSend();
    const writer = new OutcomeWriter(kafka.send, { deadlineMs: 60_000, maxPending: 100 });
    const a = writer.write([record('a')]);
    kafka.waiting.shift()!.reject(new Error('the broker is away'));
    assert.deepEqual(await a, {
      ok: false,
      error: { code: 'unavailable', message: 'Kafka did not take the outcome (the broker is away); report it again' },
    });
    const b = writer.write([record('b')]);
    kafka.waiting.shift()!.resolve();
    assert.deepEqual(await b, { ok: true });
    assert.deepEqual(kafka.sends, [['a'], ['b']]);
  });

  it('outcome writer - past the deadline a request is answered unavailable, and one not sent yet is never sent', async () => {
    const kafka = controlledSend();
    const writer = new OutcomeWriter(kafka.send, { deadlineMs: 20, maxPending: 100 });
    const hung = writer.write([record('hung')]);
    const queued = writer.write([record('queued')]);
    const unavailable = {
      ok: false,
      error: {
        code: 'unavailable',
        message:
          "Kafka did not acknowledge the outcome within 20 ms; it may not be on looper.outcomes: report it again (the joiner keeps a decision's first outcome)",
      },
    };
    assert.deepEqual(await hung, unavailable);
    assert.deepEqual(await queued, unavailable);
    assert.equal(writer.pending(), 1, 'only the records in flight are pending');
    kafka.waiting.shift()!.resolve();
    await kafka.settle();
    assert.deepEqual(kafka.sends, [['hung']], 'the request that timed out in the queue was dropped');
    assert.equal(writer.pending(), 0);
  });

  it('outcome writer - refuses a request at once when it would put more than maxPending records in wait', async () => {
    const kafka = controlledSend();
    const writer = new OutcomeWriter(kafka.send, { deadlineMs: 60_000, maxPending: 3 });
    const first = writer.write([record('a'), record('b')]);
    assert.deepEqual(await writer.write([record('c'), record('d')]), {
      ok: false,
      error: {
        code: 'unavailable',
        message: "2 outcomes are waiting for Kafka already (the predictor's limit is 3); retry with backoff",
      },
    });
    assert.deepEqual(await writer.write([]), { ok: true }, 'nothing to write is written at once');
    kafka.waiting.shift()!.resolve();
    assert.deepEqual(await first, { ok: true });
    assert.deepEqual(kafka.sends, [['a', 'b']]);
  });
});
