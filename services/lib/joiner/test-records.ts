// Decisions and labels for the joiner's tests.
import type { BlueprintLabel, Decision, Example } from '../schemas/generated.js';

export const T0 = 1_750_000_000_000;
export const MINUTE = 60_000;
export const WINDOW = 30 * MINUTE;

/** The label of examples/notification_send.yaml: looper.outcomes by decisionId, 30m, value 1, missing 0. */
export function outcomesLabel(change: Partial<BlueprintLabel> = {}): BlueprintLabel {
  return {
    topic: null,
    match: 'decisionId',
    windowMs: WINDOW,
    valueConstant: 1,
    valueField: null,
    missing: 0,
    entityField: null,
    format: 'json',
    ...change,
  };
}

/** A label read from app.opens events matched by entity. */
export function opensLabel(change: Partial<BlueprintLabel> = {}): BlueprintLabel {
  return {
    topic: 'app.opens',
    match: 'entity',
    windowMs: WINDOW,
    valueConstant: 1,
    valueField: null,
    missing: 0,
    entityField: null,
    format: 'json',
    ...change,
  };
}

export function decision(change: Partial<Decision> = {}): Decision {
  return {
    decisionId: '00000000-0000-4000-8000-000000000001',
    blueprint: 'notification_send',
    blueprintVersion: 3,
    entity: 'user-7',
    ts: T0,
    modelVersion: 'notification_send/12',
    modelFamily: 'logistic',
    score: 0.42,
    scores: null,
    action: 'send',
    ranking: null,
    propensity: 0.95,
    fallback: false,
    fallbackReason: null,
    deadlineMs: 20,
    deadlineMet: true,
    latencyUs: 840,
    features: {
      hour: 20,
      platform: 'ios',
      opens_1d: 4,
      session_mean_7d: 61.5,
      last_country: 'DE',
      recent: ['a', null, 2],
    },
    candidates: null,
    experiment: null,
    experimentArm: null,
    shadow: [
      { modelVersion: 'notification_send/13', score: 0.5, scores: null, action: 'send' },
      { modelVersion: 'notification_send/14', score: null, scores: null, action: null },
    ],
    apprenticeAction: null,
    modelAction: 'send',
    ...change,
  };
}

/**
 * The example the joiner makes of decision() when an outcome of 1 arrives a minute later (only the
 * shadow that scored has a shadow score). Tests of any example reader start from it and override
 * only the fields they are about, so that a new Example field changes one builder.
 */
export function exampleRecord(change: Partial<Example> = {}): Example {
  const d = decision();
  return {
    exampleId: d.decisionId,
    decisionId: d.decisionId,
    blueprint: d.blueprint,
    blueprintVersion: d.blueprintVersion,
    entity: d.entity,
    decisionTs: d.ts,
    labelTs: d.ts + MINUTE,
    features: d.features,
    candidateId: null,
    position: null,
    candidateFeatures: null,
    labelClass: null,
    ranking: null,
    label: 1,
    labelSource: 'outcome',
    action: d.action,
    propensity: d.propensity,
    modelVersion: d.modelVersion,
    score: d.score,
    shadowScores: { 'notification_send/13': 0.5 },
    fallback: d.fallback,
    experimentArm: d.experimentArm,
    weight: 1,
    ...change,
  };
}

export const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
