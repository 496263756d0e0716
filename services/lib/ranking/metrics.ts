// Ranking quality of one ranked list (DCG, NDCG, reciprocal rank) and its mean over a sliding
// window of recent decisions, for the monitor's online NDCG@k and MRR.
//
// The gain of relevance grade rel at 0-based rank i is (2^rel − 1) / log2(i + 2) (Burges et al.,
// 2005). With click labels (1 clicked, 0 not) the numerator is 1 or 0, so one click at rank i is
// worth 1/log2(i + 2): 1 at the top, 0.63 second, 0.5 third. With relevance probabilities in [0, 1]
// (the simulator's truth) the numerator is increasing and stays in [0, 1].

import { CutoffError, GainError, PositionError, WindowSizeError } from './errors.js';

/** One shown candidate of a decision, as its training example records it. */
export interface ShownCandidate {
  /** 0-based position in the ranking returned to the caller. */
  readonly position: number;
  /** The example's label: 1 for the candidate acted on, 0 for the others (higher grades allowed). */
  readonly label: number;
}

/** Positions at or past this are refused: gains are a dense array, and no reply shows that many. */
export const MAX_SHOWN_POSITION = 10_000;

export function checkCutoff(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 1) throw new CutoffError(where, k);
}

function checkGains(gains: readonly number[], where: string): void {
  for (let i = 0; i < gains.length; i++) {
    const g = gains[i]!;
    if (!(g >= 0) || g === Infinity) throw new GainError(where, i, g);
  }
}

/** Σ over the first min(k, n) ranks of (2^gain − 1) / log2(rank + 2); no validation. */
function dcg(gains: readonly number[], k: number): number {
  const m = Math.min(k, gains.length);
  let total = 0;
  for (let i = 0; i < m; i++) total += (2 ** gains[i]! - 1) / Math.log2(i + 2);
  return total;
}

/** Discounted cumulative gain of the first k ranks of `gains` (relevance grades in rank order). */
export function dcgAt(gains: readonly number[], k: number): number {
  checkCutoff(k, 'dcgAt');
  checkGains(gains, 'dcgAt');
  return dcg(gains, k);
}

/** DCG@k divided by the DCG@k of the same gains sorted descending (the best order of this list).
 * 0 when that ideal DCG is 0 — no gain in the list: no order is better than another, and 0 keeps
 * the value a number for averages (RankingWindow leaves such lists out instead). */
export function ndcgAt(rankedGains: readonly number[], k: number): number {
  checkCutoff(k, 'ndcgAt');
  checkGains(rankedGains, 'ndcgAt');
  const ideal = dcg(
    [...rankedGains].sort((a, b) => b - a),
    k,
  );
  return ideal === 0 ? 0 : dcg(rankedGains, k) / ideal;
}

/** 1 / (rank of the first relevant item, counted from 1); 0 when none is relevant. */
export function reciprocalRank(rankedRelevant: readonly boolean[]): number {
  const first = rankedRelevant.indexOf(true);
  return first < 0 ? 0 : 1 / (first + 1);
}

/** The labels of one decision's shown candidates as gains in position order. A position with no
 * example (lost or not yet joined) counts as gain 0, not clicked: that keeps every other candidate
 * at its true discount. Positions must be whole numbers in [0, MAX_SHOWN_POSITION), each once. */
export function gainsInShownOrder(shown: readonly ShownCandidate[], where = 'gainsInShownOrder'): number[] {
  let length = 0;
  for (const { position } of shown) {
    if (!Number.isInteger(position) || position < 0 || position >= MAX_SHOWN_POSITION) {
      throw new PositionError(
        where,
        position,
        `is not a whole number in [0, ${MAX_SHOWN_POSITION}); positions are 0-based ranks in the reply`,
      );
    }
    length = Math.max(length, position + 1);
  }
  const gains = Array<number>(length).fill(0);
  const seen = new Set<number>();
  for (const { position, label } of shown) {
    if (seen.has(position))
      throw new PositionError(where, position, 'is shown twice in one decision; each position holds one candidate');
    seen.add(position);
    if (!(label >= 0) || label === Infinity) throw new GainError(where, position, label);
    gains[position] = label;
  }
  return gains;
}

export interface RankingWindowOptions {
  /** How many of the most recent decisions count, a whole number ≥ 1. */
  readonly window: number;
  /** The NDCG cutoff, a whole number ≥ 1 (the blueprint's top_k k). */
  readonly k: number;
}

export interface RankingSnapshot {
  /** Decisions in the window. */
  readonly count: number;
  /** Of those, the ones with at least one positive label: the ones that say anything about order. */
  readonly judged: number;
  /** Mean NDCG@k over the judged decisions; null when none is judged. */
  readonly ndcg: number | null;
  /** Mean reciprocal rank over the judged decisions; null when none is judged. */
  readonly mrr: number | null;
}

/** Mean NDCG@k and MRR over the last `window` decisions. A decision without any click is counted
 * (`count`) but left out of the means: counting it as 0 would make them follow the click-through
 * rate rather than the order. The mean with such decisions as 0 is ndcg × judged / count.
 *
 * Each decision's NDCG and reciprocal rank are computed once when it is added; the means are
 * summed afresh, oldest first, on every snapshot (O(window)), so they never drift. */
export class RankingWindow {
  readonly window: number;
  readonly k: number;
  private readonly ndcgs: Float64Array;
  private readonly reciprocalRanks: Float64Array;
  private readonly judgedFlags: Uint8Array;
  /** Next ring slot to write. */
  private next = 0;
  private size = 0;

  constructor(options: RankingWindowOptions) {
    if (!Number.isInteger(options.window) || options.window < 1)
      throw new WindowSizeError('RankingWindow', options.window);
    checkCutoff(options.k, 'RankingWindow');
    this.window = options.window;
    this.k = options.k;
    this.ndcgs = new Float64Array(options.window);
    this.reciprocalRanks = new Float64Array(options.window);
    this.judgedFlags = new Uint8Array(options.window);
  }

  /** Decisions in the window. */
  get count(): number {
    return this.size;
  }

  /** Adds one decision by the gains (labels) of its shown candidates in shown order. */
  add(rankedGains: readonly number[]): void {
    checkGains(rankedGains, 'RankingWindow.add');
    const judged = rankedGains.some((g) => g > 0);
    this.ndcgs[this.next] = judged ? ndcgAt(rankedGains, this.k) : 0;
    this.reciprocalRanks[this.next] = reciprocalRank(rankedGains.map((g) => g > 0));
    this.judgedFlags[this.next] = judged ? 1 : 0;
    this.next = (this.next + 1) % this.window;
    this.size = Math.min(this.size + 1, this.window);
  }

  /** Adds one decision by its shown candidates' examples (any order); see gainsInShownOrder. */
  addShown(shown: readonly ShownCandidate[]): void {
    this.add(gainsInShownOrder(shown, 'RankingWindow.addShown'));
  }

  snapshot(): RankingSnapshot {
    let judged = 0;
    let ndcgSum = 0;
    let rrSum = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = (this.next - this.size + i + this.window) % this.window;
      if (this.judgedFlags[slot] === 0) continue;
      judged++;
      ndcgSum += this.ndcgs[slot]!;
      rrSum += this.reciprocalRanks[slot]!;
    }
    return {
      count: this.size,
      judged,
      ndcg: judged === 0 ? null : ndcgSum / judged,
      mrr: judged === 0 ? null : rrSum / judged,
    };
  }
}
