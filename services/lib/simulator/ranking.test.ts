import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from './random.js';
import {
  ITEM_TOPICS,
  RankingSimulator,
  rankingTopics,
  type ItemTopic,
  type RankingCandidate,
  type RankingRequest,
} from './ranking.js';
import { fitLogistic } from './test-learn.js';

const SIM = new RankingSimulator({ seed: 42 });
const K = 5;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const candidate = (id: string, topic: ItemTopic, quality: number): RankingCandidate => ({
  id,
  features: { topic, quality },
});
const otherTopic = (topic: ItemTopic) => ITEM_TOPICS.find((t) => t !== topic)!;

test('ranking simulator - the same seed gives the same users, items, views and requests; another seed others', () => {
  const again = new RankingSimulator({ seed: 42 });
  assert.deepEqual(again.users, SIM.users);
  assert.deepEqual(again.items, SIM.items);
  assert.deepEqual(again.viewEvents(1e12), SIM.viewEvents(1e12));
  assert.deepEqual(again.decideRequest(createRandom(5)), SIM.decideRequest(createRandom(5)));
  const other = new RankingSimulator({ seed: 43 });
  assert.notDeepEqual(other.users, SIM.users);
  assert.notDeepEqual(other.items, SIM.items);
});

test('ranking simulator - users, items and requests have the documented shapes', () => {
  assert.equal(SIM.users.length, 200);
  assert.equal(SIM.users[0]!.entity, 'user-0000');
  assert.equal(SIM.items.length, 50);
  assert.deepEqual(
    SIM.items.slice(0, 2).map((i) => [i.id, i.topic]),
    [
      ['item-00', 'books'],
      ['item-01', 'music'],
    ],
  );
  for (const topic of ITEM_TOPICS) assert.equal(SIM.items.filter((i) => i.topic === topic).length, 10);
  assert.ok(
    SIM.items.every((i) => i.quality >= 0 && i.quality <= 1 && Math.round(i.quality * 1000) === i.quality * 1000),
  );
  const random = createRandom(1);
  for (let r = 0; r < 100; r++) {
    const request = SIM.decideRequest(random);
    assert.equal(request.candidates.length, 8);
    assert.equal(new Set(request.candidates.map((c) => c.id)).size, 8);
    assert.ok(Number.isInteger(request.context.hour) && request.context.hour >= 0 && request.context.hour < 24);
    SIM.user(request.entity);
  }
});

test('ranking simulator - relevance is σ(−2.5 + 2·[favourite topic] + 2·quality)', () => {
  const entity = SIM.users[0]!.entity;
  const favourite = SIM.user(entity).favourite;
  assert.equal(SIM.relevance(entity, candidate('x', favourite, 1)), sigmoid(1.5));
  assert.equal(SIM.relevance(entity, candidate('x', favourite, 0)), sigmoid(-0.5));
  assert.equal(SIM.relevance(entity, candidate('x', otherTopic(favourite), 1)), sigmoid(-0.5));
  assert.equal(SIM.relevance(entity, candidate('x', otherTopic(favourite), 0)), sigmoid(-2.5));
});

test("ranking simulator - views on shop.views reveal each user's favourite as the most viewed topic", () => {
  const now = 1_700_000_000_000;
  const views = SIM.viewEvents(now);
  assert.equal(views.length, 200 * 12);
  const counts = new Map<string, Map<ItemTopic, number>>();
  for (let i = 0; i < views.length; i++) {
    const v = views[i]!;
    assert.equal(v.topic, rankingTopics.views);
    assert.equal(v.value.ts, v.ts);
    assert.ok(v.ts >= now - 86_400_000 && v.ts < now && (i === 0 || views[i - 1]!.ts <= v.ts));
    const byTopic = counts.get(v.key) ?? new Map<ItemTopic, number>();
    byTopic.set(v.value.topic, (byTopic.get(v.value.topic) ?? 0) + 1);
    counts.set(v.key, byTopic);
  }
  // 12 views at 70 % favourite: with seed 42 the most viewed topic is the favourite for all 200 users.
  const revealed = SIM.users.filter(
    (u) => [...counts.get(u.entity)!].sort((a, b) => b[1] - a[1])[0]![0] === u.favourite,
  );
  assert.equal(revealed.length, 200);
});

