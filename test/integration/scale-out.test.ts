// Scale-out on one machine, against the real stack: two instances each of features, predictor,
// joiner and trainer. The features and joiner instances split their inputs' partitions (partition p
// of every topic to one instance), each lookup reaches the instance that holds the entity's
// partition, a decision's outcomes arrive in its partition, and when the second features and joiner
// instances are killed -9 under load (with the second trainer) the first ones restore their
// partitions from the changelogs: the feature state afterwards equals a recomputation from the
// topics, every decision has exactly one example — nothing lost and nothing counted twice — and
// the blueprint goes on being trained.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Admin, Kafka } from 'kafkajs';
import type { NatsConnection } from 'nats';
import { createKafkaClient, readTopicToEnd } from '../../services/lib/kafka.js';
import { createTopicCodec } from '../../services/lib/topic-codec.js';
import { connectNats } from '../../services/lib/nats-connect.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics, topics } from '../../topology/topics.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import {
  ensureProductTopics,
  startDemo,
  demoDefaults,
  type DemoDecision,
  type DemoRun,
} from '../../services/demo/driver.js';
import { planFeatureStreams } from '../../services/lib/features/index.js';
import { requestFeatures } from '../../services/lib/features-client.js';
import { serviceStateDir } from '../../services/lib/service-paths.js';
import { consumerGroups } from '../../services/lib/names.js';
import { partitionOfKey } from '../../services/lib/partitioning/key-partition.js';
import { pollUntil } from '../../services/lib/poll.js';
import type { Blueprint, Decision, Outcome } from '../../services/lib/schemas/generated.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import { waitForPredictor } from '../support/cli.js';
import { featureStates, groupLag, loopBlueprint, settledExamples } from '../support/loop.js';
import { serviceLogFile } from '../support/service-log.js';
import { heldPartitionsIn } from '../../services/lib/partitioning/holding-line.js';

const PARTITIONS = 6;
/** The label window of this test's blueprint (shorter than loopBlueprint's, so the audit waits less). */
const LABEL_WINDOW_MS = 10_000;
/** Decisions with both instances up, and again after the takeover. */
const PHASE_DECISIONS = 1000;
/** Records older than this run are not this test's. */
const startedAt = Date.now() - 60_000;

/** The newest "holding partitions" line of `service` among an instance's lines, and the partitions it names. */
function newestHolding(lines: readonly string[], service = 'features'): { line: string; partitions: number[] } | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const partitions = heldPartitionsIn(lines[i]!, service);
    if (partitions) return { line: lines[i]!, partitions };
  }
  return null;
}

