// The decision logged for a reply (schemas/Decision): one place that turns what every task's
// decide step replied, and what it alone knows, into the record on looper.decisions.
import type { Blueprint, Decision } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import type { DecideReply } from '../lib/decide/reply.js';

/** What every decide knows, whatever its task. */
export interface DecideContext {
  /** The blueprint the request named (in an experiment, the one that routes to the arm). */
  asked: Blueprint;
  /** The blueprint that decides (the arm's, in an experiment). */
  bp: Blueprint;
  entity: string;
  features: FeatureValues;
  deadlineMs: number;
  /** When the request arrived: performance.now() and its wall-clock ms. */
  started: number;
  receivedAt: number;
}

/** What only some tasks log. */
export interface DecisionExtras {
  deadlineMet: boolean;
  scores?: Record<string, number> | null;
  ranking?: string[] | null;
  candidates?: Decision['candidates'];
  apprenticeAction?: string | null;
  /** The model's own action before exploration: apprentice mode, exploration and the deadline may answer another, and agreement is measured on this one. */
  modelAction?: string | null;
}

export function decisionRecord(c: DecideContext, reply: DecideReply, extras: DecisionExtras): Decision {
  return {
    decisionId: reply.decisionId,
    blueprint: c.bp.name,
    blueprintVersion: c.bp.version,
    entity: c.entity,
    ts: c.receivedAt,
    modelVersion: reply.model,
    modelFamily: reply.family,
    score: reply.score,
    scores: extras.scores ?? null,
    action: reply.action,
    ranking: extras.ranking ?? null,
    propensity: reply.propensity,
    fallback: reply.fallback,
    fallbackReason: reply.fallbackReason ?? null,
    deadlineMs: c.deadlineMs,
    deadlineMet: extras.deadlineMet,
    latencyUs: Math.round((performance.now() - c.started) * 1000),
    features: c.features,
    candidates: extras.candidates ?? null,
    experiment: c.asked.experiment?.name ?? null,
    experimentArm: c.asked.experiment === null ? null : c.bp.name,
    shadow: null,
    apprenticeAction: extras.apprenticeAction ?? null,
    modelAction: extras.modelAction ?? null,
  };
}