test('ranking simulator - expectedNdcgAt uses true relevances as gains against all candidates sorted', () => {
  const entity = SIM.users[0]!.entity;
  const fav = SIM.user(entity).favourite;
  const request: RankingRequest = {
    entity,
    context: { hour: 9 },
    candidates: [candidate('a', otherTopic(fav), 0), candidate('b', fav, 1), candidate('c', otherTopic(fav), 1)],
  };
  const [ra, rb, rc] = [sigmoid(-2.5), sigmoid(1.5), sigmoid(-0.5)];
  assert.deepEqual(SIM.oracleOrder(request), ['b', 'c', 'a']);
  assert.equal(SIM.expectedNdcgAt(['b', 'c', 'a'], request, 2), 1);
  assert.equal(
    SIM.expectedNdcgAt(['a', 'b'], request, 2),
    (2 ** ra - 1 + (2 ** rb - 1) / Math.log2(3)) / (2 ** rb - 1 + (2 ** rc - 1) / Math.log2(3)),
  );
  assert.throws(() => SIM.expectedNdcgAt(['b'], request, 2), {
    name: 'RangeError',
    message: 'expectedNdcgAt: the order names 1 candidates but NDCG@2 needs the first 2',
  });
  assert.throws(() => SIM.expectedNdcgAt(['b', 'z'], request, 2), {
    name: 'RangeError',
    message: 'expectedNdcgAt: "z" is not a candidate of the request',
  });
  assert.throws(() => SIM.expectedNdcgAt(['b', 'b'], request, 2), {
    name: 'RangeError',
    message: 'expectedNdcgAt: "b" appears twice in the order',
  });
});

test('ranking simulator - randomNdcgAt is the exact mean NDCG over all orders of the request', () => {
  const request = new RankingSimulator({ seed: 42, candidates: 4 }).decideRequest(createRandom(2));
  const ids = request.candidates.map((c) => c.id);
  const permutations = (xs: string[]): string[][] =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  for (const k of [1, 2, 4, 6]) {
    const all = permutations(ids);
    const mean = all.reduce((s, order) => s + SIM.expectedNdcgAt(order, request, k), 0) / all.length;
    assert.ok(Math.abs(SIM.randomNdcgAt(request, k) - mean) <= 1e-12, `k ${k}`);
  }
});

test('ranking simulator - the oracle scores 1 and beats the request order by 0.36 NDCG@5, which matches random', () => {
  // Seed 42, 2,000 requests of 8: oracle 1, request order 0.643, exact random expectation 0.638.
  const random = createRandom(7);
  const requestNdcgs: number[] = [];
  let randomSum = 0;
  for (let r = 0; r < 2000; r++) {
    const request = SIM.decideRequest(random);
    assert.equal(SIM.expectedNdcgAt(SIM.oracleOrder(request), request, K), 1);
    requestNdcgs.push(
      SIM.expectedNdcgAt(
        request.candidates.map((c) => c.id),
        request,
        K,
      ),
    );
    randomSum += SIM.randomNdcgAt(request, K);
  }
  const n = requestNdcgs.length;
  const mean = requestNdcgs.reduce((s, v) => s + v, 0) / n;
  const se = Math.sqrt(requestNdcgs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) / n);
  assert.ok(Math.abs(mean - 0.6426) < 0.0005, `request order ${mean}`);
  assert.ok(Math.abs(randomSum / n - 0.6385) < 0.0005, `random ${randomSum / n}`);
  // The candidates come in draw order, so the request order is a random order.
  assert.ok(Math.abs(mean - randomSum / n) < 4 * se, `request ${mean} vs random ${randomSum / n}, se ${se}`);
  assert.ok(1 - mean > 0.35);
});

test('ranking simulator - click probabilities are examination × relevance × no click above, and sampling matches them', () => {
  const request = SIM.decideRequest(createRandom(3));
  const shown = request.candidates.map((c) => c.id);
  const r = request.candidates.map((c) => SIM.relevance(request.entity, c));
  const p = SIM.clickProbabilities(request, shown);
  assert.deepEqual([SIM.examination(0), SIM.examination(1), SIM.examination(3)], [1, 0.7, 0.7 ** 3]);
  assert.equal(p[0], r[0]);
  assert.equal(p[1], (1 - r[0]!) * 0.7 * r[1]!);
  assert.equal(p[2], (1 - r[0]!) * (1 - 0.7 * r[1]!) * 0.49 * r[2]!);
  const draws = 200_000;
  const clicks = Array<number>(shown.length).fill(0);
  const random = createRandom(4);
  for (let d = 0; d < draws; d++) {
    const clicked = SIM.clickFor(request, shown, random);
    if (clicked !== null) clicks[shown.indexOf(clicked)]!++;
  }
  let reached = draws;
  for (let i = 0; i < shown.length; i++) {
    const se = Math.sqrt((p[i]! * (1 - p[i]!)) / draws);
    assert.ok(Math.abs(clicks[i]! / draws - p[i]!) < 4 * se, `position ${i}: ${clicks[i]! / draws} vs ${p[i]}`);
    // Given the scan reached position i, the click rate there is examination × relevance.
    const conditional = SIM.examination(i) * r[i]!;
    assert.ok(
      Math.abs(clicks[i]! / reached - conditional) < 4 * Math.sqrt((conditional * (1 - conditional)) / reached),
      `position ${i} given reached`,
    );
    reached -= clicks[i]!;
  }
});

