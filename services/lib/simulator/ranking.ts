// A known-answer simulator for ranking: a shop shows each user a few of its items, and the true
// probability that a user would click an item if they looked at it is known, so a learned ordering
// can be scored against the oracle's exactly.
//
// Truth. Each item has a topic (one of five) and a quality in [0, 1]; each user has one favourite
// topic. Relevance r(u, i) = σ(bias + favourite·[topic(i) = fav(u)] + quality·quality(i)); with the
// defaults (−2.5, 2, 2) it runs from σ(−2.5) = 0.076 (another topic, quality 0) through 0.378
// (favourite at quality 0, or another topic at quality 1) to σ(1.5) = 0.818.
//
// What a model can see. The favourite is hidden, but the user's views on `shop.views` reveal it:
// each view is of the favourite topic with probability favouriteViewShare (0.7), else of one of
// the other four uniformly, so the most viewed topic is the favourite for most users. Candidates
// carry `topic` and `quality`; the request's context carries the hour, which does not matter.
//
// Clicks (a position-based cascade with at most one click). The user scans the shown list top
// down. At 0-based position p they examine the item with probability e(p) = examinationDecay^p
// (1, 0.7, 0.49, 0.343, 0.24, ... with the default 0.7, the shape eye-tracking studies report) and,
// having examined it, click with probability r; the first click ends the scan. So
// P(click at p) = e(p)·r(p)·Π_{q<p} (1 − e(q)·r(q)): examination × relevance × no click above.
//
// NDCG here uses the relevance probabilities as gains (ranking/metrics.ts), with the ideal being
// all candidates of the request ordered by relevance: the oracle scores 1 by definition.
//
// Pure: users and items come from the seed alone (independent named streams); requests, views and
// clicks use the generator the caller passes or a stream of the seed.

import { dcgAt } from '../ranking/metrics.js';
import { topK } from '../ranking/order.js';
import { createRandom, type Random } from './random.js';

export const rankingTopics = {
  /** One record per item view: key the user, value the item's topic and the time. */
  views: 'shop.views',
} as const;

export const ITEM_TOPICS = ['books', 'music', 'games', 'garden', 'kitchen'] as const;
export type ItemTopic = (typeof ITEM_TOPICS)[number];

export interface RankingItem {
  /** item-00, item-01, ... */
  readonly id: string;
  /** Item i has topic ITEM_TOPICS[i mod 5]: each topic has the same number of items. */
  readonly topic: ItemTopic;
  /** Uniform in [0, 1], rounded to 3 decimals. */
  readonly quality: number;
}

export interface RankingUser {
  /** The entity of decisions and the key of view events: user-0000, user-0001, ... */
  readonly entity: string;
  /** Hidden: only the views reveal it. */
  readonly favourite: ItemTopic;
}

/** A record for the caller to produce on shop.views, keyed by user; the value names the viewed item's topic. */
export interface ViewRecord {
  topic: typeof rankingTopics.views;
  key: string;
  value: { topic: ItemTopic; ts: number };
  ts: number;
}

/** One candidate of a decide request (the shape of schemas/Decision's Candidate). */
export interface RankingCandidate {
  id: string;
  features: { topic: ItemTopic; quality: number };
}

export interface RankingRequest {
  entity: string;
  /** The user's hour, 0..23; it does not change relevance. */
  context: { hour: number };
  candidates: RankingCandidate[];
}

/** The logit of relevance: bias + favourite·[topic is the user's favourite] + quality·quality. */
export interface RelevanceWeights {
  readonly bias: number;
  readonly favourite: number;
  readonly quality: number;
}

export const DEFAULT_RELEVANCE: RelevanceWeights = { bias: -2.5, favourite: 2, quality: 2 };

export const rankingSimulatorDefaults = {
  /** Population size, ≥ 1. */
  users: 200,
  /** Catalogue size, ≥ candidates. */
  items: 50,
  /** Candidates per decide request, distinct items. */
  candidates: 8,
  /** Views per user in viewEvents, ≥ 0. */
  viewsPerUser: 12,
  /** The probability that a view is of the user's favourite topic, in [0, 1]. */
  favouriteViewShare: 0.7,
  /** e(p) = examinationDecay^p, in [0, 1]. */
  examinationDecay: 0.7,
} as const;

export interface RankingSimulatorOptions extends Partial<Record<keyof typeof rankingSimulatorDefaults, number>> {
  /** Any safe integer; the same seed gives the same users, items and views. */
  readonly seed: number;
  readonly relevance?: RelevanceWeights;
}

