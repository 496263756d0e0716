// The monitor's measures as Prometheus gauges on its /metrics: one gauge per measure, labelled by
// blueprint (and feature, guardrail group, consumer group), replaced whole every tick so that a
// blueprint or feature that went away leaves no stale series.
import { Gauge, type Registry } from 'prom-client';
import type { Alert } from '../lib/schemas/generated.js';
import type { BlueprintMeasures } from './blueprint-monitor.js';
import type { ConsumerLag } from './metric-records.js';

export const monitorGaugeDefinitions = {
  requestRate: { name: 'looper_blueprint_decisions_per_second', help: 'Decisions per second over the last minute.', labelNames: ['blueprint'] },
  latency: { name: 'looper_blueprint_decide_latency_seconds', help: 'Decide latency quantile over recent decisions, as logged by the predictor.', labelNames: ['blueprint', 'quantile'] },
  fallback: { name: 'looper_blueprint_fallback_ratio', help: 'Share of recent decisions answered by the default decision.', labelNames: ['blueprint'] },
  labels: { name: 'looper_blueprint_label_ratio', help: 'Share of recent examples whose label came from an outcome (not the missing value).', labelNames: ['blueprint'] },
  quality: { name: 'looper_blueprint_online_quality', help: 'Online quality over recent labelled examples, by metric (auc, logloss, calibration_error, rmse, mae).', labelNames: ['blueprint', 'metric'] },
  modelAge: { name: 'looper_blueprint_model_age_seconds', help: 'Age of the model version that made the newest decision.', labelNames: ['blueprint'] },
  featurePsi: { name: 'looper_blueprint_feature_psi', help: "Population stability index of a feature in recent decisions against the serving model's training profile.", labelNames: ['blueprint', 'feature'] },
  featureMissing: { name: 'looper_blueprint_feature_missing_ratio', help: 'Share of recent decisions where a feature was missing (null or not finite).', labelNames: ['blueprint', 'feature'] },
  predictionPsi: { name: 'looper_blueprint_prediction_psi', help: "Population stability index of recent scores against the serving model's training profile.", labelNames: ['blueprint'] },
  guardrail: { name: 'looper_blueprint_guardrail_per_decision', help: 'Guardrail side effect per decision whose window closed, by experiment arm or model lineage.', labelNames: ['blueprint', 'guardrail', 'kind', 'group'] },
  alertsOpen: { name: 'looper_alerts_open', help: 'Alerts raised and not yet cleared.', labelNames: ['blueprint', 'rule', 'severity'] },
  consumerLag: { name: 'looper_consumer_lag_records', help: 'Records a consumer group has yet to read, summed over partitions.', labelNames: ['group', 'topic'] },
} as const;

type Key = keyof typeof monitorGaugeDefinitions;

export class MonitorGauges {
  private readonly gauges: { [K in Key]: Gauge<string> };

  constructor(registry: Registry) {
    this.gauges = Object.fromEntries(
      Object.entries(monitorGaugeDefinitions).map(([key, d]) => [key, new Gauge({ name: d.name, help: d.help, labelNames: [...d.labelNames], registers: [registry] })]),
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
      set('latency', { blueprint, quantile: '0.5' }, m.decideP50Ms === null ? null : m.decideP50Ms / 1000);
      set('latency', { blueprint, quantile: '0.99' }, m.decideP99Ms === null ? null : m.decideP99Ms / 1000);
      set('fallback', { blueprint }, m.fallbackRate);
      set('labels', { blueprint }, m.labelRate);
      for (const [metric, value] of Object.entries(m.quality)) set('quality', { blueprint, metric }, value);
      set('modelAge', { blueprint }, m.modelAgeS);
      set('predictionPsi', { blueprint }, m.predictionPsi);
      for (const f of m.features) {
        set('featurePsi', { blueprint, feature: f.name }, f.psi);
        set('featureMissing', { blueprint, feature: f.name }, f.missingRate);
      }
      for (const g of m.guardrails) for (const x of g.groups) set('guardrail', { blueprint, guardrail: g.name, kind: x.kind, group: x.group }, x.rate);
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
