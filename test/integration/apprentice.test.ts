// Apprentice mode on the real stack: the caller passes its own decision with each request, Looper
// answers with it while its model learns, the rollout service measures how often the model agrees,
// and the model takes over once it agrees often enough — only then do its own decisions answer.
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
import { initBackend } from '../../services/lib/learners/index.js';
import { LooperClient } from '../../services/sdk/index.js';
import { pollUntil } from '../../services/lib/poll.js';
import type { Blueprint, Deployment } from '../../services/lib/schemas/generated.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { waitForPredictor } from '../support/cli.js';
import { publishModel, trainLogistic } from '../support/models.js';

function apprenticeBlueprint(name: string): Blueprint {
  const yaml = readFileSync('examples/notification_send.yaml', 'utf8')
    .replace(/^blueprint: notification_send\b/m, `blueprint: ${name}`)
    .replace(/^# apprentice: .*$/m, 'apprentice: { take_over_at: 90%, min_decisions: 200 }');
  const result = parseBlueprintYaml(yaml);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

describe('apprentice mode on the real stack', { timeout: 300_000 }, () => {
  const agreeing = uniqueName('apprentice_a');
  const disagreeing = uniqueName('apprentice_b');
  let clients: TestClients;
  let kafka: Kafka;
  let producer: Producer;
  let codec: TopicCodec;
  let supervisor: Supervisor | undefined;
  let client: LooperClient;

  const deployment = async (name: string): Promise<Deployment | undefined> => {
    let latest: Deployment | undefined;
    for (const { message } of await readTopicToEnd(kafka, topics.deployments.name)) {
      const d = await codec.decode<Deployment>(topics.deployments, message.value!);
      if (d.blueprint === name && (!latest || d.revision > latest.revision)) latest = d;
    }
    return latest;
  };

  /** A trained model that says "send" to everybody: it agrees with a caller who always sends. */
  const publishSendToAll = async (bp: Blueprint): Promise<string> => {
    const xs = Array.from({ length: 256 }, (_, i) => ({ hour: i % 24, platform: 'ios' }));
    const artifact = await trainLogistic(
      bp,
      xs,
      xs.map(() => 1),
      { learningRate: 0.1, epochs: 5 },
    );
    return (
      await publishModel({ producer, codec }, bp, artifact, {
        modelVersion: `${bp.name}/1`,
        sequence: 1,
        trainedOnExamples: 256,
      })
    ).modelVersion;
  };

  before(async () => {
    await initBackend();
    clients = await connectTestClients();
    ({ kafka, producer, codec } = clients);
    const registry = clients.registry;
    for (const name of [agreeing, disagreeing]) {
      const bp = (await registerBlueprint({ kafka, registry }, apprenticeBlueprint(name))).blueprint;
      await publishSendToAll(bp);
    }
    supervisor = superviseServices(['features', 'predictor', 'rollout'], { log: () => undefined });
    await waitForPredictor(agreeing, { hour: 9, platform: 'ios' });
    client = await LooperClient.connect({ ...testConfig, deadlineMs: 500 });
  });

  after(async () => {
    await client?.close();
    await supervisor?.stop();
    await clients?.close();
  });

  it("apprentice - the caller's decisions answer until the model agrees often enough, then the model takes over", async () => {
    // The model says send to everybody. One caller always sends (agreement 100 %), the other never (0 %).
    for (let i = 0; i < 250; i++) {
      const yes = await client.decide(
        agreeing,
        `user-${i}`,
        { hour: i % 24, platform: 'ios' },
        { currentAction: 'send' },
      );
      const no = await client.decide(
        disagreeing,
        `user-${i}`,
        { hour: i % 24, platform: 'ios' },
        { currentAction: 'skip' },
      );
      if (yes.apprentice !== true) break; // the model took over already: checked below
      assert.deepEqual(
        [yes.action, yes.apprentice, yes.fallback, no.action, no.apprentice],
        ['send', true, false, 'skip', true],
      );
      assert.ok(yes.score! > 0.5 && no.score! > 0.5, 'the model scores beside the caller');
    }
    const took = await pollUntil(`${agreeing}'s model to take over`, 120_000, async () => {
      const d = await deployment(agreeing);
      return d?.tookOverAt ? d : undefined;
    });
    console.log(`# ${took.transition!.reason}`);
    assert.match(
      took.transition!.reason,
      /^apprentice: the model agrees with the caller on 100\.0 % of the last 200 decisions \(take_over_at 90\.0 %\): the model decides from now on$/,
    );
    // Now the model decides, whatever the caller would have done.
    const after = await pollUntil('the predictor to let the model decide', 30_000, async () => {
      const reply = await client.decide(agreeing, 'user-x', { hour: 3, platform: 'ios' }, { currentAction: 'skip' });
      // Once the model decides, it explores (explore 10 %): an explored reply's action is drawn at random.
      return reply.apprentice === undefined && !reply.explored ? reply : undefined;
    });
    assert.equal(after.action, 'send');
    // The caller who disagrees keeps deciding.
    assert.equal((await deployment(disagreeing))?.tookOverAt ?? null, null);
    const still = await client.decide(disagreeing, 'user-y', { hour: 3, platform: 'ios' }, { currentAction: 'skip' });
    assert.deepEqual([still.action, still.apprentice], ['skip', true]);
  });
});
