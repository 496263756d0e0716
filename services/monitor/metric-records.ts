// What the monitor measured, as looper.metrics records: one record per value, named as the
// Metric schema documents (psi:<feature>, guardrail:<name>, ...), so other services and
// dashboards read one vocabulary.
import type { Metric } from '../lib/schemas/generated.js';
import type { BlueprintMeasures } from './measures.js';
import { RECENT_MS } from './blueprint-monitor.js';

/** Consumer lag is about the platform, not one blueprint: its records use this blueprint key. */
export const PLATFORM_KEY = '*';
/**
 * The label that marks a per-model-version record of a blueprint-wide measure (request_rate,
 * decide_p50_ms, decide_p99_ms, fallback_rate): { breakdown: "model_version" }, the version in
 * modelVersion (null: decisions no model answered). Charts and `looper status` tell the two apart by it.
 */
export const BY_MODEL_VERSION = { breakdown: 'model_version' } as const;
/** The name of consumer lag records (under PLATFORM_KEY, labelled by group and topic). */
export const CONSUMER_LAG = 'consumer_lag';

/** Whether a record is one model version's share of a blueprint-wide measure. */
export function isPerVersion(m: Pick<Metric, 'labels'>): boolean {
  return m.labels['breakdown'] === BY_MODEL_VERSION.breakdown;
}

export interface ConsumerLag {
  readonly group: string;
  readonly topic: string;
  readonly lag: number;
}

export function metricRecords(m: BlueprintMeasures): Metric[] {
  const records: Metric[] = [];
  const add = (name: string, value: number | null, count: number, extra: Partial<Metric> = {}) => {
    if (value === null || !Number.isFinite(value)) return;
    records.push({
      blueprint: m.blueprint,
      modelVersion: null,
      experimentArm: null,
      name,
      value,
      windowMs: RECENT_MS,
      count,
      ts: m.ts,
      labels: {},
      ...extra,
    });
  };
  add('request_rate', m.requestRate, m.decisions, { windowMs: 60_000 });
  add('decide_p50_ms', m.decideP50Ms, m.decisions);
  add('decide_p99_ms', m.decideP99Ms, m.decisions);
  add('fallback_rate', m.fallbackRate, m.decisions);
  add('label_rate', m.labelRate, m.examples);
  for (const v of m.versions) {
    const version = { modelVersion: v.modelVersion, labels: { ...BY_MODEL_VERSION } };
    add('request_rate', v.requestRate, v.decisions, { ...version, windowMs: 60_000 });
    add('decide_p50_ms', v.decideP50Ms, v.decisions, version);
    add('decide_p99_ms', v.decideP99Ms, v.decisions, version);
    add('fallback_rate', v.fallbackRate, v.decisions, version);
  }
  for (const [name, value] of Object.entries(m.quality)) add(name, value, m.examples, { modelVersion: m.modelVersion });
  for (const model of m.models) {
    for (const [name, value] of Object.entries(model.quality))
      add(name, value, model.examples, { modelVersion: model.model, labels: { source: model.source } });
  }
  add('metric_drop', m.metricDrop, m.examples, {
    modelVersion: m.modelVersion,
    labels: {
      ...(m.metricDropMetric === null ? {} : { metric: m.metricDropMetric }),
      // What it is measured against: the serving lineage's go-live version.
      ...(m.metricDropReference === null ? {} : { reference: m.metricDropReference.version }),
    },
  });
  add('model_age_s', m.modelAgeS, 1, { modelVersion: m.modelVersion, windowMs: 0 });
  add('prediction_psi', m.predictionPsi, m.decisions, { modelVersion: m.modelVersion });
  for (const f of m.features) {
    add(`psi:${f.name}`, f.psi, m.decisions, { modelVersion: m.modelVersion, labels: { feature: f.name } });
    add(`missing_rate:${f.name}`, f.missingRate, m.decisions, { labels: { feature: f.name } });
  }
  for (const g of m.guardrails) {
    for (const group of g.groups) {
      add(`guardrail:${g.name}`, group.rate, group.decisions, {
        windowMs: g.windowMs,
        modelVersion: group.kind === 'model' ? group.group : null,
        experimentArm: group.kind === 'arm' ? group.group : null,
        labels: {
          guardrail: g.name,
          baseline: String(group.baseline),
          ...(group.z === null ? {} : { z: group.z.toFixed(3) }),
          ...(group.relative === null ? {} : { relative: group.relative.toFixed(4) }),
        },
      });
    }
  }
  return records;
}

export function lagRecords(lags: readonly ConsumerLag[], ts: number): Metric[] {
  return lags.map((l) => ({
    blueprint: PLATFORM_KEY,
    modelVersion: null,
    experimentArm: null,
    name: CONSUMER_LAG,
    value: l.lag,
    windowMs: 0,
    count: 1,
    ts,
    labels: { group: l.group, topic: l.topic },
  }));
}
