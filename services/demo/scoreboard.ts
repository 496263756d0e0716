// What the demo shows, over the most recent decisions (pure): throughput, fallbacks, the served
// model's AUC on the outcomes it produced, and the policy's expected outcome against the oracle's
// and the default policy's, from the simulator's true click probabilities.
//
// The outcome is net clicks: clicks minus the threshold for every notification sent. A threshold
// policy that sends when P(click) ≥ t says a notification costs t clicks (it is the break-even
// point), and without that cost sending to everybody would beat the oracle on clicks alone.

export interface ScoredDecision {
  at: number;
  fallback: boolean;
  score: number | null;
  sent: boolean;
  /** The simulator's true click probability if sent. */
  truth: number;
  /** Whether the oracle (send when truth ≥ threshold) would send. */
  oracleSends: boolean;
  /** The realised outcome (1 click, 0 none). */
  outcome: 0 | 1;
  /** True when the blueprint's exploration, not the model's policy, chose the action. */
  explored: boolean;
}

export interface Scoreboard {
  decisions: number;
  perSecond: number;
  fallbackShare: number;
  /** AUC of the served scores against realised clicks of sent notifications; null until both classes exist. */
  servedAuc: number | null;
  /** Expected net clicks (clicks − threshold × sends) per decision under the policy that was served. */
  policyRate: number;
  /** The same for the oracle: send exactly when the true click probability passes the threshold. */
  oracleRate: number;
  /** The same for the default policy (never send): 0. */
  defaultRate: number;
  /** (policy − default) / (oracle − default): the share of the oracle's lift the policy reached. */
  liftShare: number | null;
  /**
   * The same over the decisions exploration did not choose: the model's own choices. Exploration
   * has a price the oracle does not pay — with 10 % of actions random, even the oracle's own policy
   * would reach only about 87 % of its lift — so the two figures together say what is the model's.
   */
  ownLiftShare: number | null;
  /** The share of decisions exploration chose. */
  exploredShare: number;
}

/** Exact AUC by ranks, ties counted half. */
export function auc(scores: readonly number[], labels: readonly (0 | 1)[]): number | null {
  const order = scores.map((s, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Expected net clicks of sending a notification whose true click probability is `truth`. */
export function netClicks(truth: number, threshold: number): number {
  return truth - threshold;
}

export function summarize(window: readonly ScoredDecision[], now: number, threshold: number): Scoreboard {
  const n = window.length;
  const spanS = n > 1 ? Math.max(1e-3, (now - window[0]!.at) / 1000) : 1;
  const served = window.filter((d) => !d.fallback && d.score !== null && d.sent);
  let policy = 0;
  let oracle = 0;
  let ownPolicy = 0;
  let ownOracle = 0;
  let explored = 0;
  for (const d of window) {
    if (d.sent) policy += netClicks(d.truth, threshold);
    if (d.oracleSends) oracle += netClicks(d.truth, threshold);
    if (d.explored) explored++;
    else {
      if (d.sent) ownPolicy += netClicks(d.truth, threshold);
      if (d.oracleSends) ownOracle += netClicks(d.truth, threshold);
    }
  }
  const policyRate = n > 0 ? policy / n : 0;
  const oracleRate = n > 0 ? oracle / n : 0;
  return {
    decisions: n,
    perSecond: n / spanS,
    fallbackShare: n > 0 ? window.filter((d) => d.fallback).length / n : 0,
    servedAuc: auc(
      served.map((d) => d.score!),
      served.map((d) => d.outcome),
    ),
    policyRate,
    oracleRate,
    defaultRate: 0,
    liftShare: oracleRate > 0 ? policyRate / oracleRate : null,
    ownLiftShare: ownOracle > 0 ? ownPolicy / ownOracle : null,
    exploredShare: n > 0 ? explored / n : 0,
  };
}
