// The fault suite (npm run test:faults; too long for npm test's budget): under steady load from the
// simulated product, every service is killed with SIGKILL in turn and restarted by its supervisor,
// then the Kafka broker and NATS are restarted (an external NATS is not this suite's to restart: the
// services and the simulated product then run against a NATS the suite starts). The run is then
// audited by id: what every decide request got, which replied decisions reached looper.decisions,
// that every logged decision whose window closed has exactly one example, that the features
// service's state equals a recomputation from the topics, and that models serve again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { createKafkaClient, readTopicToEnd } from '../../services/lib/kafka.js';
import type { TopicCodec } from '../../services/lib/topic-codec.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics, topics } from '../../topology/topics.js';
import { createTopicCodec } from '../../services/lib/topic-codec.js';
import { serviceNames, superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { startDemo, demoDefaults, type DemoDecision } from '../../services/demo/driver.js';
import { planFeatureStreams } from '../../services/lib/features/index.js';
import { consumerGroups } from '../../services/lib/names.js';
import { createKafka } from '../../deploy/local/kafka.js';
import { createNats } from '../../deploy/local/nats.js';
import type { StackComponent } from '../../deploy/local/component.js';
import type { LooperConfig } from '../../services/lib/config.js';
import type { Blueprint, Decision, Example } from '../../services/lib/schemas/generated.js';
import { pollUntil } from '../../services/lib/poll.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import { freePort } from '../support/ports.js';
import { waitForPredictor } from '../support/cli.js';
import { featureStates, groupLag, loopBlueprint, settledExamples } from '../support/loop.js';
import { serviceLogFile } from '../support/service-log.js';
import { randomUUID } from 'node:crypto';
import { connectNats } from '../../services/lib/nats-connect.js';
import { subjects } from '../../services/lib/names.js';
import type { OutcomeReply } from '../../services/lib/outcome/reply.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const startedAt = Date.now() - 60_000;
/** Time between two faults: long enough for the killed service to come back and catch up. */
const BETWEEN_FAULTS_MS = 12_000;
const LABEL_WINDOW_MS = 20_000;

describe('faults under load on the real stack', { timeout: 900_000 }, () => {
  const name = uniqueName('faults');
  let bp: Blueprint;
  let supervisor: Supervisor | undefined;
  let admin: Admin;
  const kafka = createKafkaClient(testConfig, { clientId: 'looper-faults' });
  const faults: Array<{ what: string; at: number; until: number }> = [];
  /** The NATS the services and the product use, which the suite restarts. */
  let config: LooperConfig = testConfig;
  let nats: StackComponent;
  let ownNatsDir: string | null = null;
  /** Services that logged getting their NATS connection back (only the NATS restart makes them). */
  const reconnectedToNats = new Set<string>();

  before(async () => {
    await ensureStack();
    nats = createNats(testConfig);
    if (nats.managedPid() === null) {
      ownNatsDir = mkdtempSync(join(tmpdir(), 'looper-faults-nats-'));
      config = { ...testConfig, natsUrl: `nats://127.0.0.1:${await freePort()}`, dataDir: ownNatsDir };
      nats = createNats(config);
      await nats.start((line) => console.log(`# ${line}`));
      console.log(
        `# NATS at ${testConfig.natsUrl} is external: the services and the product use the suite's own at ${config.natsUrl}`,
      );
    }
    admin = kafka.admin();
    await admin.connect();
    const registry = createSchemaRegistryClient(testConfig);
    await applyTopology(admin, registry, allTopics);
    bp = (await registerBlueprint({ kafka, registry }, loopBlueprint(name))).blueprint;
    const serviceLog = serviceLogFile('faults');
    supervisor = superviseServices(serviceNames, {
      env: { ...process.env, LOOPER_NATS_URL: config.natsUrl },
      log: (line) => {
        serviceLog.write(line);
        const reconnect = /^\[([\w-]+)\] nats: reconnected/.exec(line);
        if (reconnect) reconnectedToNats.add(reconnect[1]!);
      },
    });
    console.log(`# service logs: ${serviceLog.path}`);
  });

  after(async () => {
    await supervisor?.stop();
    await admin?.disconnect().catch(() => undefined);
    if (ownNatsDir !== null) {
      await nats.stop();
      rmSync(ownNatsDir, { recursive: true, force: true });
    }
  });

  /** The predictor's reply to an outcome reported while the broker is down (asked right after it stopped). */
  let outcomeWhileKafkaDown: Promise<unknown> = Promise.resolve(null);

  it('faults - every service killed -9 in turn, the broker and NATS restarted: nothing duplicated, examples complete, state recomputable, models serve again', async () => {
    const decisions: Array<DemoDecision & { receivedAt: number }> = [];
    const log = (line: string) => console.log(`# ${line}`);
    await waitForPredictor(name, { hour: 9, platform: 'ios' }, 120_000, {}, config);
    const run = await startDemo(
      config,
      { ...demoDefaults, blueprint: name, decidesPerSecond: 150 },
      { log: () => undefined, onDecision: (d) => decisions.push({ ...d, receivedAt: Date.now() }) },
    );
    const servedShare = (n: number) => {
      const recent = decisions.slice(-n);
      return recent.length < n ? 0 : recent.filter((d) => !d.fallback).length / n;
    };
    try {
      await pollUntil('a model serving before the faults', 240_000, () =>
        servedShare(300) >= 0.95 ? true : undefined,
      );
      for (const service of serviceNames) {
        const at = Date.now();
        await supervisor!.kill(service); // restarted by the supervisor a second later
        faults.push({ what: `kill -9 ${service}`, at, until: at + BETWEEN_FAULTS_MS });
        log(`kill -9 ${service} at decision ${decisions.length}`);
        await sleep(BETWEEN_FAULTS_MS);
      }
      const broker = createKafka(testConfig);
      const at = Date.now();
      await broker.stop();
      outcomeWhileKafkaDown = reportOutcome(config);
      await sleep(3000);
      await broker.start(() => undefined);
      faults.push({ what: 'Kafka broker restart', at, until: Date.now() + BETWEEN_FAULTS_MS });
      log(`Kafka broker restarted in ${((Date.now() - at) / 1000).toFixed(1)} s`);
      await sleep(BETWEEN_FAULTS_MS);
      const natsAt = Date.now();
      await nats.stop();
      await nats.start(() => undefined);
      faults.push({ what: 'NATS restart', at: natsAt, until: Date.now() + BETWEEN_FAULTS_MS });
      log(`NATS (${config.natsUrl}) restarted in ${((Date.now() - natsAt) / 1000).toFixed(1)} s`);
      await pollUntil('every service to say it reconnected to NATS', 60_000, () =>
        serviceNames.every((s) => reconnectedToNats.has(s)) ? true : undefined,
      ).catch(() => undefined);
      log(`services that logged their NATS reconnection: ${[...reconnectedToNats].sort().join(', ') || 'none'}`);
      await pollUntil('models serving again after the faults', 240_000, () =>
        servedShare(300) >= 0.95 ? true : undefined,
      );
    } finally {
      run.pauseEvents();
      await sleep(1000);
      // Outcomes being tried again after the NATS restart finish (the product's 60 s), not cut by the stop.
      await run.stop({ settleMs: 70_000 });
    }
    const lastDecisionAt = Date.now();

    // 1. What every request got.
    const byReason = new Map<string, number>();
    for (const d of decisions)
      byReason.set(
        d.fallback ? (d.fallbackReason ?? 'fallback') : 'model',
        (byReason.get(d.fallback ? (d.fallbackReason ?? 'fallback') : 'model') ?? 0) + 1,
      );
    log(
      `${decisions.length} decide requests answered: ${[...byReason].map(([r, n]) => `${r} ${n}`).join(', ')}; client-side failures ${run.errors()} (${Object.entries(
        run.failures(),
      )
        .map(([what, n]) => `${what} ${n}`)
        .join(', ')})`,
    );

    for (const [what, reasons] of Object.entries(run.failureReasons()))
      for (const reason of reasons) log(`${what} failed at ${reason}`);

    // 2. Replied decisions against the decision log.
    await pollUntil('the joiner to close the last windows', 180_000, async () =>
      Date.now() - lastDecisionAt > LABEL_WINDOW_MS + 10_000 &&
      (await groupLag(admin, consumerGroups.joiner, [topics.decisions.name, topics.outcomes.name])) === 0
        ? true
        : undefined,
    );
    const codec = await createTopicCodec(createSchemaRegistryClient(testConfig), allTopics);
    const logged = new Map<string, Decision>();
    let duplicateDecisions = 0;
    for (const { message } of await readTopicToEnd(kafka, topics.decisions.name, 300_000, startedAt)) {
      const d = await codec.decode<Decision>(topics.decisions, message.value!);
      if (d.blueprint !== name) continue;
      if (logged.has(d.decisionId)) duplicateDecisions++;
      logged.set(d.decisionId, d);
    }
    const replied = decisions.filter((d) => d.decisionId !== null);
    const lost = replied.filter((d) => !logged.has(d.decisionId!));
    log(
      `${replied.length} replies carried a decision id; ${logged.size} decisions logged; ${lost.length} replied but not logged; ${duplicateDecisions} logged twice`,
    );

    // 3. Examples: exactly one per logged decision, its window closed.
    const examples = await settledExamples(kafka, codec, name, startedAt);
    const missing = [...logged.keys()].filter((id) => !examples.has(id));
    const twice = [...examples.values()].filter((n) => n > 1).length;
    log(
      `${examples.size} decisions have an example; ${missing.length} logged decisions have none; ${twice} have more than one`,
    );
    const doubled = [...examples].filter(([, n]) => n > 1).map(([id]) => id);
    // Printed, not yet asserted: a CI run found 795 decisions with an example that this read of
    // looper.decisions did not return (28,891 read, 29,686 with examples), near its 750 unreachable decides.
    const unread = [...examples.keys()].filter((id) => !logged.has(id));
    const clientSaw = new Map(decisions.filter((d) => d.decisionId !== null).map((d) => [d.decisionId!, d]));
    log(
      `${unread.length} decisions have an example but were not read from looper.decisions; of them ${unread.filter((id) => clientSaw.has(id)).length} were replies the product got`,
    );
    for (const id of unread.slice(0, 5)) {
      const d = clientSaw.get(id);
      log(
        `unread ${id}: ${d === undefined ? 'no reply carried it' : `replied ${new Date(d.receivedAt).toISOString()} (${d.fallback ? (d.fallbackReason ?? 'fallback') : 'model'})`}`,
      );
    }
    if (doubled.length > 0 || unread.length > 0)
      await describeExamples(kafka, codec, name, startedAt, new Set([...doubled, ...unread.slice(0, 5)]), log);

    // 4. Feature state against a recomputation from the topics.
    const inputTopics = planFeatureStreams([bp]).topics.map((t) => t.topic);
    await pollUntil('the features service to catch up', 180_000, async () =>
      (await groupLag(admin, consumerGroups.features, inputTopics)) === 0 ? true : undefined,
    );
    const { expected, actual } = await featureStates(kafka, bp);
    const differing = [...expected].filter(
      ([key, state]) => JSON.stringify(actual.get(key)) !== JSON.stringify(state),
    ).length;
    log(
      `feature states: ${expected.size} recomputed from the topics, ${actual.size} in the changelog, ${differing} differ`,
    );
    for (const f of faults) log(`fault: ${f.what} at ${new Date(f.at).toISOString().slice(11, 19)}`);

    assert.deepEqual(
      [...reconnectedToNats].sort(),
      [...serviceNames].sort(),
      'every service says it lost NATS and got it back',
    );
    assert.deepEqual(
      run.failures(),
      { decide: 0, outcome: 0, event: 0 },
      'no client-side failure: every decide answered, every outcome and product event taken',
    );
    const downReply = await outcomeWhileKafkaDown;
    log(`an outcome reported while Kafka was down got ${JSON.stringify(downReply)}`);
    const down = downReply as { ok?: boolean; error?: { code?: string } } | null;
    assert.deepEqual(
      { ok: down?.ok, code: down?.error?.code },
      { ok: false, code: 'unavailable' },
      'an outcome Kafka cannot take is refused as unavailable, never acknowledged',
    );
    assert.equal(duplicateDecisions, 0, 'no decision logged twice');
    assert.equal(twice, 0, 'no decision has two examples');
    assert.deepEqual(missing, [], 'every logged decision has its example');
    assert.equal(differing, 0, 'the features state equals a recomputation from the topics');
    assert.ok(
      expected.size > 500 && actual.size === expected.size,
      `the same entity states exist (${expected.size} vs ${actual.size})`,
    );
    // A decision replied just before its predictor was killed may not have reached Kafka (the log is
    // written after the reply, in batches of a few ms): losses are allowed only right at that kill.
    const predictorKill = faults.find((f) => f.what === 'kill -9 predictor')!;
    const outsideKill = lost.filter((d) => Math.abs(d.receivedAt - predictorKill.at) > 2000);
    assert.deepEqual(
      outsideKill.map((d) => d.decisionId),
      [],
      "decisions are lost only at the predictor's own kill",
    );
  });
});

/**
 * Prints every example of some decisions. Of a decision with more than one, the same exampleId
 * twice is a record produced twice (the outbox); two ids are two joins of one decision (the join's state).
 */
async function describeExamples(
  kafka: Kafka,
  codec: TopicCodec,
  blueprint: string,
  fromTs: number,
  decisionIds: ReadonlySet<string>,
  log: (line: string) => void,
): Promise<void> {
  for (const { partition, message } of await readTopicToEnd(kafka, topics.examples.name, 300_000, fromTs)) {
    const e = await codec.decode<Example>(topics.examples, message.value!);
    if (e.blueprint !== blueprint || !decisionIds.has(e.decisionId)) continue;
    log(
      `${e.decisionId}: example ${e.exampleId} label ${e.label} (${e.labelSource}) at ${e.labelTs}, ` +
        `decided ${e.decisionTs}; examples partition ${partition} offset ${message.offset}, produced ${message.timestamp}`,
    );
  }
}

/** One outcome reported over NATS as a product without the SDK would: the predictor's reply, or the request's error. */
async function reportOutcome(config: LooperConfig): Promise<unknown> {
  const nats = await connectNats(config, 'looper-faults-outcome');
  try {
    const body = new TextEncoder().encode(JSON.stringify({ decisionId: randomUUID(), value: 1 }));
    const reply = await nats.request(subjects.outcome, body, { timeout: 15_000 });
    return JSON.parse(new TextDecoder().decode(reply.data)) as OutcomeReply;
  } catch (error) {
    return { requestFailed: error instanceof Error ? error.message : String(error) };
  } finally {
    await nats.drain();
  }
}
