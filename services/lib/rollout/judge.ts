// The rollout's judgements, pure: evidence in, a verdict with its reason (numbers included) out.
// Every verdict is an always-valid test (stats/always-valid.ts) whose design is fixed when the
// test starts, so the service may look after every batch; every comparison is on examples
// re-weighted by 1/propensity (stats/weighted-metrics.ts), so the live model's choice of what it
// learns from does not favour either model.
//
// Shadow: the candidate and the live model scored the same requests, so they are compared on the
// same labelled examples, paired. Promote when the gain is at least promote_if.metric_gain and the
// interval's lower end is above 0; reject when its upper end is under the gain asked for, or at
// the horizon with nothing shown: 8 × min_examples *effective* examples, so that a blueprint that
// explores little gets a longer test rather than an early rejection (IPS weights leave about a
// fifth of the labelled examples' information at 10 % exploration, a tenth at 5 %).
// Canary: it answers other entities than the live model, so the two are compared unpaired over the
// same period. Roll it back when it is shown worse than live by more than rollback_if.metric_drop;
// let it go live once it is shown not that much worse, or at the horizon with no harm shown.
// Live: the examples of the version serving now (the newest continuation of the live lineage)
// are compared with the lineage's first full window, one-sided: roll back when the drop is past
// metric_drop and its lower bound is above 0.
import type { BlueprintRollout } from '../schemas/generated.js';
import { orient, type Constraints } from '../automl/objective.js';
import {
  VERDICT_ALPHA,
  alwaysValidBounds,
  coverageLabel,
  describeDesign,
  sequentialDesign,
  type Bounds,
  type SequentialDesign,
} from '../stats/always-valid.js';
import { weightedGain, weightedMetric, type ComparedMetric } from '../stats/weighted-metrics.js';
import { errorMessage } from '../errors.js';

export type Verdict = { readonly kind: 'wait' | 'promote' | 'reject'; readonly reason: string };

/** A shadow test ends after this many times min_examples effective paired examples… */
export const SHADOW_HORIZON_FACTOR = 8;
/** …or this many times min_examples paired examples in all, which bounds the evidence held. */
export const SHADOW_EVIDENCE_CAP_FACTOR = 64;
/** A canary test ends after this many times the canary examples it first waits for. */
export const CANARY_HORIZON_FACTOR = 4;

/** Examples, with one weight each (1/propensity, clipped). */
export interface WeightedExamples {
  readonly labels: readonly number[];
  readonly scores: readonly number[];
  readonly weights: readonly number[];
}

