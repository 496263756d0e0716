import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from './random.js';
import { createSimulator } from './simulator.js';
import { auc, sampleDecideRequests, summarizePolicy, weightedAuc } from './summary.js';
import { SEND, SKIP } from './product.js';

/** AUC by counting every (positive, negative) pair. */
function bruteAuc(scores: number[], labels: (0 | 1)[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((si, i) =>
    scores.forEach((sj, j) => {
      if (labels[i] !== 1 || labels[j] !== 0) return;
      pairs++;
      wins += si > sj ? 1 : si === sj ? 0.5 : 0;
    }),
  );
  return wins / pairs;
}

describe('simulator summary', () => {
  it('simulator summary - AUC is 1 for a perfect ranking, 0 reversed, one half for all ties', () => {
    assert.equal(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
    assert.equal(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
    assert.equal(auc([0.5, 0.5, 0.5], [0, 1, 1]), 0.5);
    assert.ok(Number.isNaN(auc([0.1, 0.2], [1, 1])));
  });

  it('simulator summary - AUC matches counting every pair, ties counting half', () => {
    const r = createRandom(8);
    const scores = Array.from({ length: 300 }, () => Math.round(r.next() * 20) / 20);
    const labels = scores.map((s) => (r.next() < s ? 1 : 0) as 0 | 1);
    assert.ok(Math.abs(auc(scores, labels) - bruteAuc(scores, labels)) < 1e-12);
  });

  it('simulator summary - the expected AUC of probabilities weighs each pair by its chance', () => {
    // Pairs (i click, j no click): 0.8·0.8 ranked right, 0.2·0.2 ranked wrong.
    assert.ok(Math.abs(weightedAuc([0.2, 0.8], [0.2, 0.8]) - 0.64 / 0.68) < 1e-12);
  });

  it("simulator summary - counts a policy's sends, expected clicks and unsubscribes", () => {
    const sim = createSimulator({ seed: 2, users: 20 });
    const requests = sampleDecideRequests(sim, 0, 86_400_000, 10);
    assert.deepEqual(
      requests.map((r) => r.ts),
      [0, 8_640_000, 17_280_000, 25_920_000, 34_560_000, 43_200_000, 51_840_000, 60_480_000, 69_120_000, 77_760_000],
    );
    const first = requests[0]!;
    const s = summarizePolicy(sim, requests, (r) => (r === first ? SEND : SKIP));
    const p = sim.clickProbability(first.entity, first.context);
    assert.deepEqual(s, {
      decisions: 10,
      sends: 1,
      sendRate: 0.1,
      expectedClicks: p,
      clickRate: p / 10,
      clicksPerSend: p,
      expectedUnsubscribes: sim.unsubscribeProbability(first.entity, first.context),
    });
  });
});
