import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from 'nats';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import { FeatureLookupClient, MAX_BATCH } from '../../services/lib/feature-lookup-client.js';
import type { FeatureLookupRequest } from '../../services/lib/features-client.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

describe('feature lookup client (real NATS server)', () => {
  let responder: NatsConnection;
  let requester: NatsConnection;
  before(async () => {
    await ensureStack();
    responder = await connect({ servers: testConfig.natsUrl });
    requester = await connect({ servers: testConfig.natsUrl, noAsyncTraces: true });
  });
  after(async () => {
    await requester.close();
    await responder.close();
  });

  /** A features stand-in that answers each entity with its own name and length, and records each request. */
  async function serve(
    subject: string,
    answer: (request: FeatureLookupRequest) => unknown = (r) => ({
      values: r.entities.map((e) => ({ name: e, length: e.length })),
    }),
  ): Promise<FeatureLookupRequest[]> {
    const seen: FeatureLookupRequest[] = [];
    responder.subscribe(subject, {
      callback: (_e, msg) => {
        const request = JSON.parse(decoder.decode(msg.data)) as FeatureLookupRequest;
        seen.push(request);
        const body = answer(request);
        if (body !== undefined)
          msg.respond(typeof body === 'string' ? encoder.encode(body) : encoder.encode(JSON.stringify(body)));
      },
    });
    await responder.flush();
    return seen;
  }

  it("lookup client - lookups asked together share one request per subject and blueprint, and each gets its own entity's values", async () => {
    const a = `looper.test.${uniqueName('lookup-a')}`;
    const b = `looper.test.${uniqueName('lookup-b')}`;
    const seenA = await serve(a);
    const seenB = await serve(b);
    const client = new FeatureLookupClient(requester);
    const results = await Promise.all([
      client.lookup(a, 'bp1', 'u1', 2000),
      client.lookup(a, 'bp1', 'user-22', 2000),
      client.lookup(b, 'bp1', 'u3', 2000),
      client.lookup(a, 'bp2', 'u4', 2000),
      client.lookup(a, 'bp1', 'u1', 2000),
    ]);
    assert.deepEqual(results, [
      { ok: true, values: { name: 'u1', length: 2 } },
      { ok: true, values: { name: 'user-22', length: 7 } },
      { ok: true, values: { name: 'u3', length: 2 } },
      { ok: true, values: { name: 'u4', length: 2 } },
      { ok: true, values: { name: 'u1', length: 2 } },
    ]);
    assert.deepEqual(seenA, [
      { blueprint: 'bp1', entities: ['u1', 'user-22', 'u1'] },
      { blueprint: 'bp2', entities: ['u4'] },
    ]);
    assert.deepEqual(seenB, [{ blueprint: 'bp1', entities: ['u3'] }]);
    assert.equal(client.requests(), 3);
    // Asked in separate turns, lookups go separately.
    assert.deepEqual(await client.lookup(a, 'bp1', 'x', 2000), { ok: true, values: { name: 'x', length: 1 } });
    assert.equal(client.requests(), 4);
    client.close();
  });

  it(`lookup client - a batch holds at most ${MAX_BATCH} entities`, async () => {
    const subject = `looper.test.${uniqueName('lookup-big')}`;
    const seen = await serve(subject);
    const client = new FeatureLookupClient(requester);
    const entities = Array.from({ length: MAX_BATCH + 10 }, (_, i) => `e${i}`);
    const results = await Promise.all(entities.map((e) => client.lookup(subject, 'bp', e, 2000)));
    assert.deepEqual(
      results.map((r) => (r.ok ? r.values['name'] : r.message)),
      entities,
    );
    assert.deepEqual(
      seen.map((r) => r.entities.length),
      [MAX_BATCH, 10],
    );
    client.close();
  });

  it('lookup client - no reply within the deadline is a deadline failure, and a late reply is ignored', async () => {
    const subject = `looper.test.${uniqueName('lookup-slow')}`;
    let late: (() => void) | null = null;
    responder.subscribe(subject, {
      callback: (_e, msg) => (late = () => msg.respond(encoder.encode(JSON.stringify({ values: [{ v: 1 }] })))),
    });
    await responder.flush();
    const client = new FeatureLookupClient(requester);
    const result = await client.lookup(subject, 'bp', 'u', 50);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, 'deadline');
    assert.match(
      !result.ok ? result.message : '',
      new RegExp(`no lookup reply on ${subject.replaceAll('.', '\\.')} within the decide deadline`),
    );
    assert.notEqual(late, null);
    late!();
    await responder.flush();
    // The client still answers after the stray reply.
    const again = await client.lookup(subject, 'bp', 'u', 0.5);
    assert.deepEqual(again, { ok: false, reason: 'deadline', message: 'no time left for the lookup' });
    client.close();
  });

  it('lookup client - no responder, an error reply and a malformed reply are features_unavailable with the reason', async () => {
    const client = new FeatureLookupClient(requester);
    const nobody = `looper.test.${uniqueName('lookup-nobody')}`;
    assert.deepEqual(await client.lookup(nobody, 'bp', 'u', 2000), {
      ok: false,
      reason: 'features_unavailable',
      message: `no features instance answers ${nobody}`,
    });

    const refusing = `looper.test.${uniqueName('lookup-error')}`;
    await serve(refusing, () => ({
      error: { code: 'unknown_blueprint', message: 'the features service knows no blueprint "bp"' },
    }));
    assert.deepEqual(await client.lookup(refusing, 'bp', 'u', 2000), {
      ok: false,
      reason: 'features_unavailable',
      message: 'the features service knows no blueprint "bp"',
    });

    const garbled = `looper.test.${uniqueName('lookup-garbled')}`;
    await serve(garbled, () => '{not json');
    const result = await client.lookup(garbled, 'bp', 'u', 2000);
    assert.equal(!result.ok && result.reason, 'features_unavailable');
    assert.match(!result.ok ? result.message : '', /^the lookup reply is not JSON: /);

    const short = `looper.test.${uniqueName('lookup-short')}`;
    await serve(short, () => ({ values: [] }));
    assert.deepEqual(await client.lookup(short, 'bp', 'u', 2000), {
      ok: false,
      reason: 'features_unavailable',
      message: 'the lookup reply holds 0 values for 1 entities',
    });
    client.close();
  });
});
