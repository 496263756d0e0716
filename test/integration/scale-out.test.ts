// Scale-out on one machine, against the real stack: two instances each of features, predictor and
// trainer (one joiner). The features instances split the product topics' partitions (partition p
// of every topic to one instance), each lookup reaches the instance that holds the entity's
// partition, and when one instance is killed -9 under load the other restores its partitions from
// the changelog: the state afterwards equals a recomputation from the topics, nothing lost and
// nothing counted twice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { NatsConnection } from 'nats';
import { createKafkaClient } from '../../services/lib/kafka.js';
import { connectNats } from '../../services/lib/nats-connect.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics } from '../../topology/topics.js';
import { superviseServices, type Supervisor } from '../../services/cli/supervisor.js';
import { ensureProductTopics, startDemo, demoDefaults, type DemoDecision, type DemoRun } from '../../services/demo/driver.js';
import { planFeatureStreams } from '../../services/lib/features/index.js';
import { lookupSubject, type FeatureLookupReply } from '../../services/lib/features-client.js';
import { serviceStateDir } from '../../services/lib/service-paths.js';
import { consumerGroups } from '../../services/lib/names.js';
import { partitionOfKey } from '../../services/lib/partitioning/key-partition.js';
import { pollUntil } from '../../services/lib/poll.js';
import type { Blueprint } from '../../services/lib/schemas/generated.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import { waitForPredictor } from '../support/cli.js';
import { featureStates, groupLag, loopBlueprint } from '../support/loop.js';

const PARTITIONS = 6;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The partitions an instance said it holds, from its newest "holding partitions" line. */
function heldPartitions(lines: readonly string[]): number[] | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /\[features\] holding partitions ([\d, ]+|none);/.exec(lines[i]!);
    if (m) return m[1] === 'none' ? [] : m[1]!.split(', ').map(Number);
  }
  return null;
}

