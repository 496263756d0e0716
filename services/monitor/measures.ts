// What the monitor measures of a blueprint, as the alert rules, gauges, metric records and the
// dashboard read it; and what it needs to know of a model version.
import type { QualityMetric, QualityValues } from '../lib/monitoring/quality-plan.js';
import type { VersionTraffic } from '../lib/monitoring/version-traffic.js';
import type { DistributionProfile } from '../lib/monitoring/profile.js';
import type { GuardrailComparison } from '../lib/monitoring/guardrails.js';
import type { QualityShiftMeasure } from '../lib/monitoring/quality-shift.js';

/** Below this many observations a measure is not given: too noisy to alert on. */
export const MIN_OBSERVATIONS = 200;

/** What the monitor needs of a model version. */
export interface ModelInfo {
  readonly createdAt: number;
  readonly parentVersion: string | null;
  /** The objective metric as measured when the model was published (offline or progressive). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly profile: DistributionProfile | null;
  /** Decision times of its oldest and newest training examples; null when unknown. */
  readonly dataStartTs: number | null;
  readonly dataEndTs: number | null;
}

export interface FeatureMeasure {
  readonly name: string;
  readonly psi: number | null;
  readonly missingRate: number | null;
}

export interface GuardrailGroupMeasure extends GuardrailComparison {
  readonly kind: 'arm' | 'model';
  readonly group: string;
  readonly decisions: number;
  readonly baseline: boolean;
}

export interface GuardrailMeasure {
  readonly name: string;
  readonly windowMs: number;
  readonly pending: number;
  readonly groups: readonly GuardrailGroupMeasure[];
}

/** Online quality of one model: a serving lineage (a model and its continuations), or a shadow. */
export interface ModelQuality {
  readonly model: string;
  readonly source: 'served' | 'shadow';
  /** Labelled examples it scored, among the recent ones kept. */
  readonly examples: number;
  /** Given from MIN_OBSERVATIONS examples on. */
  readonly quality: QualityValues;
}

/** What metric_drop compares with: the serving lineage's figure when it went live. */
export interface MetricDropReference {
  readonly lineage: string;
  /** The lineage's go-live version: its first whose published figure rests on enough examples. */
  readonly version: string;
  /** The figure that version published, in the compared metric. */
  readonly value: number;
}

export interface BlueprintMeasures {
  readonly blueprint: string;
  readonly ts: number;
  readonly decisions: number;
  readonly examples: number;
  readonly requestRate: number;
  readonly decideP50Ms: number | null;
  readonly decideP99Ms: number | null;
  readonly fallbackRate: number | null;
  readonly labelRate: number | null;
  /** Traffic, latency and fallbacks per model version that answered among the recent decisions. */
  readonly versions: readonly VersionTraffic[];
  /** Online quality over recent labelled examples, by metric name (which ones: qualityPlanOf). */
  readonly quality: QualityValues;
  /** The same per serving lineage and per shadow, on the examples each scored. */
  readonly models: readonly ModelQuality[];
  /**
   * The serving lineage's drop (positive = worse), on its recent examples, below the figure its
   * go-live version published — a fixed reference, not the newest version's own figure.
   */
  readonly metricDrop: number | null;
  /** The metric metricDrop compares: the objective, or its stand-in when the objective is not measured or not published. */
  readonly metricDropMetric: QualityMetric | null;
  readonly metricDropReference: MetricDropReference | null;
  readonly modelVersion: string | null;
  readonly modelAgeS: number | null;
  readonly predictionPsi: number | null;
  /** What drift is measured against, or why it is not measured yet. */
  readonly driftReference: string;
  readonly features: readonly FeatureMeasure[];
  readonly guardrails: readonly GuardrailMeasure[];
  /** Per serving lineage seen within RECENT_MS: its change detector on the outcomes it served. */
  readonly qualityShifts: readonly QualityShiftMeasure[];
  /** Per experiment arm: decisions seen, and the mean label of its examples (outcome per decision). */
  readonly arms: ReadonlyArray<{
    readonly arm: string;
    readonly decisions: number;
    readonly examples: number;
    readonly outcomePerDecision: number | null;
  }>;
}
