// The SDK's outcome requests against a fake NATS request and a fake clock: what is sent, what is
// sent again while Looper is away, and when the SDK gives up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, NatsError } from 'nats';
import { LooperError } from '../lib/errors.js';
import { id } from '../lib/joiner/test-records.js';
import type { OutcomeBatchEntry, OutcomeErrorBody } from '../lib/outcome/reply.js';
import type { Outcome } from '../lib/schemas/generated.js';
import { OutcomeError } from './errors.js';
import { requestOutcome, requestOutcomes, type OutcomeReport, type RetryClock } from './outcome-requests.js';

const NOW = 1_750_000_000_000;
const noResponders = NatsError.errorForCode(ErrorCode.NoResponders);
const timeout = NatsError.errorForCode(ErrorCode.Timeout);
const unavailable: OutcomeErrorBody = { code: 'unavailable', message: 'Kafka did not acknowledge it within 5000 ms' };
const badValue: OutcomeErrorBody = { code: 'bad_value', message: 'value must be a number, not "1"' };

/** The waits of 15 s of retries: 100 ms doubling to 2 s, stopped before one would end past 15 s. */
const GIVE_UP_WAITS = [100, 200, 400, 800, 1600, 2000, 2000, 2000, 2000, 2000];

interface Call {
  subject: string;
  body: { outcomes?: Outcome[] } & Partial<Outcome>;
  timeoutMs: number;
}

