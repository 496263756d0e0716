// Ranking on the real stack with a known-answer simulator: a shop shows each user the top 5 of 8
// candidate items. Whether a user clicks depends on the item's quality, on whether its topic is the
// user's hidden favourite (which the user's views reveal, through a stream feature), and on the
// position: users examine lower positions less often. The predictor orders the candidates with the
// model the trainer keeps learning from the clicks, one example per shown candidate with its
// position; the ordering's NDCG@5 is compared with the oracle's, which knows each true relevance.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { registerBlueprint } from '../../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../../services/lib/blueprint/parse.js';
import { LooperClient, type Decision } from '../../../services/sdk/index.js';
import {
  RankingSimulator,
  rankingSimulatorDefaults,
  type RankingRequest,
} from '../../../services/lib/simulator/ranking.js';
import { createRandom } from '../../../services/lib/simulator/random.js';
import { DATA_PARTITIONS } from '../../../topology/topics.js';
import type { Blueprint } from '../../../services/lib/schemas/generated.js';
import { testConfig, uniqueName } from '../../support/stack.js';
import { connectTestClients, type TestClients } from '../../support/clients.js';
import { waitForPredictor } from '../../support/cli.js';
import type { SharedServices } from '../../support/services.js';
import { pollUntil } from '../../../services/lib/poll.js';
import { readTopicToEnd } from '../../../services/lib/kafka.js';
import { topics } from '../../../topology/topics.js';
import type { Example } from '../../../services/lib/schemas/generated.js';

const K = 5;
const MEASURED = 3000;
const CONCURRENCY = 40;
/**
 * Stated bounds. The model sees the favourite only through the last topic viewed (the favourite for
 * 70 % of users), so no model can match the oracle: the best order from what the features show
 * scores about 0.92 of the oracle's NDCG@5. The learned order must come within 0.08 of that, and
 * so within 0.16 of the oracle.
 */
const MAX_GAP_TO_OBSERVABLE = 0.08;
const MIN_NDCG_SHARE = 0.84;

