// A decide flood beyond what the predictor answers at once: with the feature lookups hanging (a
// stand-in features service that never replies) every request stays in flight until its deadline,
// so past LOOPER_PREDICTOR_MAX_IN_FLIGHT the rest are refused at once with an `overloaded` error —
// none waits out a timeout — and the SDK turns that refusal into the blueprint's default.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection, Subscription } from 'nats';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { connectNats } from '../../services/lib/nats-connect.js';
import { subjects } from '../../services/lib/names.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { LooperClient } from '../../services/sdk/index.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { waitForPredictor } from '../support/cli.js';

const LIMIT = 5;
const FLOOD = 60;
const DEADLINE_MS = 1000;
/** Requests of the memory flood, sent as fast as the client can. */
const BIG_FLOOD = 20_000;

/** The predictor's resident memory in MB, from its Prometheus endpoint. */
async function residentMb(opsAddress: string): Promise<number> {
  const text = await (await fetch(`${opsAddress}/metrics`)).text();
  const found = /^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text);
  assert.ok(found, 'the predictor reports process_resident_memory_bytes');
  return Number(found[1]) / 2 ** 20;
}

describe('overload on the real stack', { timeout: 180_000 }, () => {
  const name = uniqueName('flood');
  let clients: TestClients;
  let supervisor: Supervisor | undefined;
  let nats: NatsConnection;
  let hung: Subscription | undefined;
  let opsAddress: string | undefined;

  before(async () => {
    clients = await connectTestClients();
    const bp = parseBlueprintYaml(`
blueprint: ${name}
task: classification
entity: user
features:
  context: [{ name: hour, type: int }]
  streams: [{ name: opens_1d, topic: app.opens, aggregate: count, window: 1d }]
label: { window: 30s }
# Multi-class (argmax) with no exploration: its first fallback surely answers the default unexplored,
# which is how the SDK learns a blueprint's default (a threshold policy must explore; explore 0% is refused).
decision: { policy: argmax, actions: [send, skip], default: skip, deadline: 1s }
`);
    assert.ok(bp.ok);
    await registerBlueprint({ kafka: clients.kafka, registry: clients.registry }, bp.blueprint);
    supervisor = superviseServices(['predictor'], {
      env: { ...process.env, LOOPER_OPS_PORT: '0', LOOPER_PREDICTOR_MAX_IN_FLIGHT: String(LIMIT) },
      log: (line) => {
        opsAddress ??= /ops server on (http:\/\/[\d.:]+)/.exec(line)?.[1];
      },
    });
    await waitForPredictor(name, { hour: 9 });
    nats = await connectNats(testConfig, 'looper-test-flood');
    // A features service that hangs: every lookup waits for the decide's deadline.
    hung = nats.subscribe(subjects.featureLookupAll, { queue: 'looper-test-hung', callback: () => undefined });
    await nats.flush();
  });

  after(async () => {
    hung?.unsubscribe();
    await nats?.drain();
    await supervisor?.stop();
    await clients?.close();
  });

  it('overload - past the in-flight limit requests are refused at once with overloaded, and the limit is answered within its deadline', async () => {
    const encoder = new TextEncoder();
    const started = performance.now();
    const replies = await Promise.all(
      Array.from({ length: FLOOD }, async (_, i) => {
        const msg = await nats.request(
          subjects.decide(name),
          encoder.encode(JSON.stringify({ entity: `user-${i}`, context: { hour: 9 }, deadlineMs: DEADLINE_MS })),
          { timeout: 5000 },
        );
        return {
          body: JSON.parse(new TextDecoder().decode(msg.data)) as {
            error?: { code: string; message: string };
            fallback?: boolean;
            fallbackReason?: string;
          },
          ms: performance.now() - started,
        };
      }),
    );
    const overloaded = replies.filter((r) => r.body.error?.code === 'overloaded');
    const answered = replies.filter((r) => r.body.error === undefined);
    console.log(
      `# ${FLOOD} requests at once, limit ${LIMIT}: ${answered.length} answered (slowest ${Math.max(...answered.map((r) => r.ms)).toFixed(0)} ms), ${overloaded.length} refused as overloaded (slowest ${Math.max(...overloaded.map((r) => r.ms)).toFixed(0)} ms)`,
    );
    console.log(`# ${overloaded[0]?.body.error?.message}`);
    assert.equal(
      answered.length + overloaded.length,
      FLOOD,
      'every request got a reply: an answer or an explicit refusal',
    );
    assert.ok(answered.length >= LIMIT, `at least the limit is answered, got ${answered.length}`);
    assert.ok(overloaded.length >= FLOOD - 2 * LIMIT, `most of the flood is refused, got ${overloaded.length}`);
    assert.ok(
      answered.every((r) => r.body.fallback === true && r.body.fallbackReason === 'deadline'),
      'the hung lookups end in the default at the deadline',
    );
    assert.match(
      overloaded[0]!.body.error!.message,
      /^this predictor is answering 5 decide requests already \(its limit, LOOPER_PREDICTOR_MAX_IN_FLIGHT\)/,
    );
  });

  it("overload - a flood of 20,000 requests is refused without the predictor's memory growing with it (measured)", async () => {
    assert.ok(opsAddress, 'the predictor logged its ops address');
    const encoder = new TextEncoder();
    const before = await residentMb(opsAddress);
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await residentMb(opsAddress!));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = performance.now();
    const codes = await Promise.all(
      Array.from({ length: BIG_FLOOD }, async (_, i) => {
        const msg = await nats.request(
          subjects.decide(name),
          encoder.encode(JSON.stringify({ entity: `user-${i}`, context: { hour: 9 }, deadlineMs: DEADLINE_MS })),
          { timeout: 30_000 },
        );
        return (
          (JSON.parse(new TextDecoder().decode(msg.data)) as { error?: { code: string } }).error?.code ?? 'answered'
        );
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS + 500));
    sampling = false;
    await sampler;
    const after = await residentMb(opsAddress);
    const refused = codes.filter((c) => c === 'overloaded').length;
    console.log(
      `# ${BIG_FLOOD} requests in ${seconds.toFixed(1)} s (${(BIG_FLOOD / seconds).toFixed(0)}/s): ${refused} refused as overloaded, ${codes.filter((c) => c === 'answered').length} answered; predictor resident memory ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at most during, ${after.toFixed(0)} MB after`,
    );
    assert.equal(codes.length, BIG_FLOOD, 'every request got a reply');
    assert.ok(refused >= BIG_FLOOD - 10 * LIMIT, `the flood beyond the limit is refused (${refused})`);
    // Bounded: the in-flight limit caps what a request may hold, so the flood costs buffers, not a backlog.
    assert.ok(peak - before < 150, `memory grew by ${(peak - before).toFixed(0)} MB under the flood`);
  });

  it("overload - the SDK answers an overloaded refusal with the blueprint's default once it knows it", async () => {
    const client = await LooperClient.connect({ ...testConfig, deadlineMs: DEADLINE_MS });
    try {
      const first = await client.decide(name, 'user-a', { hour: 9 });
      assert.equal(first.fallbackReason, 'deadline');
      const flood = await Promise.all(
        Array.from({ length: FLOOD }, (_, i) => client.decide(name, `user-${i}`, { hour: 9 })),
      );
      const refused = flood.filter((d) => d.fallbackReason === 'overloaded');
      assert.ok(refused.length >= FLOOD - 2 * LIMIT, `${refused.length} overloaded fallbacks`);
      assert.ok(refused.every((d) => d.action === 'skip' && d.fallback && d.decisionId === null));
    } finally {
      await client.close();
    }
  });
});
