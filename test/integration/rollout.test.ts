// The rollout service on the real stack, with the simulated product deciding through the predictor:
// a better candidate is shadowed then promoted, a worse one rejected, and a live model degraded on
// purpose is rolled back — each transition on looper.deployments with its reason. No trainer runs,
// so the models in play are exactly the ones this test publishes. After the first promotion the
// live model is a learned threshold model acting on its own scores (it sends to whom it scores
// high, and only those sends are labelled): the feedback loop the judgements must see through.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Kafka, Producer } from 'kafkajs';
import { readTopicToEnd } from '../../services/lib/kafka.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import type { TopicCodec } from '../../services/lib/topic-codec.js';
import { topics } from '../../topology/topics.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { startDemo, demoDefaults, type DemoRun } from '../../services/demo/driver.js';
import { initBackend } from '../../services/lib/learners/index.js';
import { measureP99Us } from '../../services/lib/learners/latency.js';
import { initialDeployment, toLive, toRetired } from '../../services/lib/rollout/transitions.js';
import { pollUntil } from '../../services/lib/poll.js';
import type { Blueprint, Deployment, Example } from '../../services/lib/schemas/generated.js';
import type { FeatureValues } from '../../services/lib/feature-values.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { constantLogistic, publishModel as publishVersion, trainLogistic } from '../support/models.js';
import { serviceLogFile } from '../support/service-log.js';

