import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Outcome } from '../lib/schemas/generated.js';
import { answerOutcome, answerOutcomeBatch, replyCodes, type OutcomeSink } from './outcome-responder.js';
import type { OutcomeRecord, WriteResult } from './outcome-writer.js';

const ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const ID2 = '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b';
const NOW = 1_700_000_000_000;
const bytes = (body: unknown) => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
const KAFKA_AWAY = { code: 'unavailable' as const, message: 'Kafka is away' };
const UNAVAILABLE: WriteResult = { ok: false, error: KAFKA_AWAY };

/** A sink that encodes an outcome as its JSON and records each write's keys and outcomes. */
function fakeSink(result: WriteResult = { ok: true }) {
  const writes: Array<Array<{ key: string; outcome: Outcome }>> = [];
  const sink: OutcomeSink = {
    encode: (outcome) => Buffer.from(JSON.stringify(outcome)),
    write: async (records: OutcomeRecord[]) => {
      writes.push(records.map((r) => ({ key: r.key, outcome: JSON.parse(r.value.toString()) as Outcome })));
      return result;
    },
  };
  return { sink, writes };
}

describe('outcome responder', () => {
  it('outcome responder - writes a valid outcome keyed by its decision id and replies ok once it is written', async () => {
    const { sink, writes } = fakeSink();
    assert.deepEqual(await answerOutcome(bytes({ decisionId: ID, value: 1 }), NOW, sink), { ok: true });
    assert.deepEqual(writes, [[{ key: ID, outcome: { decisionId: ID, value: 1, ts: NOW, candidateId: null } }]]);
  });

  it('outcome responder - refuses a malformed outcome with its code and writes nothing', async () => {
    const { sink, writes } = fakeSink();
    assert.deepEqual(await answerOutcome(bytes({ decisionId: 'd-1', value: 1 }), NOW, sink), {
      ok: false,
      error: {
        code: 'bad_request',
        message:
          'decisionId "d-1" is not a decision id: decide replies carry a lowercase UUID such as "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"; send it unchanged',
      },
    });
    assert.deepEqual(await answerOutcome(bytes('{"decisionId": "' + ID + '", "value": 1e999}'), NOW, sink), {
      ok: false,
      error: { code: 'bad_value', message: 'value Infinity is not a finite number' },
    });
    assert.deepEqual(writes, []);
  });

  it('outcome responder - replies unavailable when Kafka did not take the outcome, never ok', async () => {
    const { sink } = fakeSink(UNAVAILABLE);
    assert.deepEqual(await answerOutcome(bytes({ decisionId: ID, value: 1 }), NOW, sink), UNAVAILABLE);
  });

  it('outcome responder - a batch writes its valid outcomes in one write and answers each by index', async () => {
    const { sink, writes } = fakeSink();
    const reply = await answerOutcomeBatch(
      bytes({
        outcomes: [
          { decisionId: ID, value: 1 },
          { decisionId: ID2, value: 'yes' },
          { decisionId: ID2, value: 0, ts: 5 },
        ],
      }),
      NOW,
      sink,
    );
    assert.deepEqual(reply, {
      ok: false,
      acknowledged: 2,
      refused: 1,
      results: [
        { index: 0, ok: true },
        { index: 1, ok: false, error: { code: 'bad_value', message: 'value must be a number, not "yes"' } },
        { index: 2, ok: true },
      ],
    });
    assert.deepEqual(writes, [
      [
        { key: ID, outcome: { decisionId: ID, value: 1, ts: NOW, candidateId: null } },
        { key: ID2, outcome: { decisionId: ID2, value: 0, ts: 5, candidateId: null } },
      ],
    ]);
    assert.deepEqual(replyCodes(reply), ['ok', 'bad_value', 'ok']);
  });

  it('outcome responder - when Kafka fails a batch, each valid outcome is answered unavailable and each bad one keeps its own code', async () => {
    const { sink } = fakeSink(UNAVAILABLE);
    const reply = await answerOutcomeBatch(
      bytes({ outcomes: [{ decisionId: ID, value: 1 }, { value: 1 }] }),
      NOW,
      sink,
    );
    assert.deepEqual(replyCodes(reply), ['unavailable', 'bad_request']);
    assert.deepEqual(reply, {
      ok: false,
      acknowledged: 0,
      refused: 2,
      results: [
        { index: 0, ok: false, error: KAFKA_AWAY },
        {
          index: 1,
          ok: false,
          error: {
            code: 'bad_request',
            message: 'decisionId is missing: send the decisionId of the decide reply the outcome is about',
          },
        },
      ],
    });
  });

  it('outcome responder - a batch that cannot be read is refused whole, counted once', async () => {
    const { sink, writes } = fakeSink();
    const reply = await answerOutcomeBatch(bytes({ outcomes: 'all of them' }), NOW, sink);
    assert.deepEqual(reply, {
      ok: false,
      error: {
        code: 'bad_request',
        message: 'outcomes is not a list ("all of them"): send {"outcomes": [{"decisionId": "...", "value": 1}, ...]}',
      },
    });
    assert.deepEqual(replyCodes(reply), ['bad_request']);
    assert.deepEqual(writes, []);
  });
});
