// What one version is judged by (pure): a tally of scores and true click probabilities, and the
// figures it gives against the oracle (send exactly when the truth passes the threshold).

/** The decision-loop test's threshold: send when the score (or, for the oracle, the truth) is at least this. */
export const THRESHOLD = 0.3;

export interface Tally {
  n: number;
  modelSends: number;
  oracleSends: number;
  modelTruth: number;
  oracleTruth: number;
  scoreSum: number;
  truthSum: number;
  /** Σ (truth − threshold) where the model sends, and where the oracle sends: net clicks (services/demo/scoreboard.ts). */
  modelNet: number;
  oracleNet: number;
}

export const emptyTally = (): Tally => ({
  n: 0,
  modelSends: 0,
  oracleSends: 0,
  modelTruth: 0,
  oracleTruth: 0,
  scoreSum: 0,
  truthSum: 0,
  modelNet: 0,
  oracleNet: 0,
});

export function tallyAdd(t: Tally, score: number, truth: number): void {
  t.n++;
  t.scoreSum += score;
  t.truthSum += truth;
  if (score >= THRESHOLD) {
    t.modelSends++;
    t.modelTruth += truth;
    t.modelNet += truth - THRESHOLD;
  }
  if (truth >= THRESHOLD) {
    t.oracleSends++;
    t.oracleTruth += truth;
    t.oracleNet += truth - THRESHOLD;
  }
}

export interface Figures {
  sendRate: number;
  oracleSendRate: number;
  /** sendRate − oracleSendRate */
  gap: number;
  /** Σ truth where the model sends / Σ truth where the oracle sends */
  share: number;
  /** net clicks where the model sends / where the oracle sends (at most 1) */
  netShare: number;
  /** mean score − mean truth (calibration in the large) */
  bias: number;
  n: number;
}

export function figures(t: Tally): Figures {
  return {
    sendRate: t.modelSends / t.n,
    oracleSendRate: t.oracleSends / t.n,
    gap: (t.modelSends - t.oracleSends) / t.n,
    share: t.modelTruth / t.oracleTruth,
    netShare: t.modelNet / t.oracleNet,
    bias: (t.scoreSum - t.truthSum) / t.n,
    n: t.n,
  };
}
