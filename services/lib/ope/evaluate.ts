// The pure core of `looper evaluate BLUEPRINT --candidate FILE`: what reward would a candidate
// decision section (another policy, temperature, epsilon or explore share) have earned on the
// decisions the blueprint actually logged? The command reads looper.decisions and looper.examples;
// everything from there on is here:
//
//   joinLogs             decisions + examples → logged decisions with their rewards
//   candidateProbabilities  the candidate's P(action) for one logged decision, from its logged scores
//   evaluateCandidate    IPS, SNIPS and DR (estimators.ts) of the candidate, against the logged mean
//   formatEvaluation     the lines the command prints
//
// The candidate is re-played on the logged scores, the model's estimated mean reward per action:
// the same model, only another way of turning its estimates into an action. That is why LinUCB and
// Thompson sampling cannot be evaluated: they also need the model's confidence widths, which
// decisions do not log. The logged scores double as DR's reward model.

import { EpsilonGreedy, Softmax, type Policy } from '../bandits/policies.js';
import type { RandomSource } from '../bandits/random-source.js';
import { LooperError } from '../errors.js';
import type { BlueprintDecision, BlueprintPolicy, Decision, Example } from '../schemas/generated.js';
import { RunningMoments } from '../stats/moments.js';
import { twoSidedCritical } from '../stats/normal.js';
import { doublyRobust, ips, snips, type LoggedDecision, type OffPolicyEstimate } from './estimators.js';

/** A logged planning decision whose reward has arrived. */
export interface LoggedPlanningDecision {
  readonly decisionId: string;
  /** When it was decided, epoch milliseconds. */
  readonly ts: number;
  /** The action returned. */
  readonly action: string;
  /** The probability it had under the logged policy, explore share included. */
  readonly propensity: number;
  /** The example's label. */
  readonly reward: number;
  /** The model's estimated mean reward per action; null when no model answered. */
  readonly scores: Readonly<Record<string, number>> | null;
  /** True when the blueprint's default was returned instead of the model's choice. */
  readonly fallback: boolean;
}

/** What `joinLogs` left out, and why. */
export interface JoinSkips {
  /** Decisions without an example yet: their reward is unknown, so they are not counted. */
  readonly awaitingReward: number;
  /** Decisions of another blueprint than the one asked for. */
  readonly otherBlueprintDecisions: number;
  /** Decisions read twice (same decisionId, e.g. a redelivery): the first is kept. */
  readonly duplicateDecisions: number;
  /** Decisions whose propensity is not in (0, 1]: no importance weight can be formed from them. */
  readonly invalidPropensity: number;
  /** Examples of another blueprint. */
  readonly otherBlueprintExamples: number;
  /** Examples of this blueprint whose decision was not read (made before the window, usually). */
  readonly unknownDecision: number;
  /** Second examples of one decision: the first is kept. */
  readonly duplicateExamples: number;
}

export interface JoinedLogs {
  /** In the order of the decisions. */
  readonly logs: LoggedPlanningDecision[];
  readonly skipped: JoinSkips;
}

/** Pairs decisions with the examples that carry their rewards, by decisionId. `blueprint` keeps
 * only that blueprint's records; without it, the blueprints of the decisions are kept. */
export function joinLogs(
  decisions: readonly Decision[],
  examples: readonly Example[],
  options: { blueprint?: string } = {},
): JoinedLogs {
  const blueprints = new Set(options.blueprint === undefined ? decisions.map((d) => d.blueprint) : [options.blueprint]);
  const skipped = {
    awaitingReward: 0,
    otherBlueprintDecisions: 0,
    duplicateDecisions: 0,
    invalidPropensity: 0,
    otherBlueprintExamples: 0,
    unknownDecision: 0,
    duplicateExamples: 0,
  };
  const byId = new Map<string, Decision>();
  for (const d of decisions) {
    if (!blueprints.has(d.blueprint)) skipped.otherBlueprintDecisions += 1;
    else if (byId.has(d.decisionId)) skipped.duplicateDecisions += 1;
    else if (!(d.propensity > 0 && d.propensity <= 1)) skipped.invalidPropensity += 1;
    else byId.set(d.decisionId, d);
  }
  const rewards = new Map<string, number>();
  for (const e of examples) {
    if (!blueprints.has(e.blueprint)) skipped.otherBlueprintExamples += 1;
    else if (!byId.has(e.decisionId)) skipped.unknownDecision += 1;
    else if (rewards.has(e.decisionId)) skipped.duplicateExamples += 1;
    else rewards.set(e.decisionId, e.label);
  }
  const logs: LoggedPlanningDecision[] = [];
  for (const d of byId.values()) {
    const reward = rewards.get(d.decisionId);
    if (reward === undefined) skipped.awaitingReward += 1;
    else
      logs.push({
        decisionId: d.decisionId,
        ts: d.ts,
        action: d.action,
        propensity: d.propensity,
        reward,
        scores: d.scores,
        fallback: d.fallback,
      });
  }
  return { logs, skipped };
}

