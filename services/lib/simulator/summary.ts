// What a policy is worth on a sample of decide requests, in expectation under the true click
// probabilities (no label noise), and how well a score can rank clicks (AUC).
import { DEFAULT_ACTION, SEND, type DecideRequest } from './product.js';
import type { Simulator } from './simulator.js';

export interface PolicySummary {
  decisions: number;
  /** Notifications sent. */
  sends: number;
  sendRate: number;
  /** Σ click probability over the sends. */
  expectedClicks: number;
  /** Expected clicks per decision: the blueprint's outcome rate (a skip never clicks). */
  clickRate: number;
  /** Expected clicks per notification sent; 0 when none is sent. */
  clicksPerSend: number;
  /** Σ unsubscribe probability over the sends. */
  expectedUnsubscribes: number;
}

/** The expected outcome of `policy` on `requests`. */
export function summarizePolicy(
  sim: Simulator,
  requests: readonly DecideRequest[],
  policy: (request: DecideRequest) => string,
): PolicySummary {
  let sends = 0;
  let expectedClicks = 0;
  let expectedUnsubscribes = 0;
  for (const request of requests) {
    if (policy(request) !== SEND) continue;
    sends++;
    expectedClicks += sim.clickProbability(request.entity, request.context);
    expectedUnsubscribes += sim.unsubscribeProbability(request.entity, request.context);
  }
  const n = requests.length;
  return {
    decisions: n,
    sends,
    sendRate: n === 0 ? 0 : sends / n,
    expectedClicks,
    clickRate: n === 0 ? 0 : expectedClicks / n,
    clicksPerSend: sends === 0 ? 0 : expectedClicks / sends,
    expectedUnsubscribes,
  };
}

/** The oracle: sends exactly when the true click probability is at least `threshold`. */
export function oracleSummary(sim: Simulator, requests: readonly DecideRequest[], threshold: number): PolicySummary {
  return summarizePolicy(sim, requests, (r) => sim.oraclePolicy(r.entity, r.context, threshold));
}

/** The blueprint's default policy, before any model: always skip, so no clicks. */
export function defaultSummary(sim: Simulator, requests: readonly DecideRequest[]): PolicySummary {
  return summarizePolicy(sim, requests, () => DEFAULT_ACTION);
}

/** Sending every notification. */
export function sendAllSummary(sim: Simulator, requests: readonly DecideRequest[]): PolicySummary {
  return summarizePolicy(sim, requests, () => SEND);
}

/** `n` decide requests at times spread evenly over [fromMs, toMs), so local hours cover the day. */
export function sampleDecideRequests(
  sim: Simulator,
  fromMs: number,
  toMs: number,
  n: number,
): Array<DecideRequest & { ts: number }> {
  return Array.from({ length: n }, (_, i) => {
    const ts = Math.floor(fromMs + ((toMs - fromMs) * i) / n);
    return { ...sim.nextDecideRequest(ts), ts };
  });
}

/** Groups of equal scores in ascending order, as index lists. */
function tiedGroups(scores: readonly number[]): number[][] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const groups: number[][] = [];
  for (const i of order) {
    const last = groups[groups.length - 1];
    if (last !== undefined && scores[last[0]!] === scores[i]) last.push(i);
    else groups.push([i]);
  }
  return groups;
}

/**
 * The AUC of `scores` for labels weighted by `positive` (the probability, or 0/1, that each is a
 * click): the chance a click outranks a non-click, ties counting half. With true probabilities as
 * both scores and weights, this is the Bayes-optimal AUC: the best any model can expect.
 */
export function weightedAuc(scores: readonly number[], positive: readonly number[]): number {
  let numerator = 0;
  let negativesBelow = 0;
  for (const group of tiedGroups(scores)) {
    const groupPositive = group.reduce((s, i) => s + positive[i]!, 0);
    const groupNegative = group.reduce((s, i) => s + (1 - positive[i]!), 0);
    // Pairs within a tie count half; a record is never paired with itself.
    const tiedPairs = groupPositive * groupNegative - group.reduce((s, i) => s + positive[i]! * (1 - positive[i]!), 0);
    numerator += groupPositive * negativesBelow + tiedPairs / 2;
    negativesBelow += groupNegative;
  }
  const totalPositive = positive.reduce((a, b) => a + b, 0);
  const pairs = totalPositive * (positive.length - totalPositive) - positive.reduce((s, p) => s + p * (1 - p), 0);
  return pairs <= 0 ? Number.NaN : numerator / pairs;
}

/** The AUC of scores for 0/1 labels. */
export function auc(scores: readonly number[], labels: readonly (0 | 1)[]): number {
  return weightedAuc(scores, labels);
}

/** The Bayes-optimal AUC on these requests: true click probabilities ranking their own Bernoulli outcomes. */
export function bayesAuc(sim: Simulator, requests: readonly DecideRequest[]): number {
  const p = requests.map((r) => sim.clickProbability(r.entity, r.context));
  return weightedAuc(p, p);
}