/** A clock whose sleeps return at once and only move its time. */
function fakeClock(): RetryClock & { waits: number[] } {
  let now = NOW;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

/** A request answered by `answer` from the call (and how many came before); an Error is thrown, as nats.js does. */
function fakeRequest(answer: (call: Call, n: number) => unknown) {
  const calls: Call[] = [];
  const request = async (subject: string, body: Uint8Array, timeoutMs: number): Promise<Uint8Array> => {
    const call = { subject, body: JSON.parse(new TextDecoder().decode(body)) as Call['body'], timeoutMs };
    const reply = answer(call, calls.length);
    calls.push(call);
    if (reply instanceof Error) throw reply;
    return new TextEncoder().encode(JSON.stringify(reply));
  };
  return { request, calls };
}

/** The predictor's batch reply: `refusal(i)` for the i-th outcome of the request, null when acknowledged. */
function batchAnswer(call: Call, refusal: (i: number, outcome: Outcome) => OutcomeErrorBody | null) {
  const results = call.body.outcomes!.map((outcome, index) => {
    const error = refusal(index, outcome);
    return error === null ? { index, ok: true } : { index, ok: false, error };
  });
  const refused = results.filter((r) => !r.ok).length;
  return { ok: refused === 0, acknowledged: results.length - refused, refused, results };
}

const outcome: Outcome = { decisionId: id(1), value: 1, ts: NOW - 5000, candidateId: null };
const reports = (n: number): OutcomeReport[] =>
  Array.from({ length: n }, (_, i) => ({ decisionId: id(i), value: 1, ts: NOW - i }));
const summary = (results: OutcomeBatchEntry[]) =>
  results.map((r) => (r.ok ? `${r.index} ok` : `${r.index} ${r.error.code}`));

describe('outcome requests', () => {
  it('outcome requests - one outcome is sent again while no predictor answers and resolves once acknowledged', async () => {
    const clock = fakeClock();
    const { request, calls } = fakeRequest((_, n) => (n < 2 ? noResponders : { ok: true }));
    await requestOutcome(request, outcome, clock);
    assert.deepEqual(calls, Array(3).fill({ subject: 'looper.outcome', body: outcome, timeoutMs: 6000 }));
    assert.deepEqual(clock.waits, [100, 200]);
  });

  it('outcome requests - one outcome refused for another reason than unavailable is thrown at once', async () => {
    const clock = fakeClock();
    const { request, calls } = fakeRequest(() => ({ ok: false, error: badValue }));
    await assert.rejects(requestOutcome(request, outcome, clock), (error: unknown) => {
      assert.ok(error instanceof OutcomeError);
      assert.deepEqual(
        [error.code, error.message, error.retriable, error.decisionId],
        ['bad_value', `outcome of ${id(1)}: value must be a number, not "1"`, false, id(1)],
      );
      return true;
    });
    assert.equal(calls.length, 1);
    assert.deepEqual(clock.waits, []);
  });

  it('outcome requests - one outcome still unavailable after 15 s throws the last refusal, or the missing reply', async () => {
    for (const [answer, message] of [
      [{ ok: false, error: unavailable }, 'Kafka did not acknowledge it within 5000 ms'],
      [
        timeout,
        "no reply on looper.outcome within 6000 ms (TIMEOUT); it may not be on looper.outcomes: report it again (the joiner keeps a decision's first outcome)",
      ],
    ] as const) {
      const clock = fakeClock();
      const { request, calls } = fakeRequest(() => answer);
      await assert.rejects(requestOutcome(request, outcome, clock), (error: unknown) => {
        assert.ok(error instanceof OutcomeError);
        assert.deepEqual(
          [error.code, error.message, error.retriable],
          ['unavailable', `outcome of ${id(1)}: ${message}`, true],
        );
        return true;
      });
      assert.equal(calls.length, 11);
      assert.deepEqual(clock.waits, GIVE_UP_WAITS);
    }
  });

  it("outcome requests - the client's retry time replaces the 15 s: 60 s outlasts a broker restart", async () => {
    const clock = fakeClock();
    // Kafka away for 20 s (a broker restart), then back.
    const { request, calls } = fakeRequest(() =>
      clock.now() - NOW < 20_000 ? { ok: false, error: unavailable } : { ok: true },
    );
    await requestOutcome(request, outcome, clock, 60_000);
    // 3.1 s of doubling waits, then 2 s each: the first try past 20 s is the 15th.
    assert.equal(calls.length, 15);
    assert.deepEqual(clock.waits, [...GIVE_UP_WAITS, 2000, 2000, 2000, 2000]);
    const short = fakeClock();
    const away = fakeRequest(() => ({ ok: false, error: unavailable }));
    await assert.rejects(requestOutcome(away.request, outcome, short, 1000), OutcomeError);
    assert.deepEqual(short.waits, [100, 200, 400], 'gives up before a wait would end past 1 s');
  });

  it('outcome requests - a batch sends again only the outcomes refused as unavailable; acknowledged and otherwise refused ones are final', async () => {
    const clock = fakeClock();
    const sent: OutcomeReport[] = [
      { decisionId: id(0), value: 1, ts: NOW - 60_000 },
      { decisionId: id(1), value: Number.NaN },
      { decisionId: id(2), value: 0.5, candidateId: 'item-9' },
    ];
    const { request, calls } = fakeRequest((call, n) =>
      batchAnswer(call, (i) => (n === 0 && i === 1 ? badValue : n === 0 && i === 2 ? unavailable : null)),
    );
    const results = await requestOutcomes(request, sent, clock);
    assert.deepEqual(results, [
      { index: 0, ok: true },
      { index: 1, ok: false, error: badValue },
      { index: 2, ok: true },
    ]);
    // An outcome without a ts is stamped once, when reported, not each time it is sent.
    const stamped = { decisionId: id(2), value: 0.5, candidateId: 'item-9', ts: NOW };
    assert.deepEqual(calls, [
      {
        subject: 'looper.outcome.batch',
        body: { outcomes: [sent[0], { decisionId: id(1), value: null, ts: NOW }, stamped] },
        timeoutMs: 6000,
      },
      { subject: 'looper.outcome.batch', body: { outcomes: [stamped] }, timeoutMs: 6000 },
    ]);
    assert.deepEqual(clock.waits, [100]);
  });

  it('outcome requests - a batch nobody answered is sent again whole, and after 15 s is thrown as unavailable', async () => {
    const clock = fakeClock();
    const answered = fakeRequest((call, n) => (n === 0 ? noResponders : batchAnswer(call, () => null)));
    assert.deepEqual(summary(await requestOutcomes(answered.request, reports(2), clock)), ['0 ok', '1 ok']);
    assert.deepEqual(
      answered.calls.map((c) => c.body.outcomes!.map((o) => o.decisionId)),
      [
        [id(0), id(1)],
        [id(0), id(1)],
      ],
    );
    assert.deepEqual(clock.waits, [100]);

    const away = fakeRequest(() => noResponders);
    const awayClock = fakeClock();
    await assert.rejects(requestOutcomes(away.request, reports(2), awayClock), (error: unknown) => {
      assert.ok(error instanceof LooperError);
      assert.deepEqual(
        [error.code, error.message, error.retriable, error.cause],
        [
          'unavailable',
          "outcome batch: no predictor answers looper.outcome.batch: start Looper's services (npx looper up), or report with { via: 'kafka' }",
          true,
          noResponders,
        ],
      );
      return true;
    });
    assert.equal(away.calls.length, 11);
    assert.deepEqual(awayClock.waits, GIVE_UP_WAITS);
  });

  it('outcome requests - a batch still refused as unavailable after 15 s answers those outcomes with the refusal', async () => {
    const clock = fakeClock();
    const { request, calls } = fakeRequest((call) =>
      batchAnswer(call, (_, o) => (o.decisionId === id(1) ? unavailable : null)),
    );
    const results = await requestOutcomes(request, reports(2), clock);
    assert.deepEqual(results, [
      { index: 0, ok: true },
      { index: 1, ok: false, error: unavailable },
    ]);
    assert.deepEqual(
      calls.map((c) => c.body.outcomes!.length),
      [2, ...Array(10).fill(1)],
    );
    assert.deepEqual(clock.waits, GIVE_UP_WAITS);
  });

  it('outcome requests - past 1,000 outcomes, each is answered by its own index and the retries are batched together', async () => {
    const clock = fakeClock();
    const { request, calls } = fakeRequest((call, n) =>
      batchAnswer(call, (i, o) =>
        n < 2 && (o.decisionId === id(999) || o.decisionId === id(1000)) ? unavailable : null,
      ),
    );
    const results = await requestOutcomes(request, reports(1001), clock);
    assert.deepEqual(
      results,
      Array.from({ length: 1001 }, (_, index) => ({ index, ok: true })),
    );
    assert.deepEqual(
      calls.map((c) => c.body.outcomes!.length),
      [1000, 1, 2],
    );
    assert.deepEqual(
      calls[2]!.body.outcomes!.map((o) => o.decisionId),
      [id(999), id(1000)],
    );
    assert.deepEqual(clock.waits, [100]);
  });

  it('outcome requests - once a request of a round got no reply, the round sends no more: the rest wait for the next', async () => {
    const clock = fakeClock();
    const { request, calls } = fakeRequest((call, n) => (n === 0 ? timeout : batchAnswer(call, () => null)));
    assert.equal((await requestOutcomes(request, reports(1001), clock)).length, 1001);
    assert.deepEqual(
      calls.map((c) => c.body.outcomes!.length),
      [1000, 1000, 1],
    );
    assert.deepEqual(clock.waits, [100]);
  });

  it('outcome requests - a batch refused whole is thrown at once with its code', async () => {
    const clock = fakeClock();
    const { request, calls } = fakeRequest(() => ({
      ok: false,
      error: { code: 'bad_request', message: 'outcomes must be an array' },
    }));
    await assert.rejects(requestOutcomes(request, reports(1), clock), (error: unknown) => {
      assert.ok(error instanceof LooperError);
      assert.deepEqual(
        [error.code, error.message, error.retriable],
        ['bad_request', 'outcome batch: outcomes must be an array', false],
      );
      return true;
    });
    assert.equal(calls.length, 1);
    assert.deepEqual(clock.waits, []);
  });
});