/** A candidate decision section that cannot be evaluated on these logs (retrying cannot help). */
export class CandidateError extends LooperError {
  constructor(
    readonly policy: BlueprintPolicy,
    message: string,
  ) {
    super('invalid_candidate', message);
    this.name = 'CandidateError';
  }
}

/** Logs that cannot support an evaluation; `retriable` when waiting for more rewards can help. */
export class LogDataError extends LooperError {
  constructor(
    readonly decisionId: string | null,
    message: string,
    retriable = false,
  ) {
    super('invalid_logs', message, { retriable });
    this.name = 'LogDataError';
  }
}

const INSTEAD = 'evaluate an epsilon_greedy, softmax or argmax version instead';

/** Why a policy cannot be re-played on logged scores, or null when it can. */
export function unsupportedReason(policy: BlueprintPolicy): string | null {
  switch (policy) {
    case 'epsilon_greedy':
    case 'softmax':
    case 'argmax':
      return null;
    case 'linucb':
      return `linucb needs the confidence widths of the logged model, which decisions do not log; ${INSTEAD}`;
    case 'thompson':
      return `thompson needs the posterior widths of the logged model, which decisions do not log; ${INSTEAD}`;
    case 'threshold':
      return `threshold turns a single score into one of two actions, and planning decisions log one score per action; ${INSTEAD}`;
    case 'top_k':
      return `top_k ranks candidates, it does not choose an action; ${INSTEAD}`;
    default:
      return `unknown policy ${JSON.stringify(policy)}; ${INSTEAD}`;
  }
}

/** The predictor's policy objects, so that probabilities come out exactly as it computes them. */
function policyOf(decision: BlueprintDecision): Policy {
  try {
    return newPolicy(decision);
  } catch (error) {
    if (error instanceof RangeError) throw new CandidateError(decision.policy, error.message);
    throw error;
  }
}

function newPolicy(decision: BlueprintDecision): Policy {
  switch (decision.policy) {
    case 'epsilon_greedy':
      if (decision.epsilon === null)
        throw new CandidateError(
          decision.policy,
          'epsilon_greedy needs epsilon: the share of random choices, e.g. epsilon: 0.1',
        );
      return new EpsilonGreedy(decision.epsilon);
    case 'softmax':
      if (decision.temperature === null)
        throw new CandidateError(decision.policy, 'softmax needs a temperature, e.g. temperature: 0.2');
      return new Softmax(decision.temperature);
    default:
      // argmax is greedy: ε-greedy without the random share, exact ties shared equally.
      return new EpsilonGreedy(0);
  }
}

/** The policies draw an action too; only their probabilities are used here, so any draw will do. */
const UNUSED_DRAWS: RandomSource = { next: () => 0, normal: () => 0 };

/**
 * P(action) under the candidate decision section for one logged decision: its policy over the
 * logged scores taken as the arms' means (width 0), then the explore share on top,
 * explore/K + (1 − explore)·p(a). With `scores` null (a fallback: no model answered) the policy
 * part is a point mass on the candidate's default. `{ unsupported }` says why a policy cannot be
 * re-played (linucb, thompson, threshold, top_k). Throws a CandidateError for a missing policy
 * parameter and a RangeError when the scores lack a finite score for one of the actions.
 */
export function candidateProbabilities(
  decision: BlueprintDecision,
  scores: Readonly<Record<string, number>> | null,
): Record<string, number> | { readonly unsupported: string } {
  const unsupported = unsupportedReason(decision.policy);
  if (unsupported !== null) return { unsupported };
  const { actions, explore } = decision;
  if (!(explore >= 0 && explore <= 1))
    throw new CandidateError(decision.policy, `explore must be a share in [0, 1], got ${explore}`);
  let policyPart: ArrayLike<number>;
  if (scores === null) {
    if (!actions.includes(decision.default))
      throw new CandidateError(
        decision.policy,
        `the default "${decision.default}" is not one of the actions ${actions.join(', ')}`,
      );
    policyPart = actions.map((a) => (a === decision.default ? 1 : 0));
  } else {
    const estimates = actions.map((a) => {
      const mean = scores[a];
      if (mean === undefined || !Number.isFinite(mean))
        throw new RangeError(`the logged scores need a finite score for "${a}", got ${mean}`);
      return { mean, width: 0 };
    });
    policyPart = policyOf(decision).choose(estimates, UNUSED_DRAWS).probabilities;
  }
  const uniform = explore / actions.length;
  return Object.fromEntries(actions.map((a, i) => [a, uniform + (1 - explore) * policyPart[i]!]));
}

