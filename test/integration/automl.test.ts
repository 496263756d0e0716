// AutoML on the real stack, as a user runs it: examples on looper.examples, `looper automl run`
// in a terminal, the candidate and its deployment on their topics, and the predictor serving it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { readTopicToEnd } from '../../services/lib/kafka.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import type { TopicCodec } from '../../services/lib/topic-codec.js';
import { SeededRandom } from '../../services/lib/learners/random.js';
import { topics } from '../../topology/topics.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { LooperClient } from '../../services/sdk/index.js';
import { pollUntil } from '../../services/lib/poll.js';
import type { Deployment, Example, ModelVersion } from '../../services/lib/schemas/generated.js';
import type { SearchRecordJson } from '../../services/automl/search-record.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { looper } from '../support/cli.js';

const TEACHING = 4000;
const NOT_TEACHING = 200;

function blueprintYaml(name: string, topic: string): string {
  return `
blueprint: ${name}
description: AutoML test — positives inside a disk, which a linear model cannot draw.
task: classification
entity: user
features:
  context:
    - { name: x, type: float }
    - { name: y, type: float }
  streams:
    - { name: pings_1d, topic: ${topic}, aggregate: count, window: 1d }
label: { source: looper.outcomes, window: 30m, missing: 0 }
decision: { policy: threshold, threshold: 0.5, actions: [yes, no], default: no, explore: 5% }
objective: { metric: auc }
automl: { families: [logistic, gbdt], budget: 8 }
training: { publish_every: 2s }
rollout: { rollback_if: { metric_drop: 0.05 } }
`;
}

/** Labels from the disk x² + y² < 0.5 with 10 % flipped; pings_1d is noise the label ignores. */
function examples(name: string, version: number, now: number, seed = 5): Example[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: TEACHING + NOT_TEACHING }, (_, i) => {
    const x = random.uniform(-1, 1);
    const y = random.uniform(-1, 1);
    const inside = x * x + y * y < 0.5;
    const decisionTs = now - (TEACHING + NOT_TEACHING - i) * 1000;
    const id = randomUUID();
    return {
      exampleId: id,
      decisionId: id,
      blueprint: name,
      blueprintVersion: version,
      entity: `user-${i % 500}`,
      decisionTs,
      labelTs: decisionTs + 1000,
      features: { x, y, pings_1d: Math.floor(random.next() * 20) },
      candidateId: null,
      position: null,
      candidateFeatures: null,
      labelClass: null,
      ranking: null,
      label: random.next() < 0.1 ? (inside ? 0 : 1) : inside ? 1 : 0,
      labelSource: 'outcome',
      action: i % 21 === 20 ? 'no' : 'yes',
      propensity: 1,
      modelVersion: null,
      score: null,
      shadowScores: null,
      fallback: true,
      experimentArm: null,
      weight: 1,
    } satisfies Example;
  }).slice(0, TEACHING + NOT_TEACHING);
}

/** Records older than this run are not this test's: reading from it keeps the reads short however long the stack has run. */
const startedAt = Date.now() - 60_000;