const DAY_MS = 86_400_000;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** i zero-padded to the width of n − 1, at least `min` digits. */
const pad = (i: number, n: number, min: number) => String(i).padStart(Math.max(String(n - 1).length, min), '0');

export class RankingSimulator {
  readonly users: readonly RankingUser[];
  readonly items: readonly RankingItem[];
  readonly candidatesPerRequest: number;
  readonly examinationDecay: number;
  readonly relevanceWeights: RelevanceWeights;
  private readonly seed: number;
  private readonly viewsPerUser: number;
  private readonly favouriteViewShare: number;
  private readonly byEntity: ReadonlyMap<string, RankingUser>;
  private readonly requestStream: Random;

  constructor(options: RankingSimulatorOptions) {
    const o = { ...rankingSimulatorDefaults, ...options };
    if (!Number.isSafeInteger(o.seed))
      throw new RangeError(`ranking simulator seed: ${o.seed} is not an integer; pass any whole number, e.g. 42`);
    for (const [name, min] of [
      ['users', 1],
      ['items', 1],
      ['candidates', 1],
      ['viewsPerUser', 0],
    ] as const) {
      if (!Number.isSafeInteger(o[name]) || o[name] < min)
        throw new RangeError(`ranking simulator ${name}: ${o[name]} is not a whole number ≥ ${min}`);
    }
    if (o.candidates > o.items)
      throw new RangeError(
        `ranking simulator candidates: ${o.candidates} per request but only ${o.items} items to draw them from`,
      );
    for (const name of ['favouriteViewShare', 'examinationDecay'] as const) {
      if (!(o[name] >= 0 && o[name] <= 1))
        throw new RangeError(`ranking simulator ${name}: ${o[name]} is not a probability in [0, 1]`);
    }
    [this.seed, this.candidatesPerRequest, this.examinationDecay] = [o.seed, o.candidates, o.examinationDecay];
    [this.viewsPerUser, this.favouriteViewShare] = [o.viewsPerUser, o.favouriteViewShare];
    this.relevanceWeights = o.relevance ?? DEFAULT_RELEVANCE;
    const root = createRandom(o.seed);
    const userRandom = root.fork('users');
    this.users = Array.from({ length: o.users }, (_, i) => ({
      entity: `user-${pad(i, o.users, 4)}`,
      favourite: userRandom.pick(ITEM_TOPICS),
    }));
    const itemRandom = root.fork('items');
    this.items = Array.from({ length: o.items }, (_, i) => ({
      id: `item-${pad(i, o.items, 2)}`,
      topic: ITEM_TOPICS[i % ITEM_TOPICS.length]!,
      quality: Math.round(itemRandom.next() * 1000) / 1000,
    }));
    this.byEntity = new Map(this.users.map((u) => [u.entity, u]));
    this.requestStream = root.fork('requests');
  }

  /** The user of `entity`; a RangeError for an entity the simulator did not create. */
  user(entity: string): RankingUser {
    const user = this.byEntity.get(entity);
    if (user === undefined)
      throw new RangeError(
        `ranking simulator: no user "${entity}"; entities run ${this.users[0]!.entity}..${this.users.at(-1)!.entity}`,
      );
    return user;
  }