/** A mean with its normal interval. */
export interface Interval {
  readonly value: number;
  readonly standardError: number;
  readonly low: number;
  readonly high: number;
}

export interface EvaluationOptions {
  /** Clip every importance weight at this value; default no clipping. */
  readonly maxWeight?: number;
  /** 1 − the intervals' confidence; default 0.05. */
  readonly alpha?: number;
  /** The logged blueprint's actions; default the actions the logs show (logged actions and score keys). */
  readonly loggedActions?: readonly string[];
}

export interface CandidateEvaluation {
  readonly candidate: BlueprintDecision;
  /** Logged decisions evaluated on. */
  readonly n: number;
  /** How many of them were fallbacks. */
  readonly fallbacks: number;
  /** The first and last decision times, epoch milliseconds. */
  readonly from: number;
  readonly to: number;
  /** The mean reward the logged policy earned. */
  readonly loggedValue: Interval;
  readonly ips: OffPolicyEstimate;
  /** null when the candidate takes none of the logged actions (every weight 0). */
  readonly snips: OffPolicyEstimate | null;
  readonly dr: OffPolicyEstimate;
  /** Candidate (DR) − logged, with the interval of the per-decision differences. */
  readonly difference: Interval;
  /** (Σw)²/Σw² of the importance weights: how many equally weighted decisions the log is worth. */
  readonly effectiveSampleSize: number;
  readonly warnings: string[];
}

/** Below this effective share of the log, the estimate rests on a few decisions. */
export const LOW_EFFECTIVE_SHARE = 0.1;
/** Below this many decisions, the normal intervals are rough. */
export const FEW_DECISIONS = 100;
/** Propensities this close to 1 count as deterministic logging. */
const CERTAIN = 1 - 1e-9;

function interval(terms: readonly number[], z: number): Interval {
  const m = RunningMoments.of(terms);
  const standardError = Math.sqrt(m.variance / m.n);
  return { value: m.mean, standardError, low: m.mean - z * standardError, high: m.mean + z * standardError };
}

/** 12345 → "12,345": counts in messages. */
export const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** Both sets of actions must be the same: weights compare probabilities of the same actions. */
function checkActions(
  logs: readonly LoggedPlanningDecision[],
  candidate: BlueprintDecision,
  loggedActions: readonly string[] | undefined,
): void {
  const seen = new Set<string>();
  for (const r of logs) {
    seen.add(r.action);
    if (r.scores !== null) for (const a of Object.keys(r.scores)) seen.add(a);
  }
  if (loggedActions !== undefined) {
    const stray = [...seen].filter((a) => !loggedActions.includes(a));
    if (stray.length > 0)
      throw new LogDataError(
        null,
        `the logs show actions ${stray.join(', ')} that are not among the logged blueprint's actions ${loggedActions.join(', ')}`,
      );
  }
  const logged = loggedActions ?? [...seen];
  const missing = logged.filter((a) => !candidate.actions.includes(a));
  const extra = candidate.actions.filter((a) => !logged.includes(a));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `lacks ${missing.join(', ')}` : null,
      extra.length > 0 ? `adds ${extra.join(', ')}` : null,
    ].filter((p) => p !== null);
    throw new CandidateError(
      candidate.policy,
      `the candidate's actions must be the logged blueprint's (${logged.join(', ')}), but it ${parts.join(' and ')}: the logs say nothing about an action the logged policy could not take`,
    );
  }
}

/** The mean logged reward of each action (the overall mean for an action never taken): the reward
 * model of a fallback decision, which logged no scores. */
function meanRewards(logs: readonly LoggedPlanningDecision[], actions: readonly string[]): Record<string, number> {
  const overall = RunningMoments.of(logs.map((r) => r.reward)).mean;
  const byAction = new Map(actions.map((a) => [a, new RunningMoments()]));
  for (const r of logs) byAction.get(r.action)?.add(r.reward);
  return Object.fromEntries(actions.map((a) => [a, byAction.get(a)!.n > 0 ? byAction.get(a)!.mean : overall]));
}

/**
 * The candidate's value on the logs by IPS, SNIPS and DR, against the logged policy's mean reward.
 * A fallback decision is re-played as a fallback (the candidate would have had no model either):
 * a point mass on its default under its explore share. Throws a CandidateError for a policy that
 * cannot be re-played or other actions than the logged ones, and a LogDataError for fewer than 2
 * decisions or a decision whose scores lack an action.
 */