describe('automl on the real stack', { timeout: 400_000 }, () => {
  const name = uniqueName('automl');
  const empty = uniqueName('automl_empty');
  const topic = uniqueName('test.automl.pings');
  let clients: TestClients;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let codec: TopicCodec;
  let supervisor: Supervisor | undefined;
  let version = 0;

  /**
   * Teaching examples decided now, after everything the candidate learned: the trainer holds its
   * continuation pending until such examples show it is not worse (services/trainer/continuation-gate.ts).
   */
  const freshExamples = (count: number, seed: number): Example[] => {
    const now = Date.now();
    return examples(name, version, now, seed)
      .filter((e) => e.action === 'yes')
      .slice(0, count)
      .map((e, i) => ({ ...e, decisionTs: now + i, labelTs: now + i + 1000 }));
  };

  before(async () => {
    clients = await connectTestClients();
    ({ kafka, admin, producer, codec } = clients);
    const registry = clients.registry;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6 }] });
    const parse = (yaml: string) => {
      const result = parseBlueprintYaml(yaml);
      assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
      return result.blueprint;
    };
    const bp = (await registerBlueprint({ kafka, registry }, parse(blueprintYaml(name, topic)))).blueprint;
    version = bp.version;
    await registerBlueprint({ kafka, registry }, parse(blueprintYaml(empty, topic)));
    const all = examples(name, bp.version, Date.now());
    for (let i = 0; i < all.length; i += 500) {
      await producer.send({
        topic: topics.examples.name,
        acks: -1,
        messages: all.slice(i, i + 500).map((e) => ({ key: e.blueprint, value: codec.encode(topics.examples, e) })),
      });
    }
    supervisor = superviseServices(['features', 'predictor'], { log: () => undefined });
  });

  after(async () => {
    await supervisor?.stop();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await clients?.close();
  });

  it('looper automl run - prints a leaderboard and a Pareto front, publishes the choice, and the predictor serves it', async () => {
    const { code, out } = await looper(['automl', 'run', name, '--budget', '8', '--promote']);
    console.log(
      out
        .split('\n')
        .map((l) => `# ${l}`)
        .join('\n'),
    );
    assert.equal(code, 0, out);
    assert.match(
      out,
      new RegExp(
        `${TEACHING} examples teach ${name}'s score \\(${NOT_TEACHING} do not, 0 duplicates, 0 undecodable\\)`,
      ),
    );
    // Users take turns, so every one of them straddles a plain time cut (which gave 3200 and 800);
    // the split keeps each whole: the users seen latest validate, whole, until they hold about a
    // fifth of the examples. The data are the same every run, so the counts are exact.
    assert.match(out, /train on 3195 examples of the entities seen earlier, validate on 805 of those seen latest/);
    assert.match(out, /leaderboard \(by auc/);
    assert.match(out, /Pareto front/);
    assert.match(out, /chosen: gbdt has the best auc/);
    assert.match(out, /pings_1d: dropped/);
    assert.match(out, new RegExp(`published ${name}/automl-\\d+`));

    const candidates: ModelVersion[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.models.name, 30_000, startedAt)) {
      const mv = await codec.decode<ModelVersion>(topics.models, message.value!);
      if (mv.blueprint === name) candidates.push(mv);
    }
    assert.equal(candidates.length, 1);
    const candidate = candidates[0]!;
    assert.equal(candidate.role, 'candidate');
    assert.equal(candidate.family, 'gbdt');
    assert.deepEqual(candidate.featureNames, ['x', 'y']);
    assert.ok(candidate.metrics['auc']! > 0.85, `auc ${candidate.metrics['auc']}`);
    assert.ok(candidate.p99InferenceUs !== null && candidate.p99InferenceUs < 1000);
    const record = JSON.parse(candidate.search!) as SearchRecordJson;
    assert.ok(record.leaderboard.length <= 8);
    assert.ok(record.split !== undefined, 'the search record says how it split');
    assert.ok(record.split.crossed.toTrain.entities + record.split.crossed.toValidation.entities > 0);
    assert.deepEqual(record.droppedFeatures, ['pings_1d']);

    const deployments: Deployment[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.deployments.name)) {
      const d = await codec.decode<Deployment>(topics.deployments, message.value!);
      if (d.blueprint === name) deployments.push(d);
    }
    assert.equal(deployments.length, 1);
    assert.equal(deployments[0]!.live, candidate.modelVersion);
    assert.match(
      deployments[0]!.transition!.reason,
      /automl search .*gbdt has the best auc.*Made live at once \(looper automl run --promote\)/,
    );

    const client = await LooperClient.connect({ ...testConfig, deadlineMs: 500 });
    try {
      const inside = await pollUntil(`the predictor to serve ${candidate.modelVersion}`, 60_000, async () => {
        const reply = await client.decide(name, 'user-1', { x: 0, y: 0 }).catch(() => undefined);
        // A fallback names the model and its score too, but answers the default: wait for the
        // features service to answer (on a cold stack it may still be taking its partitions).
        // An explored decision answers a random action: wait for one the model chose.
        return reply?.model === candidate.modelVersion && !reply.fallback && !reply.explored ? reply : undefined;
      });
      const outside = await pollUntil('a decision outside the disk the model chose', 30_000, async () => {
        const reply = await client.decide(name, 'user-1', { x: 0.95, y: -0.95 });
        return reply.explored ? undefined : reply;
      });
      assert.ok(
        inside.score! > 0.7 && outside.score! < 0.3,
        `scores ${inside.score} inside, ${outside.score} outside the disk`,
      );
      assert.equal(inside.action, 'yes');
      assert.equal(outside.action, 'no');
    } finally {
      await client.close();
    }
  });

  it('the trainer carries on with the chosen configuration, and the predictor serves its continuation', async () => {
    supervisor!.start('trainer');
    const versions = new Map<string, ModelVersion>();
    const readVersions = async () => {
      for (const { message } of await readTopicToEnd(kafka, topics.models.name, 30_000, startedAt)) {
        const mv = await codec.decode<ModelVersion>(topics.models, message.value!);
        if (mv.blueprint === name) versions.set(mv.modelVersion, mv);
      }
    };
    const client = await LooperClient.connect({ ...testConfig, deadlineMs: 500 });
    try {
      let seed = 100;
      const reply = await pollUntil(
        'a trained continuation of the candidate to serve',
        180_000,
        async () => {
          await producer.send({
            topic: topics.examples.name,
            acks: -1,
            messages: freshExamples(100, seed++).map((e) => ({
              key: e.blueprint,
              value: codec.encode(topics.examples, e),
            })),
          });
          const r = await client.decide(name, 'user-2', { x: 0.1, y: 0.1 }).catch(() => undefined);
          return r?.model && !r.model.includes('/automl-') ? r : undefined;
        },
        1000,
      );
      await readVersions();
      const served = versions.get(reply.model!)!;
      assert.equal(served.role, 'trained');
      assert.equal(served.family, 'gbdt', "the trainer keeps AutoML's family rather than its own side-by-side pair");
      let origin = served;
      while (origin.parentVersion !== null && versions.has(origin.parentVersion))
        origin = versions.get(origin.parentVersion)!;
      assert.equal(origin.role, 'candidate', `${served.modelVersion} descends from ${origin.modelVersion}`);
      assert.match(origin.modelVersion, /\/automl-\d+$/);
      assert.ok(reply.score! > 0.5, `score ${reply.score} inside the disk`);

      // The scheduled full retrain, on demand: the serving configuration from scratch, as a candidate.
      const { code, out } = await looper(['automl', 'retrain', name]);
      assert.equal(code, 0, out);
      const published =
        /published (\S+\/retrain-\d+): gbdt of (\S+) retrained from scratch on (\d+) examples \(auc (0\.\d{4}) on the (\d+) held out, of the entities seen latest\)/.exec(
          out,
        );
      assert.ok(published, out);
      // How many fresh examples the wait above sent varies from run to run, so the retrain's counts
      // are checked against what it replayed: every teaching example lands on exactly one side.
      const replayed = /(\d+) examples teach/.exec(out);
      assert.ok(replayed, out);
      assert.equal(Number(published[3]) + Number(published[5]), Number(replayed[1]), out);
      await readVersions();
      const retrained = versions.get(published[1]!)!;
      assert.deepEqual([retrained.role, retrained.family, retrained.parentVersion], ['candidate', 'gbdt', null]);
      assert.deepEqual(JSON.parse(retrained.search!).kind, 'retrain');
      assert.ok(versions.get(published[2]!)?.role === 'trained', `${published[2]} is the trained version that served`);
      assert.ok(Number(published[4]) > 0.85);
    } finally {
      await client.close();
    }
  });

  it('looper automl run - a blueprint without enough examples gets a clear error and nothing is published', async () => {
    const { code, out } = await looper(['automl', 'run', empty]);
    assert.equal(code, 1);
    assert.match(
      out,
      new RegExp(
        `blueprint ${empty} has 0 examples to learn from .*a search needs 500: let decisions and outcomes flow longer`,
      ),
    );
  });
});
