// The monitor's measures as Prometheus gauges on its /metrics: one gauge per measure, labelled by
// blueprint (and model version, feature, guardrail group, consumer group), replaced whole every
// tick so that a blueprint, version or feature that went away leaves no stale series.
//
// Names follow Prometheus conventions (gauges.test.ts checks them): base units (seconds, ratios
// 0..1), no _total on a gauge. Latency quantiles are separate _p50_seconds / _p99_seconds gauges:
// a `quantile` label is the convention of a summary, whose quantiles a client computes itself,
// and these are the monitor's own nearest-rank quantiles over the decision log. Rates are gauges
// (_per_second) because they are the monitor's windowed view of looper.decisions, the same values
// it publishes on looper.metrics; the predictor's counter looper_decide_requests_total is there
// for rate() in PromQL.
import { Gauge, type Registry } from 'prom-client';
import type { Alert } from '../lib/schemas/generated.js';
import type { BlueprintMeasures } from './measures.js';
import { QUALITY_METRICS } from '../lib/monitoring/quality-plan.js';
import type { ConsumerLag } from './metric-records.js';

/** The model_version label of decisions no model answered. */
export const NO_MODEL_VERSION = 'none';
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export const monitorGaugeDefinitions = {
  requestRate: {
    name: 'looper_blueprint_decisions_per_second',
    help: 'Decisions per second over the last minute.',
    labelNames: ['blueprint'],
  },
  latencyP50: {
    name: 'looper_blueprint_decide_latency_p50_seconds',
    help: 'Median decide latency over recent decisions, as logged by the predictor.',
    labelNames: ['blueprint'],
  },
  latencyP99: {
    name: 'looper_blueprint_decide_latency_p99_seconds',
    help: '99th-percentile decide latency over recent decisions (from 200 on), as logged by the predictor.',
    labelNames: ['blueprint'],
  },
  fallback: {
    name: 'looper_blueprint_fallback_ratio',
    help: 'Share of recent decisions answered by the default decision.',
    labelNames: ['blueprint'],
  },
  labels: {
    name: 'looper_blueprint_label_ratio',
    help: 'Share of recent examples whose label came from an outcome (not the missing value).',
    labelNames: ['blueprint'],
  },
  quality: {
    name: 'looper_blueprint_online_quality',
    help: `Online quality over recent labelled examples, by metric (${QUALITY_METRICS.join(', ')}).`,
    labelNames: ['blueprint', 'metric'],
  },
  modelAge: {
    name: 'looper_blueprint_model_age_seconds',
    help: 'Age of the model version that made the newest decision.',
    labelNames: ['blueprint'],
  },
  featurePsi: {
    name: 'looper_blueprint_feature_psi',
    help: "Population stability index of a feature in recent decisions against the serving model's training profile.",
    labelNames: ['blueprint', 'feature'],
  },
  featureMissing: {
    name: 'looper_blueprint_feature_missing_ratio',
    help: 'Share of recent decisions where a feature was missing (null or not finite).',
    labelNames: ['blueprint', 'feature'],
  },
  predictionPsi: {
    name: 'looper_blueprint_prediction_psi',
    help: "Population stability index of recent scores against the serving model's training profile.",
    labelNames: ['blueprint'],
  },
  guardrail: {
    name: 'looper_blueprint_guardrail_per_decision',
    help: 'Guardrail side effect per decision whose window closed, by experiment arm or model lineage.',
    labelNames: ['blueprint', 'guardrail', 'kind', 'group'],
  },
  versionRequestRate: {
    name: 'looper_model_version_decisions_per_second',
    help: 'Decisions per second over the last minute, per model version that answered recently (model_version "none": the default decision).',
    labelNames: ['blueprint', 'model_version'],
  },
  versionLatencyP50: {
    name: 'looper_model_version_decide_latency_p50_seconds',
    help: 'Median decide latency over recent decisions, per model version.',
    labelNames: ['blueprint', 'model_version'],
  },
  versionLatencyP99: {
    name: 'looper_model_version_decide_latency_p99_seconds',
    help: '99th-percentile decide latency over recent decisions (from 200 of the version on), per model version.',
    labelNames: ['blueprint', 'model_version'],
  },
  versionFallback: {
    name: 'looper_model_version_fallback_ratio',
    help: 'Share of recent decisions answered by the default decision, per model version.',
    labelNames: ['blueprint', 'model_version'],
  },
  alertsOpen: {
    name: 'looper_alerts_open',
    help: 'Alerts raised and not yet cleared.',
    labelNames: ['blueprint', 'rule', 'severity'],
  },
  consumerLag: {
    name: 'looper_consumer_lag_records',
    help: 'Records a consumer group has yet to read, summed over partitions.',
    labelNames: ['group', 'topic'],
  },
} as const;

type Key = keyof typeof monitorGaugeDefinitions;

export class MonitorGauges {
  private readonly gauges: { [K in Key]: Gauge<string> };

  constructor(registry: Registry) {
    this.gauges = Object.fromEntries(
      Object.entries(monitorGaugeDefinitions).map(([key, d]) => [
        key,
        new Gauge({ name: d.name, help: d.help, labelNames: [...d.labelNames], registers: [registry] }),
      ]),
    ) as { [K in Key]: Gauge<string> };
  }

  update(measures: readonly BlueprintMeasures[], open: readonly Alert[], lag: readonly ConsumerLag[]): void {
    for (const g of Object.values(this.gauges)) g.reset();
    const set = (key: Key, labels: Record<string, string>, value: number | null) => {
      if (value !== null && Number.isFinite(value)) this.gauges[key].set(labels, value);
    };
    for (const m of measures) {
      const blueprint = m.blueprint;
      set('requestRate', { blueprint }, m.requestRate);
      set('latencyP50', { blueprint }, seconds(m.decideP50Ms));
      set('latencyP99', { blueprint }, seconds(m.decideP99Ms));
      for (const v of m.versions) {
        const labels = { blueprint, model_version: v.modelVersion ?? NO_MODEL_VERSION };
        set('versionRequestRate', labels, v.requestRate);
        set('versionLatencyP50', labels, seconds(v.decideP50Ms));
        set('versionLatencyP99', labels, seconds(v.decideP99Ms));
        set('versionFallback', labels, v.fallbackRate);
      }
      set('fallback', { blueprint }, m.fallbackRate);
      set('labels', { blueprint }, m.labelRate);
      for (const [metric, value] of Object.entries(m.quality)) set('quality', { blueprint, metric }, value);
      set('modelAge', { blueprint }, m.modelAgeS);
      set('predictionPsi', { blueprint }, m.predictionPsi);
      for (const f of m.features) {
        set('featurePsi', { blueprint, feature: f.name }, f.psi);
        set('featureMissing', { blueprint, feature: f.name }, f.missingRate);
      }
      for (const g of m.guardrails)
        for (const x of g.groups)
          set('guardrail', { blueprint, guardrail: g.name, kind: x.kind, group: x.group }, x.rate);
    }
    const counts = new Map<string, { labels: Record<string, string>; n: number }>();
    for (const a of open) {
      const k = `${a.blueprint}\u0000${a.rule}\u0000${a.severity}`;
      const entry = counts.get(k) ?? { labels: { blueprint: a.blueprint, rule: a.rule, severity: a.severity }, n: 0 };
      entry.n++;
      counts.set(k, entry);
    }
    for (const { labels, n } of counts.values()) set('alertsOpen', labels, n);
    for (const l of lag) set('consumerLag', { group: l.group, topic: l.topic }, l.lag);
  }
}