export function evaluateCandidate(
  logs: readonly LoggedPlanningDecision[],
  candidate: BlueprintDecision,
  options: EvaluationOptions = {},
): CandidateEvaluation {
  const unsupported = unsupportedReason(candidate.policy);
  if (unsupported !== null) throw new CandidateError(candidate.policy, unsupported);
  if (logs.length < 2)
    throw new LogDataError(
      null,
      `evaluation needs at least 2 logged decisions with a reward, got ${logs.length}: wait for more rewards`,
      true,
    );
  checkActions(logs, candidate, options.loggedActions);
  const alpha = options.alpha ?? 0.05;
  const maxWeight = options.maxWeight ?? Infinity;
  const z = twoSidedCritical(alpha);
  const fallbackModel = meanRewards(logs, candidate.actions);

  const records: LoggedDecision[] = logs.map((r) => {
    if (r.scores !== null) {
      const gap = candidate.actions.find((a) => !Number.isFinite(r.scores![a]));
      if (gap !== undefined)
        throw new LogDataError(
          r.decisionId,
          `decision ${r.decisionId}: the logged scores have no finite score for "${gap}", got ${r.scores[gap]}`,
        );
    }
    const target = candidateProbabilities(candidate, r.fallback ? null : r.scores) as Record<string, number>;
    return {
      action: r.action,
      reward: r.reward,
      propensity: r.propensity,
      targetProbabilities: target,
      rewardModel: r.scores ?? fallbackModel,
    };
  });
  const estimatorOptions = { maxWeight, alpha };
  const dr = doublyRobust(records, estimatorOptions);
  const byIps = ips(records, estimatorOptions);
  let bySnips: OffPolicyEstimate | null = null;
  try {
    bySnips = snips(records, estimatorOptions);
  } catch (error) {
    // The records passed DR's checks, which SNIPS shares: its one RangeError left is every weight 0.
    if (!(error instanceof RangeError)) throw error;
  }

  // DR's per-decision terms, as doublyRobust forms them, minus the logged reward: the difference
  // is paired on each decision, so its interval is far narrower than the two intervals suggest.
  let clipped = 0;
  let unseen = 0;
  const differences = records.map((r) => {
    const raw = r.targetProbabilities[r.action]! / r.propensity;
    if (raw > maxWeight) clipped += 1;
    if (r.propensity >= CERTAIN && r.targetProbabilities[r.action]! < CERTAIN) unseen += 1;
    const w = Math.min(raw, maxWeight);
    let direct = 0;
    for (const a of candidate.actions)
      if (r.targetProbabilities[a]! > 0) direct += r.targetProbabilities[a]! * r.rewardModel![a]!;
    return (w === 0 ? direct : direct + w * (r.reward - r.rewardModel![r.action]!)) - r.reward;
  });

  const n = logs.length;
  const fallbacks = logs.filter((r) => r.fallback).length;
  const ess = dr.effectiveSampleSize;
  const warnings: string[] = [];
  if (n < FEW_DECISIONS) warnings.push(`only ${thousands(n)} logged decisions with a reward: the intervals are rough`);
  if (ess < LOW_EFFECTIVE_SHARE * n) {
    warnings.push(
      `effective sample size ${thousands(ess)} of ${thousands(n)}: the candidate differs so much from the logged policy that the estimate rests on few decisions`,
    );
  }
  if (unseen > 0) {
    warnings.push(
      `${thousands(unseen)} decisions were logged without exploration (propensity 1) where the candidate might act otherwise: IPS and SNIPS cannot see what the other actions would have earned there, and DR takes it from the logged scores`,
    );
  }
  if (clipped > 0)
    warnings.push(
      `${thousands(clipped)} importance weights were clipped at ${maxWeight}: the estimates trade variance for bias`,
    );
  if (bySnips === null)
    warnings.push('SNIPS is undefined: the candidate would never have taken any of the logged actions');
  if (fallbacks > 0)
    warnings.push(
      `${thousands(fallbacks)} of the decisions were fallbacks (no model): the candidate is assumed to fall back to its default, ${candidate.default}, there too`,
    );

  return {
    candidate,
    n,
    fallbacks,
    // A loop, not Math.min(...ts): a spread of a long log overflows the stack.
    from: logs.reduce((t, r) => Math.min(t, r.ts), Infinity),
    to: logs.reduce((t, r) => Math.max(t, r.ts), -Infinity),
    loggedValue: interval(
      logs.map((r) => r.reward),
      z,
    ),
    ips: byIps,
    snips: bySnips,
    dr,
    difference: interval(differences, z),
    effectiveSampleSize: ess,
    warnings,
  };
}
