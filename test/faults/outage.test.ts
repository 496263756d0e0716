// A Kafka outage under load (issue #22): the broker is stopped for 60 s while products decide, and
// during it one predictor is killed -9. Two predictors answer, each on its own NATS so that every
// reply is known to be its own:
// - A, at 300 decides/s with the default bound on its decision log (1 GiB), is killed -9 20 s into
//   the outage; its successor starts on the same folder, waits for Kafka, and sends what A left on
//   disk. Every decision A answered must reach looper.decisions exactly once.
// - B, at 200 decides/s with its log bounded at 1 MiB (the least the setting takes), fills it: every
//   decision it answered is on looper.decisions exactly once or counted in
//   looper_decisions_not_logged_total, and the count equals the decisions missing, exactly.
// Each predictor's heap is read from its ops port through the outage, and its peak printed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Admin } from 'kafkajs';
import { createKafkaClient, readTopicToEnd } from '../../services/lib/kafka.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics, topics } from '../../topology/topics.js';
import { createTopicCodec } from '../../services/lib/topic-codec.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { serviceStateDir } from '../../services/lib/service-paths.js';
import { createKafka } from '../../deploy/local/kafka.js';
import { findNatsServer } from '../../deploy/local/nats.js';
import type { Decision } from '../../services/lib/schemas/generated.js';
import { pollUntil } from '../../services/lib/poll.js';
import { LooperClient } from '../../services/sdk/index.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import { freePort } from '../support/ports.js';
import { serviceLogFile } from '../support/service-log.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = 60_000;
const KILL_AFTER_MS = 20_000;
const BOUNDED_LOG_BYTES = 1024 * 1024;
/** A send in flight as the broker stops: kafkajs gives one up after its request timeout and retries, some seconds. */
const IN_FLIGHT_AT_STOP_MS = 5_000;

/** One predictor with its own NATS, instance folder and ops port, and the product deciding through it. */
interface Side {
  readonly label: string;
  readonly instance: string;
  readonly natsUrl: string;
  readonly opsPort: number;
  readonly decidesPerSecond: number;
  nats?: ChildProcess;
  supervisor?: Supervisor;
  client?: LooperClient;
  /** Decision ids of the replies the predictor gave (a reply the SDK made itself carries none). */
  readonly replied: string[];
  sdkAnswered: number;
  heapBefore: number;
  heapPeak: number;
}

/**
 * One sample of a predictor's ops metrics: each series asked for, summed over its labels (0 when the
 * predictor answered without it: a counter never incremented); all NaN when it did not answer.
 */
async function metricsOf(port: number, names: readonly string[]): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
  } catch {
    return Object.fromEntries(names.map((n) => [n, Number.NaN])); // being killed, or starting
  }
  const found: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name !== undefined && name in found) found[name]! += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return found;
}