test('ranking simulator - clickFor takes one draw per position scanned and stops at the first click', () => {
  const request = SIM.decideRequest(createRandom(3));
  const shown = request.candidates.map((c) => c.id).slice(0, 3);
  const draws = (values: number[]) => ({ next: () => values.shift() ?? 0.999 });
  assert.equal(SIM.clickFor(request, shown, draws([0])), shown[0]);
  assert.equal(SIM.clickFor(request, shown, draws([0.999, 0])), shown[1]);
  assert.equal(SIM.clickFor(request, shown, draws([])), null);
  assert.equal(SIM.clickFor(request, [], draws([0])), null);
});

test('ranking simulator - without the position feature a model over-weights what the old ranker put on top; with it relevance is recovered', () => {
  // The old ranker shows the top 5 of 8 by quality, so quality and position go together in the
  // logged clicks. Features: [favourite topic?, quality] and, for the second model, the position.
  const random = createRandom(11);
  const plain: number[][] = [];
  const positioned: number[][] = [];
  const labels: (0 | 1)[] = [];
  for (let r = 0; r < 3000; r++) {
    const request = SIM.decideRequest(random);
    const favourite = SIM.user(request.entity).favourite;
    const shown = [...request.candidates].sort((a, b) => b.features.quality - a.features.quality).slice(0, K);
    const clicked = SIM.clickFor(
      request,
      shown.map((c) => c.id),
      random,
    );
    shown.forEach((c, position) => {
      const x = [c.features.topic === favourite ? 1 : 0, c.features.quality];
      plain.push(x);
      positioned.push([...x, position]);
      labels.push(c.id === clicked ? 1 : 0);
    });
  }
  const withoutPosition = fitLogistic(plain, labels);
  const withPosition = fitLogistic(positioned, labels);
  // The logit effects of a favourite topic and of quality 0 → 1; the truth is 2 and 2 (ratio 1).
  const effects = (score: (x: number[]) => number) => ({
    favourite: score([1, 0]) - score([0, 0]),
    quality: score([0, 1]) - score([0, 0]),
  });
  const biased = effects((x) => withoutPosition.score(x));
  const corrected = effects((x) => withPosition.score([...x, 0]));
  // Measured: without position 1.38 and 6.03 (ratio 4.4); with position 1.49 and 1.58 (ratio 1.06).
  assert.ok(biased.quality / biased.favourite > 3, JSON.stringify(biased));
  assert.ok(Math.abs(corrected.quality / corrected.favourite - 1) < 0.15, JSON.stringify(corrected));
  // Ranking fresh requests at serving position 0: NDCG@5 0.904 without the position, 1.000 with it.
  const evaluation = createRandom(99);
  let [plainNdcg, positionedNdcg] = [0, 0];
  for (let r = 0; r < 1000; r++) {
    const request = SIM.decideRequest(evaluation);
    const favourite = SIM.user(request.entity).favourite;
    const order = (score: (x: number[]) => number) =>
      request.candidates
        .map((c) => ({ id: c.id, s: score([c.features.topic === favourite ? 1 : 0, c.features.quality]) }))
        .sort((a, b) => b.s - a.s)
        .map((c) => c.id);
    plainNdcg +=
      SIM.expectedNdcgAt(
        order((x) => withoutPosition.score(x)),
        request,
        K,
      ) / 1000;
    positionedNdcg +=
      SIM.expectedNdcgAt(
        order((x) => withPosition.score([...x, 0])),
        request,
        K,
      ) / 1000;
  }
  assert.ok(plainNdcg < 0.92, `without position ${plainNdcg}`);
  assert.ok(positionedNdcg > 0.995, `with position ${positionedNdcg}`);
});

test('ranking simulator - bad options, unknown users and foreign candidates are RangeErrors that say what exists', () => {
  assert.throws(() => new RankingSimulator({ seed: 1.5 }), {
    name: 'RangeError',
    message: 'ranking simulator seed: 1.5 is not an integer; pass any whole number, e.g. 42',
  });
  assert.throws(() => new RankingSimulator({ seed: 1, users: 0 }), {
    name: 'RangeError',
    message: 'ranking simulator users: 0 is not a whole number ≥ 1',
  });
  assert.throws(() => new RankingSimulator({ seed: 1, items: 5 }), {
    name: 'RangeError',
    message: 'ranking simulator candidates: 8 per request but only 5 items to draw them from',
  });
  assert.throws(() => new RankingSimulator({ seed: 1, examinationDecay: 1.2 }), {
    name: 'RangeError',
    message: 'ranking simulator examinationDecay: 1.2 is not a probability in [0, 1]',
  });
  assert.throws(() => SIM.user('user-9999'), {
    name: 'RangeError',
    message: 'ranking simulator: no user "user-9999"; entities run user-0000..user-0199',
  });
  const request = SIM.decideRequest(createRandom(3));
  assert.throws(() => SIM.clickFor(request, ['item-xx'], createRandom(1)), {
    name: 'RangeError',
    message: 'clickFor: "item-xx" is not a candidate of the request',
  });
});
