// LooperClient.close() against a fake NATS connection that behaves as nats.js does when drained:
// a request after drain() rejects with CONNECTION_DRAINING, and so does a second drain().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, NatsError, type NatsConnection } from 'nats';
import { compileConfig, type LooperConfig } from '../lib/config.js';
import { ClientClosedError, LooperClient, OutcomeError, type OutcomeTransport } from './index.js';

const config = compileConfig({}, '/tmp');
const decisionId = '00000000-0000-4000-8000-000000000002';

/** A NATS connection whose requests wait for the test to answer them; counts its drains. */
function fakeNats() {
  const pending: Array<{ subject: string; answer: (reply: unknown) => void; fail: (error: Error) => void }> = [];
  let draining = false;
  const nats = {
    drains: 0,
    pending,
    isClosed: () => false,
    request: (subject: string) => {
      if (draining) return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionDraining));
      return new Promise((resolve, reject) =>
        pending.push({
          subject,
          answer: (reply) => resolve({ data: new TextEncoder().encode(JSON.stringify(reply)) }),
          fail: reject,
        }),
      );
    },
    drain: () => {
      nats.drains++;
      if (draining) return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionDraining));
      draining = true;
      return Promise.resolve();
    },
  };
  return nats;
}

/** The client over a fake connection (its constructor is private: connect() makes a real one). */
function clientOver(nats: ReturnType<typeof fakeNats>): LooperClient {
  const make = LooperClient as unknown as new (
    nats: NatsConnection,
    config: LooperConfig,
    deadlineMs: number,
    outcomesVia: OutcomeTransport,
    outcomeRetryMs: number,
  ) => LooperClient;
  return new make(nats as unknown as NatsConnection, config, 100, 'nats', 60_000);
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LooperClient.close', () => {
  it('sdk - close waits for a decide in flight, then drains once, however often it is called', async () => {
    const nats = fakeNats();
    const client = clientOver(nats);
    const decision = client.decide('notification_send', 'user-1', { hour: 9 });
    await settle();
    const closed = [client.close(), client.close()];
    await settle();
    assert.equal(nats.drains, 0, 'no drain while the decide waits for its reply');
    const reply = { decisionId: 'd-1', blueprint: 'notification_send', version: 1, model: 'm', family: 'logistic' };
    nats.pending[0]!.answer({ ...reply, score: 0.7, action: 'send', propensity: 1, fallback: false });
    assert.equal((await decision).action, 'send');
    await Promise.all([...closed, client.close()]);
    assert.equal(nats.drains, 1);
  });

  it('sdk - an outcome being tried again when the client closes ends with a closed OutcomeError', async () => {
    const nats = fakeNats();
    const client = clientOver(nats);
    const outcome = client.outcome(decisionId, 1);
    await settle();
    nats.pending[0]!.fail(NatsError.errorForCode(ErrorCode.NoResponders)); // Looper away: tried again in 100 ms
    await settle();
    const closed = client.close();
    await assert.rejects(outcome, (error: unknown) => {
      assert.ok(error instanceof OutcomeError);
      assert.equal(error.code, 'closed');
      assert.equal(error.retriable, false);
      assert.equal(
        error.message,
        `outcome of ${decisionId}: looper.outcome: the LooperClient was closed (close() was called); use a new client`,
      );
      return true;
    });
    await closed;
    assert.equal(nats.pending.length, 1, 'no request after close');
    assert.equal(nats.drains, 1);
  });

  it('sdk - calls after close are refused with ClientClosedError, not a NATS error', async () => {
    const nats = fakeNats();
    const client = clientOver(nats);
    await client.close();
    await assert.rejects(client.decide('notification_send', 'user-3'), {
      name: 'ClientClosedError',
      code: 'closed',
      message: 'decide notification_send: the LooperClient was closed (close() was called); use a new client',
    });
    await assert.rejects(client.outcome(decisionId, 1), ClientClosedError);
    await assert.rejects(client.outcomes([{ decisionId, value: 1 }]), ClientClosedError);
    assert.equal(nats.pending.length, 0);
  });
});