  /** Every user's views in [nowMs − 1 day, nowMs), in time order: a history to warm features with.
   * The same for every call with the same nowMs (its own stream of the seed). */
  viewEvents(nowMs: number): ViewRecord[] {
    const random = createRandom(this.seed).fork('views');
    const records: ViewRecord[] = [];
    for (const { entity, favourite } of this.users) {
      const others = ITEM_TOPICS.filter((t) => t !== favourite);
      for (let v = 0; v < this.viewsPerUser; v++) {
        const topic = random.next() < this.favouriteViewShare ? favourite : random.pick(others);
        const ts = nowMs - DAY_MS + Math.floor(random.next() * DAY_MS);
        records.push({ topic: rankingTopics.views, key: entity, value: { topic, ts }, ts });
      }
    }
    return records.sort((a, b) => a.ts - b.ts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** A decide request: a uniformly drawn user and hour, and `candidates` distinct items drawn
   * uniformly (in draw order). From `random`, or from the simulator's own request stream. */
  decideRequest(random: Random = this.requestStream): RankingRequest {
    const entity = random.pick(this.users).entity;
    const hour = random.int(24);
    const pool = this.items.map((_, i) => i);
    const candidates: RankingCandidate[] = [];
    for (let c = 0; c < this.candidatesPerRequest; c++) {
      const j = c + random.int(pool.length - c);
      [pool[c], pool[j]] = [pool[j]!, pool[c]!];
      const item = this.items[pool[c]!]!;
      candidates.push({ id: item.id, features: { topic: item.topic, quality: item.quality } });
    }
    return { entity, context: { hour }, candidates };
  }

  /** r(u, i): the probability that `entity` clicks the candidate once they examine it, in (0, 1). */
  relevance(entity: string, candidate: RankingCandidate): number {
    const w = this.relevanceWeights;
    const match = candidate.features.topic === this.user(entity).favourite ? 1 : 0;
    return sigmoid(w.bias + w.favourite * match + w.quality * candidate.features.quality);
  }

  /** The probability that position p (0-based) is examined: examinationDecay^p. */
  examination(position: number): number {
    return this.examinationDecay ** position;
  }

  /** Candidate ids by true relevance, most relevant first (ties in request order). */
  oracleOrder(request: RankingRequest): string[] {
    const ids = request.candidates.map((c) => c.id);
    const order = topK(ids, this.relevances(request), ids.length, 'oracleOrder');
    return Array.from(order, (i) => ids[i]!);
  }

  /** NDCG@k of `order` (candidate ids, at least the first min(k, C) of a ranking) with true
   * relevances as gains, against the oracle's order of all the request's candidates. */
  expectedNdcgAt(order: readonly string[], request: RankingRequest, k: number): number {
    const relevances = this.relevances(request);
    const indices = this.indicesOf(request, order, 'expectedNdcgAt');
    if (indices.length < Math.min(k, relevances.length)) {
      throw new RangeError(
        `expectedNdcgAt: the order names ${indices.length} candidates but NDCG@${k} needs the first ${Math.min(k, relevances.length)}`,
      );
    }
    const ideal = dcgAt(
      [...relevances].sort((a, b) => b - a),
      k,
    );
    return (
      dcgAt(
        indices.map((i) => relevances[i]!),
        k,
      ) / ideal
    );
  }

  /** The exact expected NDCG@k of a uniformly random order: each rank holds each candidate with
   * probability 1/C, so E[DCG@k] = mean gain × Σ_{i<min(k,C)} 1/log2(i + 2). */
  randomNdcgAt(request: RankingRequest, k: number): number {
    const relevances = [...this.relevances(request)];
    const meanGain = relevances.reduce((s, r) => s + 2 ** r - 1, 0) / relevances.length;
    const discounts = dcgAt(Array<number>(relevances.length).fill(1), k);
    return (
      (meanGain * discounts) /
      dcgAt(
        relevances.sort((a, b) => b - a),
        k,
      )
    );
  }

  /** P(click at each position of `shownOrder`) under the cascade: e(p)·r(p)·Π_{q<p}(1 − e(q)·r(q)).
   * The probability of no click is 1 minus their sum. */
  clickProbabilities(request: RankingRequest, shownOrder: readonly string[]): number[] {
    const relevances = this.relevances(request);
    let noClickYet = 1;
    return this.indicesOf(request, shownOrder, 'clickProbabilities').map((index, p) => {
      const clickHere = this.examination(p) * relevances[index]!;
      const probability = noClickYet * clickHere;
      noClickYet *= 1 - clickHere;
      return probability;
    });
  }

  /** The shown candidate the user clicks, or null: one uniform draw of `random` per position scanned. */
  clickFor(request: RankingRequest, shownOrder: readonly string[], random: { next(): number }): string | null {
    const relevances = this.relevances(request);
    const indices = this.indicesOf(request, shownOrder, 'clickFor');
    for (let p = 0; p < indices.length; p++) {
      if (random.next() < this.examination(p) * relevances[indices[p]!]!) return shownOrder[p]!;
    }
    return null;
  }

  private relevances(request: RankingRequest): Float64Array {
    return Float64Array.from(request.candidates, (c) => this.relevance(request.entity, c));
  }

  /** The request indices of `order`; a RangeError for an id not among the candidates or named twice. */
  private indicesOf(request: RankingRequest, order: readonly string[], where: string): number[] {
    const index = new Map(request.candidates.map((c, i) => [c.id, i]));
    const seen = new Set<string>();
    return order.map((id) => {
      const i = index.get(id);
      if (i === undefined) throw new RangeError(`${where}: "${id}" is not a candidate of the request`);
      if (seen.has(id)) throw new RangeError(`${where}: "${id}" appears twice in the order`);
      seen.add(id);
      return i;
    });
  }
}