function blueprint(name: string, viewsTopic: string): Blueprint {
  const yaml = readFileSync('examples/shop_ranking.yaml', 'utf8')
    .replace(/^blueprint: shop_ranking\b/m, `blueprint: ${name}`)
    .replace('topic: shop.views', `topic: ${viewsTopic}`)
    .replace(/^ {2}window: 10m\b/m, '  window: 5s')
    .replace(/^ {2}publish_every: 30s\b/m, '  publish_every: 1s');
  const result = parseBlueprintYaml(yaml);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

/**
 * The best order a model can give from what it sees: the expected relevance given the last topic
 * the user viewed, which is the favourite with probability favouriteViewShare (else one of the
 * four others, uniformly).
 */
function bestObservableOrder(sim: RankingSimulator, request: RankingRequest, lastTopic: string | undefined): string[] {
  const w = sim.relevanceWeights;
  const share = rankingSimulatorDefaults.favouriteViewShare;
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const expected = (c: RankingRequest['candidates'][number]) => {
    const pFavourite = lastTopic === undefined ? 1 / 5 : c.features.topic === lastTopic ? share : (1 - share) / 4;
    return (
      pFavourite * sigmoid(w.bias + w.favourite + w.quality * c.features.quality) +
      (1 - pFavourite) * sigmoid(w.bias + w.quality * c.features.quality)
    );
  };
  return [...request.candidates].sort((a, b) => expected(b) - expected(a)).map((c) => c.id);
}

interface Shown {
  readonly request: RankingRequest;
  readonly decision: Decision;
}

export function rankingSuite(services: () => SharedServices): void {
  describe('ranking on the real stack', { timeout: 300_000 }, () => {
    const name = uniqueName('rank');
    const viewsTopic = uniqueName('shop.views');
    const sim = new RankingSimulator({ seed: 42 });
    const clicks = createRandom(7);
    const shown: Shown[] = [];
    const clicked = new Map<string, string>();
    const lastViewed = new Map<string, string>();
    const startedAt = Date.now();
    let clients: TestClients;
    let client: LooperClient;

    before(async () => {
      clients = await connectTestClients();
      await clients.admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: viewsTopic, numPartitions: DATA_PARTITIONS }],
      });
      const views = sim.viewEvents(Date.now());
      for (const v of views) lastViewed.set(v.key, v.value.topic);
      await clients.producer.send({
        topic: viewsTopic,
        acks: -1,
        messages: views.map((v) => ({ key: v.key, value: JSON.stringify(v.value), timestamp: String(v.ts) })),
      });
      await registerBlueprint({ kafka: clients.kafka, registry: clients.registry }, blueprint(name, viewsTopic));
      await services().ready('trainer');
      const probe = sim.decideRequest(createRandom(1));
      await waitForPredictor(name, probe.context, 120_000, { candidates: probe.candidates });
      client = await LooperClient.connect({ ...testConfig, deadlineMs: 1000 });
    });

    after(async () => {
      await client?.close();
      await clients?.admin.deleteTopics({ topics: [viewsTopic] }).catch(() => undefined);
      await clients?.close();
    });

    it("ranking - the learned order reaches a stated share of the oracle's NDCG@5, one example per shown candidate with its position", async () => {
      const decideOne = async (): Promise<Shown> => {
        const request = sim.decideRequest();
        const decision = await client.decide(name, request.entity, request.context, { candidates: request.candidates });
        const click = sim.clickFor(request, decision.ranking!, clicks);
        if (click !== null) {
          clicked.set(decision.decisionId!, click);
          await client.outcome(decision.decisionId!, 1, { candidateId: click });
        }
        const entry = { request, decision };
        shown.push(entry);
        return entry;
      };
      await pollUntil('the first model to rank', 180_000, async () =>
        (await Promise.all(Array.from({ length: 10 }, decideOne))).some((s) => s.decision.model !== null)
          ? true
          : undefined,
      );
      const warmUp = shown.length;
      // Learning on served traffic, then judged on the last MEASURED decisions.
      for (let i = 0; i < 2 * MEASURED; i += CONCURRENCY) {
        await Promise.all(Array.from({ length: CONCURRENCY }, decideOne));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const judged = shown.slice(-MEASURED).filter((s) => !s.decision.fallback && !s.decision.explored);
      const mean = (order: (s: Shown) => readonly string[]) =>
        judged.reduce((sum, s) => sum + sim.expectedNdcgAt(order(s), s.request, K), 0) / judged.length;
      const model = mean((s) => s.decision.ranking!);
      const requestOrder = mean((s) => s.request.candidates.map((c) => c.id));
      const byQuality = mean((s) =>
        [...s.request.candidates].sort((a, b) => b.features.quality - a.features.quality).map((c) => c.id),
      );
      const observable = mean((s) => bestObservableOrder(sim, s.request, lastViewed.get(s.request.entity)));
      console.log(
        `# ${warmUp} decisions until the first model ranked, then ${2 * MEASURED}; NDCG@5 of the last ${judged.length} model orders ${model.toFixed(3)} (oracle 1, best from what the features show ${observable.toFixed(3)}, by quality alone ${byQuality.toFixed(3)}, request order ${requestOrder.toFixed(3)})`,
      );
      assert.ok(
        shown.slice(0, 10).every((s) => s.decision.fallback),
        'before any model the candidates keep the request order',
      );
      assert.deepEqual(
        shown[0]!.decision.ranking,
        shown[0]!.request.candidates.slice(0, K).map((c) => c.id),
      );
      const last = judged.at(-1)!.decision;
      assert.equal(last.ranking!.length, K);
      assert.equal(Object.keys(last.scores ?? {}).length, 8, 'a model reply scores every candidate');
      assert.ok(model >= MIN_NDCG_SHARE, `NDCG@5 ${model} ≥ ${MIN_NDCG_SHARE} of the oracle's`);
      assert.ok(
        model >= observable - MAX_GAP_TO_OBSERVABLE,
        `NDCG@5 ${model} within ${MAX_GAP_TO_OBSERVABLE} of the best order the features allow, ${observable}`,
      );
      assert.ok(
        model > byQuality + 0.02,
        `the model ${model} uses the user's taste, not only the items' quality (${byQuality})`,
      );
    });

    it('ranking - every shown candidate becomes one example with its position, labelled 1 where clicked', async () => {
      // The label window is 5 s: wait for the last decisions' windows to close and the joiner to emit them.
      const settled = shown.slice(0, -CONCURRENCY * 20);
      const byDecision = new Map<string, Example[]>();
      await pollUntil('the examples of the settled decisions', 60_000, async () => {
        byDecision.clear();
        for (const { message } of await readTopicToEnd(clients.kafka, topics.examples.name, 120_000, startedAt)) {
          const e = await clients.codec.decode<Example>(topics.examples, message.value!);
          if (e.blueprint !== name) continue;
          byDecision.set(e.decisionId, [...(byDecision.get(e.decisionId) ?? []), e]);
        }
        return settled.every((s) => byDecision.has(s.decision.decisionId!)) ? true : undefined;
      });
      let examples = 0;
      for (const { decision } of settled) {
        const got = byDecision.get(decision.decisionId!)!;
        examples += got.length;
        const click = clicked.get(decision.decisionId!) ?? null;
        assert.deepEqual(
          got.map((e) => [e.candidateId, e.position, e.label]).sort((a, b) => (a[1] as number) - (b[1] as number)),
          decision.ranking!.map((id, position) => [id, position, id === click ? 1 : 0]),
          `decision ${decision.decisionId}`,
        );
      }
      console.log(
        `# ${settled.length} decisions: ${examples} examples, one per shown candidate; ${[...clicked.keys()].length} clicks`,
      );
    });
  });
}
