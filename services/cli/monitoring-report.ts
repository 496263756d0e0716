// The monitoring part of `looper status`, pure: the newest measures of a blueprint from
// looper.metrics and its open alerts from looper.alerts, as lines under the deployment.
import type { Alert, Metric } from '../lib/schemas/generated.js';
import { age } from './status-report.js';

/** How far back `looper status` reads looper.metrics: a few of the monitor's ticks. */
export const METRICS_LOOKBACK_MS = 2 * 60_000;

/** The newest blueprint-wide value of each metric name (per-arm and per-version values aside). */
export function newestMetrics(records: readonly Metric[], blueprint: string): Map<string, Metric> {
  const newest = new Map<string, Metric>();
  for (const m of records) {
    if (m.blueprint !== blueprint || m.experimentArm !== null || m.labels['source'] !== undefined || m.name.startsWith('guardrail:')) continue;
    const seen = newest.get(m.name);
    if (!seen || m.ts >= seen.ts) newest.set(m.name, m);
  }
  return newest;
}

/** Alerts raised and not cleared, from the alert log in order. */
export function openAlerts(log: readonly Alert[]): Alert[] {
  const byId = new Map<string, Alert>();
  for (const a of log) byId.set(a.alertId, a);
  return [...byId.values()].filter((a) => a.state === 'raised');
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function describeMonitoring(blueprint: string, metrics: readonly Metric[], alerts: readonly Alert[], now: number): string[] {
  const newest = newestMetrics(metrics, blueprint);
  const value = (name: string) => newest.get(name)?.value;
  const lines: string[] = [];
  if (newest.size === 0) {
    lines.push(`  monitor   no measures in the last ${METRICS_LOOKBACK_MS / 60_000} min: is the monitor running? (looper up starts it)`);
  } else {
    const ts = Math.max(...[...newest.values()].map((m) => m.ts));
    const rate = value('request_rate');
    const parts = [
      rate === undefined ? null : `${rate.toFixed(1)} decisions/s`,
      value('decide_p50_ms') === undefined ? null : `p50 ${value('decide_p50_ms')!.toFixed(2)} ms`,
      value('decide_p99_ms') === undefined ? null : `p99 ${value('decide_p99_ms')!.toFixed(2)} ms`,
      value('fallback_rate') === undefined ? null : `fallbacks ${pct(value('fallback_rate')!)}`,
    ].filter((p) => p !== null);
    lines.push(`  traffic   ${parts.length > 0 ? parts.join(', ') : 'no decisions lately'} (measured ${age(now - ts)} ago)`);
    const quality = ['auc', 'logloss', 'calibration_error', 'rmse', 'mae'].filter((n) => value(n) !== undefined).map((n) => `${n.replace('_', ' ')} ${value(n)!.toFixed(4)}`);
    const labels = value('label_rate');
    lines.push(`  quality   ${quality.length > 0 ? `${quality.join(', ')} on recent labelled examples` : 'not measured yet (needs 200 labelled examples)'}${labels === undefined ? '' : `; ${pct(labels)} of decisions got an outcome`}`);
    const drift = [...newest.values()].filter((m) => m.name.startsWith('psi:')).map((m) => `${m.name.slice(4)} ${m.value.toFixed(3)}`);
    const prediction = value('prediction_psi');
    if (drift.length > 0 || prediction !== undefined) lines.push(`  drift     PSI ${[...drift, ...(prediction === undefined ? [] : [`score ${prediction.toFixed(3)}`])].join(', ')} (above 0.2: drifted)`);
    const modelAge = value('model_age_s');
    if (modelAge !== undefined) lines.push(`  model age ${age(modelAge * 1000)} (${newest.get('model_age_s')!.modelVersion ?? 'unknown version'})`);
  }
  const open = alerts.filter((a) => a.blueprint === blueprint).sort((a, b) => a.ts - b.ts);
  if (open.length === 0) lines.push('  alerts    none open');
  for (const a of open) lines.push(`  ALERT     ${a.severity} ${a.rule}: ${a.message} (since ${age(now - a.ts)} ago)`);
  return lines;
}