describe('a Kafka outage under load', { timeout: 600_000 }, () => {
  const name = uniqueName('outage');
  const serviceLog = serviceLogFile('outage');
  const sides: Side[] = [];
  let admin: Admin;
  const kafka = createKafkaClient(testConfig, { clientId: 'looper-outage' });
  const broker = createKafka(testConfig);

  before(async () => {
    await ensureStack();
    admin = kafka.admin();
    await admin.connect();
    const registry = createSchemaRegistryClient(testConfig);
    await applyTopology(admin, registry, allTopics);
    // Context features only: the predictor answers without the features service, and no model is
    // needed, since a fallback decision is logged like any other.
    const parsed = parseBlueprintYaml(`
blueprint: ${name}
task: classification
entity: user
features: { context: [{ name: hour, type: int }] }
label: { window: 1m }
decision: { policy: threshold, threshold: 0.5, actions: [send, skip], default: skip }
`);
    assert.ok(parsed.ok);
    await registerBlueprint({ kafka, registry }, parsed.blueprint);
    const natsServer = findNatsServer();
    assert.ok(natsServer, 'nats-server is installed by the stack');
    for (const [label, decidesPerSecond, bound] of [
      ['A', 300, undefined],
      ['B', 200, BOUNDED_LOG_BYTES],
    ] as const) {
      const natsPort = await freePort();
      const side: Side = {
        label,
        instance: uniqueName(`outage_${label.toLowerCase()}`),
        natsUrl: `nats://127.0.0.1:${natsPort}`,
        opsPort: await freePort(),
        decidesPerSecond,
        replied: [],
        sdkAnswered: 0,
        heapBefore: Number.NaN,
        heapPeak: 0,
      };
      side.nats = spawn(natsServer, ['-a', '127.0.0.1', '-p', String(natsPort)], { stdio: 'ignore' });
      side.supervisor = superviseServices(['predictor'], {
        env: {
          ...process.env,
          LOOPER_NATS_URL: side.natsUrl,
          LOOPER_INSTANCE: side.instance,
          LOOPER_OPS_PORT_PREDICTOR: String(side.opsPort),
          ...(bound === undefined ? {} : { LOOPER_DECISION_LOG_MAX_BYTES: String(bound) }),
        },
        log: (line) => serviceLog.write(`${label} ${line}`),
      });
      sides.push(side);
    }
    console.log(`# service logs: ${serviceLog.path}`);
    for (const side of sides) {
      side.client = await LooperClient.connect({ ...testConfig, natsUrl: side.natsUrl, deadlineMs: 1000 });
      await pollUntil(`predictor ${side.label} to answer`, 120_000, async () =>
        (await side.client!.decide(name, 'probe', { hour: 9 })).decisionId !== null ? true : undefined,
      );
    }
  });

  after(async () => {
    if (!(await broker.healthy().catch(() => false))) await broker.start(() => undefined);
    for (const side of sides) {
      await side.client?.close();
      await side.supervisor?.stop();
      side.nats?.kill();
      rmSync(serviceStateDir(testConfig.dataDir, 'predictor', side.instance), { recursive: true, force: true });
    }
    await admin?.disconnect();
    serviceLog.end();
  });

  it('outage - Kafka stopped 60 s under 500 decides/s, a predictor killed -9 during it: every answered decision logged once, or counted past the bound', async () => {
    const startedAt = Date.now() - 60_000;
    let deciding = true;
    let entity = 0;
    const load = sides.map(async (side) => {
      const perTick = side.decidesPerSecond / 100;
      while (deciding) {
        const tick = Date.now();
        await Promise.all(
          Array.from({ length: perTick }, async () => {
            const d = await side.client!.decide(name, `user-${entity++ % 5000}`, { hour: entity % 24 });
            if (d.decisionId === null) side.sdkAnswered++;
            else side.replied.push(d.decisionId);
          }),
        );
        await sleep(Math.max(0, 10 - (Date.now() - tick)));
      }
    });
    const heapWatch = async (until: () => boolean) => {
      while (!until()) {
        for (const side of sides) {
          const heap = (await metricsOf(side.opsPort, ['nodejs_heap_size_used_bytes']))['nodejs_heap_size_used_bytes']!;
          if (Number.isFinite(heap)) side.heapPeak = Math.max(side.heapPeak, heap);
        }
        await sleep(1000);
      }
    };

    await sleep(10_000);
    for (const side of sides) {
      side.heapBefore = (await metricsOf(side.opsPort, ['nodejs_heap_size_used_bytes']))[
        'nodejs_heap_size_used_bytes'
      ]!;
      side.heapPeak = side.heapBefore;
    }
    const stoppedAt = Date.now();
    assert.ok(await broker.stop(), 'the suite stops the broker the local stack started');
    let outageOver = false;
    const watching = heapWatch(() => outageOver);
    await sleep(KILL_AFTER_MS);
    const a = sides[0]!;
    const answeredByABeforeKill = a.replied.length;
    await a.supervisor!.kill('predictor'); // restarted a second later, on the same folder
    const killedAt = Date.now();
    await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
    outageOver = true;
    await watching;
    await broker.start(() => undefined);
    const backAt = Date.now();
    console.log(
      `# Kafka down ${((backAt - stoppedAt) / 1000).toFixed(1)} s; predictor A killed -9 ${((killedAt - stoppedAt) / 1000).toFixed(1)} s in, after ${answeredByABeforeKill} replies`,
    );
    await sleep(20_000);
    deciding = false;
    await Promise.all(load);

    // What each side's predictor counted as not logged (B only ever runs one process).
    const b = sides[1]!;
    const counted = await pollUntil('predictor B to report its decision log', 30_000, async () => {
      const m = await metricsOf(b.opsPort, ['looper_decisions_not_logged_total', 'looper_decision_log_bytes']);
      return Number.isFinite(m['looper_decisions_not_logged_total']) && m['looper_decision_log_bytes'] === 0
        ? m['looper_decisions_not_logged_total']
        : undefined;
    });
    const aCounted = (await metricsOf(a.opsPort, ['looper_decisions_not_logged_total']))[
      'looper_decisions_not_logged_total'
    ]!;

    // Every decision of the blueprint on looper.decisions, once the predictors have drained.
    const codec = await createTopicCodec(createSchemaRegistryClient(testConfig), allTopics);
    const readLogged = async () => {
      const times = new Map<string, { count: number; ts: number }>();
      for (const { message } of await readTopicToEnd(kafka, topics.decisions.name, 300_000, startedAt)) {
        const d = await codec.decode<Decision>(topics.decisions, message.value!);
        if (d.blueprint === name)
          times.set(d.decisionId, { count: (times.get(d.decisionId)?.count ?? 0) + 1, ts: d.ts });
      }
      return times;
    };
    let logged = await readLogged();
    const allReplied = sides.flatMap((s) => s.replied);
    await pollUntil('the decision logs to drain', 120_000, async () => {
      logged = await readLogged();
      const missingA = a.replied.filter((id) => !logged.has(id)).length;
      return missingA === 0 ? true : undefined;
    }).catch(() => undefined);

    // A decision is sent twice only after a send whose outcome the client cannot know (docs/operations.md,
    // "Exactly once"): here, a send in flight when the broker stopped — the broker may have written it
    // and gone before it answered. The joiner makes one example of both copies (it drops a decision id
    // it holds); the fault suite shows it through a broker restart.
    const twice = [...logged].filter(([, l]) => l.count > 1).map(([id, l]) => ({ id, ts: l.ts }));
    const missing = (side: Side) => side.replied.filter((id) => !logged.has(id));
    for (const side of sides)
      console.log(
        `# predictor ${side.label} (${side.decidesPerSecond}/s): ${side.replied.length} replies, ${side.sdkAnswered} answered by the SDK itself (no reply in time), ${missing(side).length} replied but not on looper.decisions; heap ${(side.heapBefore / 2 ** 20).toFixed(1)} MiB before the outage, peak ${(side.heapPeak / 2 ** 20).toFixed(1)} MiB during it`,
      );
    console.log(
      `# predictor B counted ${counted} decisions not logged (its log bounded at ${BOUNDED_LOG_BYTES} bytes); A's successor counted ${aCounted}; ${twice.length} decisions logged twice of ${allReplied.length}, answered ${twice.map((t) => `${((t.ts - stoppedAt) / 1000).toFixed(1)} s`).join(', ') || '-'} from the broker's stop`,
    );

    assert.deepEqual(
      twice.filter((t) => Math.abs(t.ts - stoppedAt) > IN_FLIGHT_AT_STOP_MS),
      [],
      `a decision is on looper.decisions twice only when its send was in flight as the broker stopped (answered within ${IN_FLIGHT_AT_STOP_MS / 1000} s of it)`,
    );
    assert.deepEqual(
      missing(a).slice(0, 5),
      [],
      'every decision A answered reached looper.decisions, those left on disk by its kill -9 too',
    );
    assert.ok(counted > 0, `B's 1 MiB log filled during the outage (${counted} decisions past it)`);
    assert.equal(
      missing(b).length,
      counted,
      "B's decisions missing from looper.decisions are exactly those it counted",
    );
    for (const side of sides)
      assert.ok(
        side.heapPeak - side.heapBefore < 64 * 2 ** 20,
        `predictor ${side.label}'s heap grew ${((side.heapPeak - side.heapBefore) / 2 ** 20).toFixed(1)} MiB during the outage (< 64 MiB; its decisions went to disk)`,
      );
  });
});
