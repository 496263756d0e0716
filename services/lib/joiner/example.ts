// From a pending decision and a label to the Example on looper.examples: the features exactly as
// logged at decision time (copied, never recomputed), and the label with where it came from.
import type { FeatureValues } from '../feature-values.js';
import type { Decision, Example, LabelSource } from '../schemas/generated.js';
import type { DecisionSnapshot, PendingDecision, PendingLabel, ShownCandidate } from './records.js';

function copyFeatures(features: FeatureValues): FeatureValues {
  const copy: FeatureValues = {};
  for (const [name, value] of Object.entries(features)) copy[name] = Array.isArray(value) ? value.slice() : value;
  return copy;
}

/** What the joiner keeps of a decision: what an Example copies, with the shadow scores collected. */
export function snapshotDecision(decision: Decision): DecisionSnapshot {
  const shadow = (decision.shadow ?? []).filter((s) => s.score !== null);
  return {
    decisionId: decision.decisionId,
    blueprint: decision.blueprint,
    blueprintVersion: decision.blueprintVersion,
    entity: decision.entity,
    ts: decision.ts,
    features: copyFeatures(decision.features),
    action: decision.action,
    propensity: decision.propensity,
    modelVersion: decision.modelVersion,
    score: decision.score,
    shadowScores:
      shadow.length === 0 ? null : Object.fromEntries(shadow.map((s) => [s.modelVersion, s.score as number])),
    fallback: decision.fallback,
    experimentArm: decision.experimentArm,
    ranking: decision.candidates === null && decision.ranking !== null ? [...decision.ranking] : null,
    shown: shownCandidates(decision),
  };
}

function shownCandidates(decision: Decision): ShownCandidate[] | null {
  if (decision.ranking === null || decision.candidates === null) return null;
  const byId = new Map(decision.candidates.map((c) => [c.id, c]));
  return decision.ranking.map((id, position) => ({
    id,
    position,
    features: copyFeatures(byId.get(id)?.features ?? {}),
    score: decision.scores?.[id] ?? null,
  }));
}

/**
 * The label an outcome makes: the label's constant, or its value field read as a number (true/false
 * as 1/0); for a label that names a class, a non-empty string field is the class itself.
 */
export function labelValueOf(
  label: PendingLabel,
  fields: Readonly<Record<string, unknown>>,
): number | string | undefined {
  if (label.valueConstant !== null) return label.valueConstant;
  if (label.valueField === null) return undefined;
  const value = fields[label.valueField];
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (label.classes && typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The examples a label makes. One per decision (exampleId = decisionId); for ranking one per shown
 * candidate (exampleId = decisionId/candidateId): `clicked` — the candidate the outcome names —
 * gets `label`, the others the blueprint's `missing` label (0 when it declares none), since the
 * user saw them and acted on another. A ranking decision closed without outcome has no `clicked`.
 */
export function buildExamples(
  pending: PendingDecision,
  label: number,
  labelTs: number,
  labelSource: LabelSource,
  clicked: string | null = null,
  labelClass: string | null = null,
): Example[] {
  const shown = pending.decision.shown;
  if (shown === null)
    return [{ ...buildExample(pending, label, labelTs, labelSource), labelClass, ranking: pending.decision.ranking }];
  const other = clicked === null ? label : (pending.label.missing ?? 0);
  return shown.map((c) => ({
    ...buildExample(pending, c.id === clicked ? label : other, labelTs, c.id === clicked ? labelSource : 'missing'),
    exampleId: `${pending.decision.decisionId}/${c.id}`,
    candidateId: c.id,
    position: c.position,
    candidateFeatures: copyFeatures(c.features),
    score: c.score,
    ranking: pending.decision.shown!.map((s) => s.id),
  }));
}

/** The example of a decision: exampleId is the decisionId (one example per decision). */
export function buildExample(
  pending: PendingDecision,
  label: number,
  labelTs: number,
  labelSource: LabelSource,
): Example {
  const d = pending.decision;
  return {
    exampleId: d.decisionId,
    decisionId: d.decisionId,
    blueprint: d.blueprint,
    blueprintVersion: d.blueprintVersion,
    entity: d.entity,
    decisionTs: d.ts,
    labelTs,
    features: copyFeatures(d.features),
    candidateId: null,
    position: null,
    candidateFeatures: null,
    labelClass: null,
    ranking: null,
    label,
    labelSource,
    action: d.action,
    propensity: d.propensity,
    modelVersion: d.modelVersion,
    score: d.score,
    shadowScores: d.shadowScores === null ? null : { ...d.shadowScores },
    fallback: d.fallback,
    experimentArm: d.experimentArm,
    weight: 1,
  };
}
