// The rollout's judgements, pure: evidence in, a verdict with its reason (numbers included) out.
//
// Shadow: the candidate and the live model scored the same requests, so they are compared on the
// same labelled examples (paired: DeLong for AUC, per-example loss differences otherwise). A
// comparison is made only at three looks — min_examples, twice and four times that — each at
// alpha/3, so looking repeatedly cannot inflate the chance of promoting a model that is not better
// (Bonferroni over the looks; a fourth look never comes: the candidate is rejected as no better).
// Canary: it answers other entities than the live model, so the two are compared unpaired on the
// examples of the same period, and the canary goes live unless it is worse by more than
// rollback_if.metric_drop. Live: its metric over the latest window is compared with the first full
// window after it went live; a drop past metric_drop that is also beyond the two windows' noise
// (z ≥ 2.33, one-sided 1 %) rolls it back — a window of a few hundred examples wobbles by a few
// hundredths of AUC on its own, and a rollback on noise would throw away a good model.
import type { BlueprintRollout } from '../schemas/generated.js';
import { comparePaired, type ComparedMetric } from '../stats/paired.js';
import { orient, type Constraints } from '../automl/objective.js';
import type { MetricEstimate } from '../stats/window-metric.js';

export type Verdict = { readonly kind: 'wait' | 'promote' | 'reject'; readonly reason: string };

export const SHADOW_LOOKS = [1, 2, 4] as const;
export const ALPHA = 0.05;
/** One-sided 1 %: how far beyond the windows' noise a drop must be to roll back. */
export const ROLLBACK_Z = 2.326;

export interface PairedEvidence {
  readonly labels: readonly number[];
  readonly live: readonly number[];
  readonly candidate: readonly number[];
}

const signed = (v: number, digits = 4) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

/** Whether a version may serve at all under the blueprint's constraints; the reason when not. */
export function constraintProblem(
  model: { sizeBytes: number; p99InferenceUs: number | null },
  constraints: Constraints,
): string | null {
  if (model.sizeBytes > constraints.modelSizeBytes)
    return `its artifact (${model.sizeBytes} B) is over objective.constraints.model_size (${constraints.modelSizeBytes} B)`;
  if (model.p99InferenceUs !== null && model.p99InferenceUs > constraints.p99InferenceUs) {
    return `its p99 scoring time (${model.p99InferenceUs.toFixed(1)} µs) is over objective.constraints.p99_inference (${constraints.p99InferenceUs} µs)`;
  }
  return null;
}

/** The number of paired examples at which the next look is due, or null after the last look. */
export function nextLook(minExamples: number, looked: number): number | null {
  const factor = SHADOW_LOOKS[looked];
  return factor === undefined ? null : Math.max(1, minExamples) * factor;
}

/**
 * A shadow candidate at one look: promote when its gain is significant (the interval at
 * alpha/looks excludes 0) and at least promote_if.metric_gain; reject when even the interval's top
 * is under the required gain, or at the last look; else wait for the next look.
 */
export function judgeShadow(
  metric: ComparedMetric,
  evidence: PairedEvidence,
  rollout: BlueprintRollout,
  look: number,
): Verdict {
  const n = evidence.labels.length;
  let cmp;
  try {
    cmp = comparePaired(metric, evidence.labels, evidence.live, evidence.candidate, ALPHA / SHADOW_LOOKS.length);
  } catch (error) {
    return {
      kind: 'wait',
      reason: `cannot compare yet on ${n} examples: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const need = rollout.promoteIf.metricGain;
  const interval = `${(100 * (1 - ALPHA / SHADOW_LOOKS.length)).toFixed(1)} % CI ${signed(cmp.low)} to ${signed(cmp.high)}, ${cmp.method}`;
  const facts = `${metric} ${cmp.candidate.toFixed(4)} vs live ${cmp.live.toFixed(4)}: ${signed(cmp.gain)} (${interval}) on ${n} paired shadow examples`;
  if (cmp.low > 0 && cmp.gain >= need)
    return { kind: 'promote', reason: `better than live — ${facts}; promote_if.metric_gain ${need}` };
  if (cmp.high < need) return { kind: 'reject', reason: `cannot be better than live by ${need} — ${facts}` };
  if (look >= SHADOW_LOOKS.length - 1)
    return { kind: 'reject', reason: `no significant gain of ${need} or more after the last look — ${facts}` };
  return {
    kind: 'wait',
    reason: `not conclusive yet — ${facts}; next look at ${nextLook(rollout.shadow.minExamples, look + 1)} examples`,
  };
}

/** A canary against the live model over the same period (unpaired: different entities). */
export function judgeCanary(
  metric: ComparedMetric,
  canary: { value: number; count: number },
  live: { value: number; count: number },
  rollout: BlueprintRollout,
  needed: number,
): Verdict {
  if (canary.count < needed || live.count < needed)
    return { kind: 'wait', reason: `${canary.count} canary and ${live.count} live examples of ${needed} each` };
  const drop = orient(metric, live.value) - orient(metric, canary.value);
  const facts = `${metric} ${canary.value.toFixed(4)} on ${canary.count} canary examples vs live ${live.value.toFixed(4)} on ${live.count}`;
  if (drop > rollout.rollbackIf.metricDrop)
    return {
      kind: 'reject',
      reason: `worse than live by ${drop.toFixed(4)}, more than rollback_if.metric_drop ${rollout.rollbackIf.metricDrop} — ${facts}`,
    };
  return {
    kind: 'promote',
    reason: `holds up on its own traffic — ${facts} (tolerated drop ${rollout.rollbackIf.metricDrop})`,
  };
}

/** The live model's latest window against its first full window since it went live. */
export function judgeLive(
  metric: ComparedMetric,
  baseline: MetricEstimate,
  current: MetricEstimate,
  rollout: BlueprintRollout,
): Verdict {
  const drop = orient(metric, baseline.value) - orient(metric, current.value);
  const se = Math.sqrt(baseline.se ** 2 + current.se ** 2);
  const z = se > 0 ? drop / se : drop > 0 ? Number.POSITIVE_INFINITY : 0;
  const facts = `${metric} ${current.value.toFixed(4)} over the last ${current.count} examples vs ${baseline.value.toFixed(4)} when it went live (z = ${z.toFixed(1)})`;
  if (drop > rollout.rollbackIf.metricDrop && z >= ROLLBACK_Z)
    return {
      kind: 'reject',
      reason: `dropped by ${drop.toFixed(4)}, past rollback_if.metric_drop ${rollout.rollbackIf.metricDrop} and beyond noise — ${facts}`,
    };
  return { kind: 'wait', reason: facts };
}
