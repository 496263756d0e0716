// The monitoring part of `looper status`, pure: the newest measures of a blueprint from
// looper.metrics and its open alerts from looper.alerts, as lines under the deployment, and the
// platform's consumer lag — the summary the monitor's dashboard shows, in the terminal.
import type { Alert, Blueprint, Metric } from '../lib/schemas/generated.js';
import { qualityPlanOf } from '../lib/monitoring/quality-plan.js';
import { DEGRADATION_Z } from '../lib/monitoring/guardrails.js';
import { CONSUMER_LAG, PLATFORM_KEY, isPerVersion } from '../monitor/metric-records.js';
import { age } from './status-report.js';

/** How far back `looper status` reads looper.metrics: a few of the monitor's ticks. */
export const METRICS_LOOKBACK_MS = 2 * 60_000;

const GUARDRAIL_PREFIX = 'guardrail:';

/** What the report needs of a blueprint: its name, and what decides which quality metrics it has. */
type QualityBlueprint = Pick<Blueprint, 'name' | 'task' | 'decision' | 'objective' | 'sequence'>;

/** The newest blueprint-wide value of each metric name (per-arm, per-version, per-model and guardrail values aside). */
export function newestMetrics(records: readonly Metric[], blueprint: string): Map<string, Metric> {
  const newest = new Map<string, Metric>();
  for (const m of records) {
    if (
      m.blueprint !== blueprint ||
      m.experimentArm !== null ||
      m.labels['source'] !== undefined ||
      isPerVersion(m) ||
      m.name.startsWith(GUARDRAIL_PREFIX)
    )
      continue;
    const seen = newest.get(m.name);
    if (!seen || m.ts >= seen.ts) newest.set(m.name, m);
  }
  return newest;
}

/** The records of `wanted` from the newest tick that published any: what the monitor saw last, not what went away since. */
function newestTick(records: readonly Metric[], wanted: (m: Metric) => boolean): Metric[] {
  const chosen = records.filter(wanted);
  const ts = Math.max(...chosen.map((m) => m.ts));
  return chosen.filter((m) => m.ts === ts);
}