describe('scale-out: two instances each of features, predictor, joiner and trainer', { timeout: 600_000 }, () => {
  const name = uniqueName('scale');
  const secondInstance = uniqueName('second');
  let bp: Blueprint;
  let kafka: Kafka;
  let admin: Admin;
  let nats: NatsConnection;
  let first: Supervisor | undefined;
  let second: Supervisor | undefined;
  let demo: DemoRun | undefined;
  const firstLines: string[] = [];
  const secondLines: string[] = [];

  before(async () => {
    await ensureStack();
    kafka = createKafkaClient(testConfig, { clientId: 'looper-scale-test' });
    admin = kafka.admin();
    await admin.connect();
    await applyTopology(admin, createSchemaRegistryClient(testConfig), allTopics);
    await ensureProductTopics(testConfig);
    bp = (
      await registerBlueprint(
        { kafka, registry: createSchemaRegistryClient(testConfig) },
        { ...loopBlueprint(name), label: { ...loopBlueprint(name).label, windowMs: LABEL_WINDOW_MS } },
      )
    ).blueprint;
    nats = await connectNats(testConfig, 'looper-scale-test');
    const file = serviceLogFile('scale-out');
    first = superviseServices(['features', 'predictor', 'trainer', 'joiner'], {
      log: (line) => {
        firstLines.push(line);
        file.write(`a ${line}`);
      },
    });
    second = superviseServices(['features', 'predictor', 'trainer', 'joiner'], {
      env: { ...process.env, LOOPER_INSTANCE: secondInstance, LOOPER_OPS_PORT: '0' },
      log: (line) => {
        secondLines.push(line);
        file.write(`b ${line}`);
      },
    });
    console.log(`# service logs: ${file.path}`);
  });

  after(async () => {
    await demo?.stop();
    await Promise.all([first?.stop(), second?.stop()]);
    await nats?.close();
    await admin?.disconnect();
    rmSync(serviceStateDir(testConfig.dataDir, 'features', secondInstance), { recursive: true, force: true });
  });

  it('scale-out - instances split the partitions, lookups and outcomes reach the holder, and killed instances hand their state over through the changelogs', async () => {
    const log = (line: string) => console.log(`# ${line}`);
    const splitOf = (service: string) =>
      pollUntil(`both ${service} instances to hold partitions`, 120_000, async () => {
        const a = newestHolding(firstLines, service)?.partitions;
        const b = newestHolding(secondLines, service)?.partitions;
        return a && b && a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === '0,1,2,3,4,5'
          ? { a, b }
          : undefined;
      });
    const split = await splitOf('features');
    const joinerSplit = await splitOf('joiner');
    log(
      `features instance a holds partitions ${split.a.join(', ')}, instance b ${split.b.join(', ')}; joiner a ${joinerSplit.a.join(', ')}, b ${joinerSplit.b.join(', ')}`,
    );

    await waitForPredictor(name, { hour: 9, platform: 'ios' });
    const decisions: Array<DemoDecision & { at: number }> = [];
    demo = await startDemo(
      testConfig,
      { ...demoDefaults, blueprint: name, decidesPerSecond: 150 },
      { log: () => undefined, onDecision: (d) => decisions.push({ ...d, at: Date.now() }) },
    );
    // A trainer still busy with earlier blueprints' examples may take a while to publish this one's first model.
    await pollUntil('models serving nearly every decision', 240_000, () => {
      const recent = decisions.slice(-200);
      return recent.length === 200 && recent.filter((d) => !d.fallback).length >= 180 ? true : undefined;
    });
    const servedFrom = decisions.length;
    await pollUntil(`${PHASE_DECISIONS} decisions with both instances up`, 120_000, () =>
      decisions.length >= servedFrom + PHASE_DECISIONS ? true : undefined,
    );

    const killedAt = Date.now();
    const linesAtKill = firstLines.length;
    await Promise.all([second!.kill('features', false), second!.kill('joiner', false), second!.kill('trainer', false)]);
    log(`kill -9 features, joiner and trainer instances b at decision ${decisions.length}`);
    const takeoverOf = (service: string) =>
      pollUntil(`${service} instance a to hold every partition`, 120_000, async () => {
        const a = newestHolding(firstLines, service);
        return a?.partitions.join() === '0,1,2,3,4,5' ? a.line : undefined;
      });
    for (const service of ['features', 'joiner'])
      log(`${service} instance a: ${(await takeoverOf(service)).replace(/^\[\w+\] /, '')}`);
    const handedOver = Date.now();
    await pollUntil(`${PHASE_DECISIONS} more decisions after the takeover`, 120_000, () =>
      decisions.filter((d) => d.at > handedOver).length >= PHASE_DECISIONS ? true : undefined,
    );
    // The blueprint is still trained after the kill: the surviving trainer judges a continuation of
    // it, published or refused with its figures. A continuation waits for labelled examples newer
    // than itself before it may serve, so this is waited for while the product still decides.
    const judged = await pollUntil('a continuation judged by the surviving trainer', 150_000, () =>
      firstLines
        .slice(linesAtKill)
        .find(
          (l) =>
            l.includes(`[trainer] ${name}: publishing a continuation`) ||
            l.includes(`[trainer] ${name}: refused a continuation`),
        ),
    ).catch(() => null);
    log(
      `after the kill, trainer instance a: ${judged?.replace(/^.*\[trainer\] /, '').slice(0, 160) ?? 'no continuation judged'}`,
    );
    demo.pauseEvents();
    await demo.stop();
    demo = undefined;
    const pausedAt = Date.now();
    const inputTopics = planFeatureStreams([bp]).topics.map((t) => t.topic);
    await pollUntil('the features service to catch up', 120_000, async () =>
      (await groupLag(admin, consumerGroups.features, inputTopics)) === 0 ? true : undefined,
    );

    // 1. What the decide requests got: a lookup that reached no holder is a features fallback.
    const reasons = (from: number, to: number) => {
      const counts = new Map<string, number>();
      for (const d of decisions.filter((x) => x.at >= from && x.at < to)) {
        const reason = d.fallback ? (d.fallbackReason ?? 'fallback') : 'model';
        counts.set(reason, (counts.get(reason) ?? 0) + 1);
      }
      return counts;
    };
    const summary = (counts: Map<string, number>) => [...counts].map(([r, n]) => `${r} ${n}`).join(', ');
    const beforeKill = reasons(0, killedAt);
    const afterTakeover = reasons(handedOver, Number.POSITIVE_INFINITY);
    log(
      `before the kill: ${summary(beforeKill)}; during the handover: ${summary(reasons(killedAt, handedOver))}; after it: ${summary(afterTakeover)}`,
    );

    // 2. The state against a recomputation from the topics: the handover lost and doubled nothing.
    const { expected, actual } = await featureStates(kafka, bp);
    const differing = [...expected].filter(
      ([key, state]) => JSON.stringify(actual.get(key)) !== JSON.stringify(state),
    ).length;
    for (const [key, state] of [...expected]
      .filter(([k, st]) => JSON.stringify(actual.get(k)) !== JSON.stringify(st))
      .slice(0, 5))
      log(
        `differs ${key} p${partitionOfKey(key.slice(key.lastIndexOf('/') + 1), PARTITIONS)}: expected ${JSON.stringify(state).slice(0, 300)} actual ${JSON.stringify(actual.get(key)).slice(0, 300)}`,
      );
    log(
      `feature states: ${expected.size} recomputed from the topics, ${actual.size} in the changelog, ${differing} differ`,
    );

    // 3. Lookups of entities in every partition, now all answered by instance a, which restored
    //    b's partitions: the windowless feature must equal the recomputed last value exactly.
    const lastCountry = planFeatureStreams([bp])
      .blueprints.get(name)!
      .find((ref) => ref.feature === 'last_country')!;
    const entities = [...expected.keys()]
      .filter((k) => k.startsWith(`s/${lastCountry.specId}/`))
      .map((k) => k.slice(`s/${lastCountry.specId}/`.length));
    const sample = entities.filter((_, i) => i % Math.max(1, Math.floor(entities.length / 300)) === 0);
    const samplePartitions = new Set(sample.map((e) => partitionOfKey(e, PARTITIONS)));
    let answered = 0;
    let equal = 0;
    for (const entity of sample) {
      const reply = await requestFeatures(nats, name, entity, PARTITIONS, 5000);
      if (reply.values?.[0]) answered++;
      const state = expected.get(`s/${lastCountry.specId}/${entity}`) as { kind: string; value?: unknown } | undefined;
      if (state && reply.values?.[0]?.['last_country'] === state.value) equal++;
    }
    log(
      `${sample.length} entities over partitions ${[...samplePartitions].sort().join(', ')} looked up after the takeover: ${answered} answered, ${equal} with last_country equal to the recomputation`,
    );

    // 4. Decisions and their outcomes share the entity's partition: decision ids are drawn for it.
    const codec = await createTopicCodec(createSchemaRegistryClient(testConfig), allTopics);
    const decisionPartition = new Map<string, { entity: string; partition: number }>();
    for (const { partition, message } of await readTopicToEnd(kafka, topics.decisions.name, 120_000, startedAt)) {
      const d = await codec.decode<Decision>(topics.decisions, message.value!);
      if (d.blueprint === name) decisionPartition.set(d.decisionId, { entity: d.entity, partition });
    }
    let outcomes = 0;
    let outcomesElsewhere = 0;
    for (const { partition, message } of await readTopicToEnd(kafka, topics.outcomes.name, 120_000, startedAt)) {
      const o = await codec.decode<Outcome>(topics.outcomes, message.value!);
      const d = decisionPartition.get(o.decisionId);
      if (!d) continue;
      outcomes++;
      if (partition !== d.partition) outcomesElsewhere++;
    }

    // 5. Examples: exactly one per logged decision, across the joiner's handover.
    await pollUntil('the joiner to close the last windows', 180_000, async () =>
      Date.now() - pausedAt > LABEL_WINDOW_MS + 10_000 &&
      (await groupLag(admin, consumerGroups.joiner, [topics.decisions.name, topics.outcomes.name])) === 0
        ? true
        : undefined,
    );
    const examples = await settledExamples(kafka, codec, name, startedAt);
    const withoutExample = [...decisionPartition.keys()].filter((id) => !examples.has(id)).length;
    const twice = [...examples.values()].filter((n) => n > 1).length;
    log(
      `${examples.size} decisions have an example; ${withoutExample} logged decisions have none; ${twice} have more than one`,
    );

    const decisionsElsewhere = [...decisionPartition.values()].filter(
      (d) => d.partition !== partitionOfKey(d.entity, PARTITIONS),
    ).length;
    log(
      `${decisionPartition.size} decisions, ${decisionsElsewhere} outside their entity's partition; ${outcomes} outcomes, ${outcomesElsewhere} outside their decision's partition`,
    );

    assert.ok(
      split.a.every((p) => !split.b.includes(p)),
      'the instances hold disjoint partitions',
    );
    assert.ok(
      decisionPartition.size > 2 * PHASE_DECISIONS && outcomes > 100,
      `decisions (${decisionPartition.size}) and outcomes (${outcomes}) were read`,
    );
    assert.equal(decisionsElsewhere, 0, 'every decision is in its entity partition');
    assert.equal(outcomesElsewhere, 0, 'every outcome is in its decision partition');
    assert.ok(judged !== null, 'the blueprint goes on being trained after a trainer instance is killed');
    assert.equal(withoutExample, 0, 'every logged decision has its example');
    assert.equal(twice, 0, 'no decision has two examples');
    // A lookup whose subject no instance answers fails at once as features_unavailable (no responders);
    // a deadline fallback is the machine being slow, not the route.
    assert.equal(
      beforeKill.get('features_unavailable') ?? 0,
      0,
      'with both instances up, every lookup reached the instance holding its entity',
    );
    assert.ok(
      (afterTakeover.get('model') ?? 0) > PHASE_DECISIONS / 2,
      "the trainers' models served after the takeover",
    );
    assert.equal(
      afterTakeover.get('features_unavailable') ?? 0,
      0,
      'after the takeover, every lookup reached instance a',
    );
    assert.equal(differing, 0, 'the features state equals a recomputation from the topics');
    assert.ok(
      expected.size > 500 && actual.size === expected.size,
      `the same entity states exist (${expected.size} vs ${actual.size})`,
    );
    assert.equal(samplePartitions.size, PARTITIONS, 'the sample covers every partition');
    assert.equal(answered, sample.length, 'every lookup was answered');
    assert.equal(equal, sample.length, 'every looked-up value equals the recomputation');
  });
});