function rolloutBlueprint(name: string): Blueprint {
  const yaml = readFileSync('examples/notification_send.yaml', 'utf8')
    .replace(/^blueprint: notification_send\b/m, `blueprint: ${name}`)
    .replace(/^ {2}window: 30m\b/m, '  window: 20s')
    .replace(/^ {4}min_examples: 2000\b/m, '    min_examples: 300')
    .replace(/^ {4}metric_gain: 0.002\b/m, '    metric_gain: 0.01')
    .replace(/^ {2}canary: 10%/m, '  canary: 0%')
    .replace(/^ {4}metric_drop: 0.02\b/m, '    metric_drop: 0.05');
  const result = parseBlueprintYaml(yaml);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

/** Records older than this run are not this test's: reading from it keeps the reads short however long the stack has run. */
const startedAt = Date.now() - 60_000;

describe('rollout on the real stack', { timeout: 480_000 }, () => {
  const name = uniqueName('rollout');
  let bp: Blueprint;
  let clients: TestClients;
  let kafka: Kafka;
  let producer: Producer;
  let codec: TopicCodec;
  let supervisor: Supervisor | undefined;
  let demo: DemoRun | undefined;
  let sequence = 0;

  const deploymentHistory = async (): Promise<Deployment[]> => {
    const found: Deployment[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.deployments.name)) {
      const d = await codec.decode<Deployment>(topics.deployments, message.value!);
      if (d.blueprint === name) found.push(d);
    }
    return found.sort((a, b) => a.revision - b.revision);
  };
  const deployment = async (): Promise<Deployment | undefined> => (await deploymentHistory()).at(-1);
  const stageIn = (d: Deployment, modelVersion: string) =>
    d.shadow.includes(modelVersion) ? 'in shadow' : d.retired.includes(modelVersion) ? 'retired' : 'not deployed';
  const examplesOf = async (modelVersion: string): Promise<Example[]> => {
    const found: Example[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.examples.name, 120_000, startedAt)) {
      const e = await codec.decode<Example>(topics.examples, message.value!);
      if (e.blueprint === name && e.modelVersion === modelVersion && e.action === bp.decision.actions[0]) found.push(e);
    }
    return found;
  };
  /** Trains a logistic regression on (features, label) pairs and publishes it. */
  const publishModel = async (
    xs: FeatureValues[],
    ys: number[],
    role: 'candidate' | 'trained',
    parentVersion: string | null,
  ): Promise<string> => {
    const artifact = await trainLogistic(bp, xs, ys, { learningRate: 0.05, epochs: 5 });
    sequence++;
    const modelVersion = `${name}/${role === 'candidate' ? 'automl-' : ''}${sequence}`;
    await publishVersion({ producer, codec }, bp, artifact, {
      modelVersion,
      sequence,
      role,
      parentVersion,
      trainedOnExamples: xs.length,
      p99InferenceUs: measureP99Us(artifact, xs.slice(0, 64)),
    });
    return modelVersion;
  };
  const transitionTo = (modelVersion: string, to: string, timeoutMs: number) =>
    pollUntil(`${modelVersion} → ${to}`, timeoutMs, async () => {
      const d = await deployment();
      return d?.transition?.modelVersion === modelVersion && d.transition.to === to ? d : undefined;
    });

  before(async () => {
    await initBackend();
    clients = await connectTestClients();
    ({ kafka, producer, codec } = clients);
    const registry = clients.registry;
    bp = (await registerBlueprint({ kafka, registry }, rolloutBlueprint(name))).blueprint;
    const serviceLog = serviceLogFile('rollout');
    supervisor = superviseServices(['features', 'joiner', 'predictor', 'rollout'], {
      log: (line) => serviceLog.write(line),
    });
  });

  after(async () => {
    await demo?.stop();
    await supervisor?.stop();
    await clients?.close();
  });

  it('rollout - a better candidate is promoted, a worse one rejected, a degraded live model rolled back', async () => {
    // A first live model that sends to everybody with one constant score, so every decision teaches
    // and its window AUC is exactly 0.5: nothing for the rollback rule to mistake for a drop.
    const everybody = `${name}/${++sequence}`;
    const constant = await constantLogistic(bp, 0.9);
    await publishVersion({ producer, codec }, bp, constant, {
      modelVersion: everybody,
      sequence,
      role: 'trained',
      parentVersion: null,
      trainedOnExamples: 0,
    });
    await producer.send({
      topic: topics.deployments.name,
      acks: -1,
      messages: [
        {
          key: name,
          value: codec.encode(
            topics.deployments,
            toLive(initialDeployment(name), everybody, 'test: a first model that sends to everybody', Date.now()),
          ),
        },
      ],
    });
    demo = await startDemo(
      testConfig,
      { ...demoDefaults, blueprint: name, decidesPerSecond: 200 },
      { log: (line) => console.log(`# ${line}`) },
    );

    // 3,000, each half 1,500: a cold CI run's two-feature model learned from 750 ranked the shadow
    // traffic at auc 0.533 (0.58–0.60 in other runs) and was rightly not shown better than live.
    const logged = await pollUntil('3000 labelled examples decided by the first model', 240_000, async () => {
      const found = await examplesOf(everybody);
      return found.length >= 3000 ? found : undefined;
    });
    const xs = logged.map((e) => e.features);
    const ys = logged.map((e) => e.label);
    const shuffled = ys.map((_, i) => ys[(i * 7919) % ys.length]!);

    // 1. A model that learned the labels from two features only is better than one that sends to
    //    everybody: promoted. From now on a learned threshold model decides what is labelled.
    // (The platform and the hour: without the engagement the stream features show, a weak model.)
    const twoFeatures = xs.map((x) => ({ platform: x['platform'] ?? null, hour: x['hour'] ?? null }));
    const half = (parity: number) => ({
      xs: twoFeatures.filter((_, i) => i % 2 === parity),
      ys: ys.filter((_, i) => i % 2 === parity),
    });
    const weak = await publishModel(half(0).xs, half(0).ys, 'candidate', null);
    await transitionTo(weak, 'shadow', 60_000);
    const first = await transitionTo(weak, 'live', 180_000);
    console.log(`# ${first.transition!.reason}`);
    assert.match(
      first.transition!.reason,
      /^better than live — auc \d\.\d{4} vs live \d\.\d{4}: \+\d\.\d{4} \(98 % always-valid CI \+\d\.\d{4} to \+\d\.\d{4}; IPS-weighted, effective n \d+ of \d+\) on \d+ paired shadow examples/,
    );
    assert.equal(first.previous, everybody);

    // 2. Against that live model, a candidate equal to it (the same features, learned from the other
    //    half of the examples: as good in expectation, not in every cell) and one that learned from
    //    every feature: the better is promoted, the equal one is not.
    const equal = await publishModel(half(1).xs, half(1).ys, 'candidate', null);
    const better = await publishModel(xs, ys, 'candidate', null);
    const promoted = await transitionTo(better, 'live', 240_000);
    console.log(`# ${promoted.transition!.reason}`);
    assert.match(promoted.transition!.reason, /^better than live — auc .* IPS-weighted, effective n \d+ of \d+\)/);
    assert.equal(promoted.previous, weak);
    const history = await deploymentHistory();
    assert.ok(
      !history.some(
        (d) => d.transition?.modelVersion === equal && (d.transition.to === 'live' || d.transition.to === 'canary'),
      ),
      'the equal candidate was never promoted',
    );
    console.log(`# the equal candidate ${equal}: ${stageIn(promoted, equal)} when the better one went live`);

    // 3. A model that learned shuffled labels is worse than the live one: rejected, never served.
    const worse = await publishModel(xs, shuffled, 'candidate', null);
    const rejected = await transitionTo(worse, 'retired', 180_000);
    console.log(`# ${rejected.transition!.reason}`);
    assert.match(rejected.transition!.reason, /^rejected: cannot be better than live by 0.01 — auc/);
    assert.equal(rejected.live, better);

    // 4. The live model degraded on purpose: a "continuation" that learned inverted labels serves
    //    once the live model has a baseline, and the rollout returns to the previous model. The equal
    //    candidate still in shadow is retired first: a rollback waits for complete decisions (a label
    //    window), and meanwhile that shadow, rightly, beat the broken live model and was promoted over
    //    it in a cold CI run — the test is of the rollback.
    const current = (await deployment())!;
    if (current.shadow.includes(equal)) {
      await producer.send({
        topic: topics.deployments.name,
        acks: -1,
        messages: [
          {
            key: name,
            value: codec.encode(
              topics.deployments,
              toRetired(current, equal, 'test: the equal candidate leaves shadow', Date.now()),
            ),
          },
        ],
      });
      await pollUntil(`${equal} out of shadow`, 60_000, async () =>
        (await deployment())?.shadow.includes(equal) ? undefined : true,
      );
    }
    await pollUntil('400 labelled examples of the promoted model (its baseline window)', 120_000, async () =>
      (await examplesOf(better)).length >= 400 ? true : undefined,
    );
    // It learned the labels upside down: it ranks clicks last, an unmistakable drop.
    const degraded = await publishModel(
      xs,
      ys.map((y) => 1 - y),
      'trained',
      better,
    );
    await pollUntil(`examples decided by ${degraded}`, 120_000, async () =>
      (await examplesOf(degraded)).length > 0 ? true : undefined,
    );
    const rolledBack = await transitionTo(better, 'retired', 240_000);
    console.log(`# ${rolledBack.transition!.reason}`);
    assert.match(
      rolledBack.transition!.reason,
      new RegExp(`^rolled back to ${weak}: dropped past rollback_if.metric_drop 0.05, beyond noise — auc`),
    );
    assert.equal(rolledBack.live, weak);
    assert.ok(rolledBack.retired.includes(better) && rolledBack.retired.includes(worse));
  });
});