/** Alerts raised and not cleared, from the alert log in order. */
export function openAlerts(log: readonly Alert[]): Alert[] {
  const byId = new Map<string, Alert>();
  for (const a of log) byId.set(a.alertId, a);
  return [...byId.values()].filter((a) => a.state === 'raised');
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const spaced = (name: string) => name.replaceAll('_', ' ');

/** "45.8 decisions/s, p50 0.41 ms, p99 1.23 ms, fallbacks 1.2 %" from whichever of the four are there. */
function trafficParts(value: (name: string) => number | undefined): string[] {
  const rate = value('request_rate');
  const p50 = value('decide_p50_ms');
  const p99 = value('decide_p99_ms');
  const fallbacks = value('fallback_rate');
  return [
    rate === undefined ? null : `${rate.toFixed(1)} decisions/s`,
    p50 === undefined ? null : `p50 ${p50.toFixed(2)} ms`,
    p99 === undefined ? null : `p99 ${p99.toFixed(2)} ms`,
    fallbacks === undefined ? null : `fallbacks ${pct(fallbacks)}`,
  ].filter((p) => p !== null);
}

/** One line per model version that answered in the monitor's last tick. */
function versionLines(records: readonly Metric[], blueprint: string): string[] {
  const latest = newestTick(records, (m) => m.blueprint === blueprint && isPerVersion(m));
  const versions = [...new Set(latest.map((m) => m.modelVersion))];
  return versions.map((version) => {
    const value = (name: string) => latest.find((m) => m.modelVersion === version && m.name === name)?.value;
    return `  version   ${version ?? 'none (the default decided)'}: ${trafficParts(value).join(', ')}`;
  });
}

function qualityLine(bp: QualityBlueprint, newest: ReadonlyMap<string, Metric>): string {
  const plan = qualityPlanOf(bp);
  const quality = plan.metrics
    .filter((n) => newest.has(n))
    .map((n) => `${spaced(n)} ${newest.get(n)!.value.toFixed(4)}`);
  const drop = newest.get('metric_drop');
  const labels = newest.get('label_rate')?.value;
  return [
    `  quality   ${quality.length > 0 ? `${quality.join(', ')} on recent labelled examples` : 'not measured yet (needs 200 labelled examples)'}`,
    drop === undefined
      ? ''
      : `; ${spaced(drop.labels['metric'] ?? bp.objective.metric)} ${drop.value.toFixed(4)} worse than when ${drop.modelVersion ?? 'the model'} was published`,
    labels === undefined ? '' : `; ${pct(labels)} of decisions got an outcome`,
  ].join('');
}

/** Each guardrail's groups (experiment arms, model lineages) from the monitor's last tick, with the significance it computed. */
function guardrailLines(records: readonly Metric[], blueprint: string): string[] {
  const names = [
    ...new Set(
      records.filter((m) => m.blueprint === blueprint && m.name.startsWith(GUARDRAIL_PREFIX)).map((m) => m.name),
    ),
  ].sort();
  const lines: string[] = [];
  for (const name of names) {
    const groups = newestTick(records, (m) => m.blueprint === blueprint && m.name === name);
    lines.push(
      `  guardrail ${name.slice(GUARDRAIL_PREFIX.length)}, per decision within ${age(groups[0]!.windowMs)} of it:`,
    );
    for (const g of groups) {
      const group = g.experimentArm !== null ? `arm ${g.experimentArm}` : `model ${g.modelVersion ?? '—'}`;
      const z = g.labels['z'] === undefined ? null : Number(g.labels['z']);
      const relative = g.labels['relative'] === undefined ? null : Number(g.labels['relative']);
      const baseline = g.labels['baseline'] === 'true';
      const head = `            ${group} ${g.value.toFixed(4)} (${g.count} decisions${baseline ? ', baseline' : ''})`;
      if (baseline || z === null) {
        lines.push(head);
        continue;
      }
      // As the guardrail alert and the dashboard judge it: a significant rise, one-sided.
      const verdict =
        z >= DEGRADATION_Z && relative !== null && relative > 0 ? 'significantly worse' : 'no clear difference';
      const change =
        relative === null ? '' : `${relative >= 0 ? '+' : ''}${(100 * relative).toFixed(1)} % vs baseline, `;
      lines.push(`${head}: ${change}z ${z.toFixed(2)}, ${verdict}`);
    }
  }
  return lines;
}

export function describeMonitoring(
  bp: QualityBlueprint,
  metrics: readonly Metric[],
  alerts: readonly Alert[],
  now: number,
): string[] {
  const blueprint = bp.name;
  const newest = newestMetrics(metrics, blueprint);
  const value = (name: string) => newest.get(name)?.value;
  const lines: string[] = [];
  if (newest.size === 0) {
    lines.push(
      `  monitor   no measures in the last ${METRICS_LOOKBACK_MS / 60_000} min: is the monitor running? (looper up starts it)`,
    );
  } else {
    const ts = Math.max(...[...newest.values()].map((m) => m.ts));
    const parts = trafficParts(value);
    lines.push(
      `  traffic   ${parts.length > 0 ? parts.join(', ') : 'no decisions lately'} (measured ${age(now - ts)} ago)`,
    );
    lines.push(...versionLines(metrics, blueprint));
    lines.push(qualityLine(bp, newest));
    const note = qualityPlanOf(bp).note;
    if (note !== null) lines.push(`  note      ${note}`);
    const drift = [...newest.values()]
      .filter((m) => m.name.startsWith('psi:'))
      .map((m) => `${m.name.slice(4)} ${m.value.toFixed(3)}`);
    const prediction = value('prediction_psi');
    if (drift.length > 0 || prediction !== undefined)
      lines.push(
        `  drift     PSI ${[...drift, ...(prediction === undefined ? [] : [`score ${prediction.toFixed(3)}`])].join(', ')} (above 0.2: drifted)`,
      );
    const modelAge = value('model_age_s');
    if (modelAge !== undefined)
      lines.push(
        `  model age ${age(modelAge * 1000)} (${newest.get('model_age_s')!.modelVersion ?? 'unknown version'})`,
      );
    lines.push(...guardrailLines(metrics, blueprint));
  }
  const open = alerts.filter((a) => a.blueprint === blueprint).sort((a, b) => a.ts - b.ts);
  if (open.length === 0) lines.push('  alerts    none open');
  for (const a of open) lines.push(`  ALERT     ${a.severity} ${a.rule}: ${a.message} (since ${age(now - a.ts)} ago)`);
  return lines;
}

/** The consumer groups' lag from the monitor's last measure of it, per group with its topics. */
export function describeConsumerLag(metrics: readonly Metric[], now: number): string[] {
  const latest = newestTick(metrics, (m) => m.blueprint === PLATFORM_KEY && m.name === CONSUMER_LAG);
  if (latest.length === 0) return [`consumer lag: not reported in the last ${METRICS_LOOKBACK_MS / 60_000} min`];
  const groups = [...new Set(latest.map((m) => m.labels['group'] ?? '?'))].sort();
  const width = Math.max(...groups.map((g) => g.length));
  return [
    `consumer lag (records not read yet, measured ${age(now - latest[0]!.ts)} ago):`,
    ...groups.map((group) => {
      const topics = latest
        .filter((m) => (m.labels['group'] ?? '?') === group)
        .sort((a, b) => (a.labels['topic'] ?? '').localeCompare(b.labels['topic'] ?? ''));
      return `  ${group.padEnd(width)}  ${topics.map((m) => `${m.labels['topic'] ?? '?'} ${m.value}`).join(', ')}`;
    }),
  ];
}