/** The same examples scored by the live model and by the candidate. */
export interface PairedEvidence {
  readonly labels: readonly number[];
  readonly live: readonly number[];
  readonly candidate: readonly number[];
  readonly weights: readonly number[];
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

/** The design of a shadow's promotion test: fixed when the candidate enters shadow. */
export function shadowDesign(rollout: BlueprintRollout): SequentialDesign {
  return sequentialDesign({
    alpha: VERDICT_ALPHA.promotion,
    tuningN: 2 * Math.max(1, rollout.shadow.minExamples),
    minEffect: rollout.promoteIf.metricGain,
    sides: 'two-sided',
  });
}

/** Canary examples a canary waits for before its first look. */
export function canaryNeeded(rollout: BlueprintRollout, share: number): number {
  return Math.max(200, Math.ceil(rollout.shadow.minExamples * share));
}

/** The design of a canary's test: fixed when the canary starts. */
export function canaryDesign(rollout: BlueprintRollout, share: number): SequentialDesign {
  return sequentialDesign({
    alpha: VERDICT_ALPHA.canary,
    tuningN: 2 * canaryNeeded(rollout, share),
    minEffect: rollout.rollbackIf.metricDrop,
    sides: 'two-sided',
  });
}

/**
 * The design of the live version's rollback test. `restarts` counts the tests that ended at their
 * horizon without a verdict before this one: each spends half the α of the one before, so all of
 * them together spend at most VERDICT_ALPHA.rollback.
 */
export function rollbackDesign(rollout: BlueprintRollout, windowSize: number, restarts = 0): SequentialDesign {
  return sequentialDesign({
    alpha: VERDICT_ALPHA.rollback / 2 ** (restarts + 1),
    tuningN: 4 * windowSize,
    minEffect: rollout.rollbackIf.metricDrop,
    sides: 'one-sided',
  });
}

function interval(b: Bounds, design: SequentialDesign): string {
  return `${coverageLabel(design)} CI ${signed(b.low)} to ${signed(b.high)}`;
}

const weighting = (n: number, effectiveN: number) => `IPS-weighted, effective n ${Math.round(effectiveN)} of ${n}`;

/**
 * A shadow candidate at one look: promote when its gain is at least promote_if.metric_gain and the
 * always-valid interval excludes 0; reject when even the interval's top is under the required gain,
 * or at the horizon; else wait.
 */
export function judgeShadow(
  metric: ComparedMetric,
  evidence: PairedEvidence,
  rollout: BlueprintRollout,
  design: SequentialDesign,
): Verdict {
  const n = evidence.labels.length;
  if (n < rollout.shadow.minExamples)
    return { kind: 'wait', reason: `${n} of ${rollout.shadow.minExamples} paired shadow examples` };
  let cmp;
  try {
    cmp = weightedGain(metric, evidence.labels, evidence.live, evidence.candidate, evidence.weights);
  } catch (error) {
    return { kind: 'wait', reason: `cannot compare yet on ${n} examples: ${errorMessage(error)}` };
  }
  const need = design.minEffect;
  const horizon = SHADOW_HORIZON_FACTOR * rollout.shadow.minExamples;
  const cap = SHADOW_EVIDENCE_CAP_FACTOR * rollout.shadow.minExamples;
  const atHorizon = cmp.effectiveN >= horizon || n >= cap;
  const { kind, bounds: b } = shadowRule(cmp.gain, cmp.standardError, n, design, atHorizon);
  const facts =
    `${metric} ${cmp.candidate.toFixed(4)} vs live ${cmp.live.toFixed(4)}: ${signed(cmp.gain)} ` +
    `(${interval(b, design)}; ${weighting(n, cmp.effectiveN)}) on ${n} paired shadow examples`;
  if (kind === 'promote') return { kind, reason: `better than live — ${facts}; promote_if.metric_gain ${need}` };
  if (kind === 'reject' && b.high < need) return { kind, reason: `cannot be better than live by ${need} — ${facts}` };
  if (kind === 'reject') return { kind, reason: `no gain of ${need} or more shown by the horizon — ${facts}` };
  return {
    kind: 'wait',
    reason: `not conclusive yet — ${facts}; gives up at ${horizon} effective or ${cap} paired examples`,
  };
}

/** The canary against the live model over the same period (unpaired: different entities). */
export function judgeCanary(
  metric: ComparedMetric,
  canary: WeightedExamples,
  live: WeightedExamples,
  design: SequentialDesign,
  needed: number,
): Verdict {
  const counts = `${canary.labels.length} canary and ${live.labels.length} live examples`;
  if (canary.labels.length < needed || live.labels.length < needed)
    return { kind: 'wait', reason: `${counts} of ${needed} each` };
  let c;
  let l;
  try {
    c = weightedMetric(metric, canary.labels, canary.scores, canary.weights);
    l = weightedMetric(metric, live.labels, live.scores, live.weights);
  } catch (error) {
    return { kind: 'wait', reason: `cannot compare yet on ${counts}: ${errorMessage(error)}` };
  }
  const tolerance = design.minEffect;
  const gain = orient(metric, c.value) - orient(metric, l.value);
  const horizon = CANARY_HORIZON_FACTOR * needed;
  const se = Math.hypot(c.standardError, l.standardError);
  const { kind, bounds: b } = canaryRule(gain, se, c.n, c.n + l.n, design, horizon);
  const facts =
    `${metric} ${c.value.toFixed(4)} on ${c.n} canary examples vs live ${l.value.toFixed(4)} on ${l.n}: ` +
    `${signed(gain)} (${interval(b, design)}; effective n ${Math.round(c.effectiveN)} and ${Math.round(l.effectiveN)})`;
  if (kind === 'reject')
    return {
      kind,
      reason: `worse than live by more than rollback_if.metric_drop ${tolerance} — ${facts}`,
    };
  if (kind === 'promote' && b.low > -tolerance)
    return { kind, reason: `shown not worse than live by more than ${tolerance} — ${facts}` };
  if (kind === 'promote')
    return {
      kind,
      reason: `no harm past rollback_if.metric_drop ${tolerance} shown in ${c.n} canary examples — ${facts}`,
    };
  return { kind: 'wait', reason: `not conclusive yet — ${facts}; decides by ${horizon} canary examples` };
}

/** The live version's examples since its first full window against that window. */
export function judgeLive(
  metric: ComparedMetric,
  baseline: WeightedExamples,
  current: WeightedExamples,
  design: SequentialDesign,
): Verdict {
  let before;
  let now;
  try {
    before = weightedMetric(metric, baseline.labels, baseline.scores, baseline.weights);
    now = weightedMetric(metric, current.labels, current.scores, current.weights);
  } catch (error) {
    return { kind: 'wait', reason: `cannot compare yet: ${errorMessage(error)}` };
  }
  const drop = orient(metric, before.value) - orient(metric, now.value);
  const { kind, bounds: b } = rollbackRule(drop, Math.hypot(before.standardError, now.standardError), now.n, design);
  const facts =
    `${metric} ${now.value.toFixed(4)} over ${now.n} examples of the version serving now vs ${before.value.toFixed(4)} ` +
    `in the lineage's first window: drop ${signed(drop)}, lower bound ${signed(b.low)} (${coverageLabel(design)}; ${describeDesign(design)})`;
  if (kind === 'reject')
    return {
      kind,
      reason: `dropped past rollback_if.metric_drop ${design.minEffect}, beyond noise — ${facts}`,
    };
  return { kind: 'wait', reason: facts };
}

/** A rule's verdict with the bounds it read. The rules take sufficient statistics, so the
 * calibration tests can drive them over millions of simulated examples. */
export interface RuleOutcome {
  readonly kind: Verdict['kind'];
  readonly bounds: Bounds;
}

/** Shadow: promote on a gain ≥ min effect whose lower bound is above 0; reject when the top is under the min effect, or at the horizon. */
export function shadowRule(
  gain: number,
  standardError: number,
  n: number,
  design: SequentialDesign,
  atHorizon: boolean,
): RuleOutcome {
  const bounds = alwaysValidBounds(gain, standardError, n, design);
  if (bounds.low > 0 && gain >= design.minEffect) return { kind: 'promote', bounds };
  if (bounds.high < design.minEffect || atHorizon) return { kind: 'reject', bounds };
  return { kind: 'wait', bounds };
}

/** Canary: reject once shown worse by more than the tolerance (min effect); promote once shown not, or at the horizon. */
export function canaryRule(
  gain: number,
  standardError: number,
  canaryN: number,
  n: number,
  design: SequentialDesign,
  horizon: number,
): RuleOutcome {
  const bounds = alwaysValidBounds(gain, standardError, n, design);
  if (bounds.high < -design.minEffect) return { kind: 'reject', bounds };
  if (bounds.low > -design.minEffect || canaryN >= horizon) return { kind: 'promote', bounds };
  return { kind: 'wait', bounds };
}

/** Live: roll back on a drop past the min effect whose one-sided lower bound is above 0. */
export function rollbackRule(drop: number, standardError: number, n: number, design: SequentialDesign): RuleOutcome {
  const bounds = alwaysValidBounds(drop, standardError, n, design);
  return { kind: drop > design.minEffect && bounds.low > 0 ? 'reject' : 'wait', bounds };
}