describe('scale-out: two instances each of features, predictor and trainer', { timeout: 600_000 }, () => {
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
    bp = (await registerBlueprint({ kafka, registry: createSchemaRegistryClient(testConfig) }, loopBlueprint(name))).blueprint;
    nats = await connectNats(testConfig, 'looper-scale-test');
    const file = createWriteStream(join(tmpdir(), 'looper-scale-out.log'));
    first = superviseServices(['features', 'predictor', 'trainer', 'joiner'], {
      log: (line) => {
        firstLines.push(line);
        file.write(`a ${line}\n`);
      },
    });
    second = superviseServices(['features', 'predictor', 'trainer'], {
      env: { ...process.env, LOOPER_INSTANCE: secondInstance, LOOPER_OPS_PORT: '0' },
      log: (line) => {
        secondLines.push(line);
        file.write(`b ${line}\n`);
      },
    });
    console.log(`# service logs: ${join(tmpdir(), 'looper-scale-out.log')}`);
  });

  after(async () => {
    await demo?.stop();
    await Promise.all([first?.stop(), second?.stop()]);
    await nats?.close();
    await admin?.disconnect();
    rmSync(serviceStateDir(testConfig.dataDir, 'features', secondInstance), { recursive: true, force: true });
  });

  it('features - two instances split the partitions, lookups reach the holder, and a killed instance hands its state over through the changelog', async () => {
    const log = (line: string) => console.log(`# ${line}`);
    const split = await pollUntil('both features instances to hold partitions', 120_000, async () => {
      const a = heldPartitions(firstLines);
      const b = heldPartitions(secondLines);
      return a && b && a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === '0,1,2,3,4,5' ? { a, b } : undefined;
    });
    log(`features instance a holds partitions ${split.a.join(', ')}, instance b ${split.b.join(', ')}`);

    await waitForPredictor(name, { hour: 9, platform: 'ios' });
    const decisions: Array<DemoDecision & { at: number }> = [];
    demo = await startDemo(testConfig, { ...demoDefaults, blueprint: name, decidesPerSecond: 150 }, { log: () => undefined, onDecision: (d) => decisions.push({ ...d, at: Date.now() }) });
    await pollUntil('1500 decisions with both features instances up', 120_000, () => (decisions.length >= 1500 ? true : undefined));

    const killedAt = Date.now();
    await second!.kill('features', false);
    log(`kill -9 features instance b at decision ${decisions.length}`);
    const takeover = await pollUntil('instance a to hold every partition', 120_000, async () => {
      const a = heldPartitions(firstLines);
      return a?.join() === '0,1,2,3,4,5' ? firstLines.filter((l) => l.includes('holding partitions 0, 1, 2, 3, 4, 5')).at(-1) : undefined;
    });
    log(`instance a: ${takeover.replace(/^\[features\] /, '')}`);
    const handedOver = Date.now();
    await pollUntil('1500 more decisions after the takeover', 120_000, () => (decisions.filter((d) => d.at > handedOver).length >= 1500 ? true : undefined));
    demo.pauseEvents();
    const inputTopics = planFeatureStreams([bp]).topics.map((t) => t.topic);
    await pollUntil('the features service to catch up', 120_000, async () => ((await groupLag(admin, consumerGroups.features, inputTopics)) === 0 ? true : undefined));

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
    log(`before the kill: ${summary(beforeKill)}; during the handover: ${summary(reasons(killedAt, handedOver))}; after it: ${summary(afterTakeover)}`);

    // 2. The state against a recomputation from the topics: the handover lost and doubled nothing.
    const { expected, actual } = await featureStates(kafka, bp);
    const differing = [...expected].filter(([key, state]) => JSON.stringify(actual.get(key)) !== JSON.stringify(state)).length;
    for (const [key, state] of [...expected].filter(([k, st]) => JSON.stringify(actual.get(k)) !== JSON.stringify(st)).slice(0, 5)) log(`differs ${key} p${partitionOfKey(key.slice(key.lastIndexOf('/') + 1), PARTITIONS)}: expected ${JSON.stringify(state).slice(0, 300)} actual ${JSON.stringify(actual.get(key)).slice(0, 300)}`);
    log(`feature states: ${expected.size} recomputed from the topics, ${actual.size} in the changelog, ${differing} differ`);

    // 3. Lookups of entities in every partition, now all answered by instance a, which restored
    //    b's partitions: the windowless feature must equal the recomputed last value exactly.
    const lastCountry = planFeatureStreams([bp]).blueprints.get(name)!.find((ref) => ref.feature === 'last_country')!;
    const entities = [...expected.keys()].filter((k) => k.startsWith(`s/${lastCountry.specId}/`)).map((k) => k.slice(`s/${lastCountry.specId}/`.length));
    const sample = entities.filter((_, i) => i % Math.max(1, Math.floor(entities.length / 300)) === 0);
    const samplePartitions = new Set(sample.map((e) => partitionOfKey(e, PARTITIONS)));
    let answered = 0;
    let equal = 0;
    for (const entity of sample) {
      const reply = JSON.parse(decoder.decode((await nats.request(lookupSubject(entity, PARTITIONS), encoder.encode(JSON.stringify({ blueprint: name, entities: [entity] })), { timeout: 5000 })).data)) as FeatureLookupReply;
      if (reply.values?.[0]) answered++;
      const state = expected.get(`s/${lastCountry.specId}/${entity}`) as { kind: string; value?: unknown } | undefined;
      if (state && reply.values?.[0]?.['last_country'] === state.value) equal++;
    }
    log(`${sample.length} entities over partitions ${[...samplePartitions].sort().join(', ')} looked up after the takeover: ${answered} answered, ${equal} with last_country equal to the recomputation`);

    assert.ok(split.a.every((p) => !split.b.includes(p)), 'the instances hold disjoint partitions');
    // A lookup whose subject no instance answers fails at once as features_unavailable (no responders);
    // a deadline fallback is the machine being slow, not the route.
    assert.equal(beforeKill.get('features_unavailable') ?? 0, 0, 'with both instances up, every lookup reached the instance holding its entity');
    assert.ok((beforeKill.get('model') ?? 0) > 500, 'models served before the kill');
    assert.equal(afterTakeover.get('features_unavailable') ?? 0, 0, 'after the takeover, every lookup reached instance a');
    assert.equal(differing, 0, 'the features state equals a recomputation from the topics');
    assert.ok(expected.size > 500 && actual.size === expected.size, `the same entity states exist (${expected.size} vs ${actual.size})`);
    assert.equal(samplePartitions.size, PARTITIONS, 'the sample covers every partition');
    assert.equal(answered, sample.length, 'every lookup was answered');
    assert.equal(equal, sample.length, 'every looked-up value equals the recomputation');
  });
});
