// Multi-class classification on the real stack with a known answer: four classes drawn from a
// softmax of a linear function of the request's context, reported as outcomes (the class's index
// in the actions). The served top class is judged against the generator's true probabilities.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { registerBlueprint } from '../../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../../services/lib/blueprint/parse.js';
import { LooperClient, type Decision } from '../../../services/sdk/index.js';
import { LinearSoftmaxSource } from '../../../services/lib/multiclass/generator.js';
import { testConfig, uniqueName } from '../../support/stack.js';
import { connectTestClients, type TestClients } from '../../support/clients.js';
import { waitForPredictor } from '../../support/cli.js';
import { pollUntil } from '../../../services/lib/poll.js';
import type { SharedServices } from '../../support/services.js';

const CLASSES = ['red', 'green', 'blue', 'gold'];
const MEASURED = 1500;
const CONCURRENCY = 40;
/** Stated bound: the served top class's accuracy within this of the Bayes accuracy on the same requests. */
const MAX_GAP_TO_BAYES = 0.05;

const yaml = (name: string) => `
blueprint: ${name}
task: classification
entity: user
features:
  context:
    - { name: x1, type: float }
    - { name: x2, type: float }
    - { name: device, type: category, values: [ios, android, web] }
label: { window: 5s }                      # the outcome's value: the class's index in actions
decision: { policy: top_k, k: 2, actions: [${CLASSES.join(', ')}], default: red }
training: { publish_every: 1s }
`;

interface Answered {
  readonly decision: Decision;
  /** P(the served top class is right) and P(the likeliest class is right). */
  readonly served: number;
  readonly bayes: number;
}

export function multiclassSuite(services: () => SharedServices): void {
  describe('multi-class classification on the real stack', { timeout: 240_000 }, () => {
    const name = uniqueName('multi');
    const source = new LinearSoftmaxSource(21);
    const answered: Answered[] = [];
    let clients: TestClients;
    let client: LooperClient;

    before(async () => {
      clients = await connectTestClients();
      const compiled = parseBlueprintYaml(yaml(name));
      assert.ok(compiled.ok, compiled.ok ? '' : JSON.stringify(compiled.problems));
      await registerBlueprint({ kafka: clients.kafka, registry: clients.registry }, compiled.blueprint);
      await services().ready('trainer');
      await waitForPredictor(name, { x1: 0, x2: 0, device: 'ios' });
      client = await LooperClient.connect({ ...testConfig, deadlineMs: 1000 });
    });

    after(async () => {
      await client?.close();
      await clients?.close();
    });

    it('multi-class - the served top class comes within a stated gap of the Bayes accuracy, the reply naming the top 2 with probabilities', async () => {
      let entity = 0;
      const decideOne = async (): Promise<Answered> => {
        const { x, label, truth } = source.next();
        const decision = await client.decide(name, `user-${entity++ % 500}`, x);
        if (decision.decisionId) await client.outcome(decision.decisionId, CLASSES.indexOf(label));
        const served = decision.fallback ? 0 : truth[CLASSES.indexOf(decision.action)]!;
        const entry = { decision, served, bayes: Math.max(...truth) };
        answered.push(entry);
        return entry;
      };
      await pollUntil('the first model to answer', 120_000, async () =>
        (await Promise.all(Array.from({ length: 10 }, decideOne))).some((a) => a.decision.model !== null)
          ? true
          : undefined,
      );
      const warmUp = answered.length;
      while (answered.length < warmUp + 3 * MEASURED) {
        await Promise.all(Array.from({ length: CONCURRENCY }, decideOne));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const judged = answered.slice(-MEASURED).filter((a) => !a.decision.fallback);
      const mean = (f: (a: Answered) => number) => judged.reduce((s, a) => s + f(a), 0) / judged.length;
      const [served, bayes] = [mean((a) => a.served), mean((a) => a.bayes)];
      console.log(
        `# ${warmUp} decisions until the first model answered, then ${3 * MEASURED}; the last ${judged.length}: served top class right ${served.toFixed(3)} of the time, Bayes ${bayes.toFixed(3)}`,
      );
      assert.ok(
        answered[0]!.decision.fallback && answered[0]!.decision.action === 'red',
        'before any model, the default',
      );
      const last = judged.at(-1)!.decision;
      assert.equal(last.ranking!.length, 2);
      assert.equal(last.action, last.ranking![0]);
      assert.ok(
        last.ranking!.every((c) => CLASSES.includes(c)) && Object.values(last.scores!).every((p) => p > 0 && p < 1),
        JSON.stringify(last),
      );
      assert.ok(
        served >= bayes - MAX_GAP_TO_BAYES,
        `served accuracy ${served} within ${MAX_GAP_TO_BAYES} of Bayes ${bayes}`,
      );
    });
  });
}
