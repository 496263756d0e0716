// The monitoring part of `looper status`, pure: the newest measures of a blueprint from
// looper.metrics, its stream features' late events as the features service reported them there,
// and its open alerts from looper.alerts, as lines under the deployment, and the platform's
// consumer lag — the summary the monitor's dashboard shows, in the terminal.
import type { Alert, Blueprint, Metric } from '../lib/schemas/generated.js';
import { qualityPlanOf } from '../lib/monitoring/quality-plan.js';
import { GUARDRAIL_DESIGN, boundsFromPublished, isDegraded } from '../lib/monitoring/guardrails.js';
import { coverageLabel } from '../lib/stats/always-valid.js';
import { CONSUMER_LAG, PLATFORM_KEY, isPerVersion } from '../monitor/metric-records.js';
import { age, type ServingVersion } from './status-report.js';
import { orient } from '../lib/automl/objective.js';
import { durationText } from '../lib/duration-text.js';
import {
  LATENESS_WINDOW_MS,
  isLatenessRecord,
  latenessProblem,
  losesTooMany,
  summarizeLateness,
} from '../lib/monitoring/lateness.js';

/** How far back `looper status` reads looper.metrics: a few of the monitor's ticks, and the window lateness is judged over. */
export const METRICS_LOOKBACK_MS = Math.max(2 * 60_000, LATENESS_WINDOW_MS);

const GUARDRAIL_PREFIX = 'guardrail:';

/** What the report needs of a blueprint: its name, and what decides which quality metrics it has. */
type QualityBlueprint = Pick<
  Blueprint,
  'name' | 'task' | 'decision' | 'objective' | 'sequence' | 'features' | 'monitoring'
>;

/** PSI above which a value reads as drifted when no alert rule sets one: the common reading (psi.ts). */
const DEFAULT_DRIFT_PSI = 0.2;

/** The newest blueprint-wide value of each metric name (per-arm, per-version, per-model and guardrail values aside). */
export function newestMetrics(records: readonly Metric[], blueprint: string): Map<string, Metric> {
  const newest = new Map<string, Metric>();
  for (const m of records) {
    if (
      m.blueprint !== blueprint ||
      m.experimentArm !== null ||
      m.labels['source'] !== undefined ||
      isPerVersion(m) ||
      m.name.startsWith(GUARDRAIL_PREFIX) ||
      // The features service's reports, not the monitor's measures: latenessLines sums them.
      isLatenessRecord(m)
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

/**
 * "auc worse by 0.0204 than when v was published", from a drop oriented as metric_drop is (the
 * published value minus the live one, losses negated): positive is worse whatever the metric.
 */
export function changeSincePublished(metric: string, drop: number, version: string): string {
  if (Math.abs(drop) < 0.00005) return `${spaced(metric)} unchanged since ${version} was published`;
  return `${spaced(metric)} ${drop > 0 ? 'worse' : 'better'} by ${Math.abs(drop).toFixed(4)} than when ${version} was published`;
}

/** The served lineage's quality records from the monitor's newest tick that measured it, by metric. */
function lineageQuality(records: readonly Metric[], blueprint: string, lineage: string): Map<string, number> {
  const measured = newestTick(
    records,
    (m) => m.blueprint === blueprint && m.labels['source'] === 'served' && m.modelVersion === lineage,
  );
  return new Map(measured.map((m) => [m.name, m.value]));
}

function qualityLine(
  bp: QualityBlueprint,
  newest: ReadonlyMap<string, Metric>,
  records: readonly Metric[],
  serving: ServingVersion | null,
): string {
  const plan = qualityPlanOf(bp);
  const listed = (values: ReadonlyMap<string, number>, names: readonly string[]) =>
    names.filter((n) => values.has(n)).map((n) => `${spaced(n)} ${values.get(n)!.toFixed(4)}`);
  const all = new Map([...newest].map(([n, m]) => [n, m.value]));
  const labels = newest.get('label_rate')?.value;
  const outcomes = labels === undefined ? '' : `; ${pct(labels)} of decisions got an outcome`;
  if (serving === null) {
    const quality = listed(all, plan.metrics);
    const drop = newest.get('metric_drop');
    return [
      `  quality   ${quality.length > 0 ? `${quality.join(', ')} on recent labelled examples` : 'not measured yet (needs 200 labelled examples)'}`,
      drop === undefined
        ? ''
        : `; ${changeSincePublished(drop.labels['metric'] ?? bp.objective.metric, drop.value, drop.modelVersion ?? 'the model')}`,
      outcomes,
    ].join('');
  }
  // What serves is measured on the examples its own lineage answered, and compared with what it
  // published: the blueprint-wide figures mix in whatever else answered lately (a version rolled
  // back, a canary), and the monitor's metric_drop is against the newest version it saw decide.
  const own = lineageQuality(records, bp.name, serving.lineage);
  const quality = listed(own, plan.metrics);
  const dropMetric = plan.dropMetrics.find((n) => own.has(n) && Number.isFinite(serving.published[n]));
  const change =
    dropMetric === undefined
      ? ''
      : `; ${changeSincePublished(dropMetric, orient(dropMetric, serving.published[dropMetric]!) - orient(dropMetric, own.get(dropMetric)!), serving.version)}`;
  // A ranking lineage is measured by AUC only: the lists' NDCG and MRR are the blueprint's.
  const rest = listed(
    all,
    plan.metrics.filter((n) => !own.has(n)),
  );
  const wide =
    rest.length === 0
      ? ''
      : quality.length === 0
        ? `; all recent labelled examples, whichever version answered: ${rest.join(', ')}`
        : `; ${rest.join(', ')} on all recent labelled examples`;
  return [
    `  quality   ${serving.version}: ${quality.length > 0 ? `${quality.join(', ')} on the recent labelled examples its lineage answered` : 'not measured yet (needs 200 labelled examples its lineage answered)'}`,
    change,
    wide,
    outcomes,
  ].join('');
}

/** "PSI hour 0.412, score 0.013 (hour above 0.2: drifted)": the drift phrase only for what is above its alert's PSI. */
function driftLine(bp: QualityBlueprint, newest: ReadonlyMap<string, Metric>): string | null {
  const thresholdOf = (on: 'feature_drift' | 'prediction_drift', feature: string | null) => {
    const psis = bp.monitoring.alerts
      .filter(
        (a) =>
          a.on === on && a.psi !== null && (on === 'prediction_drift' || a.feature === null || a.feature === feature),
      )
      .map((a) => a.psi!);
    return psis.length > 0 ? Math.min(...psis) : DEFAULT_DRIFT_PSI;
  };
  const measured = [...newest.values()]
    .filter((m) => m.name.startsWith('psi:'))
    .map((m) => ({ name: m.name.slice(4), value: m.value, threshold: thresholdOf('feature_drift', m.name.slice(4)) }));
  const prediction = newest.get('prediction_psi')?.value;
  if (prediction !== undefined)
    measured.push({ name: 'score', value: prediction, threshold: thresholdOf('prediction_drift', null) });
  if (measured.length === 0) return null;
  const drifted = new Map<number, string[]>();
  for (const d of measured.filter((x) => x.value > x.threshold))
    drifted.set(d.threshold, [...(drifted.get(d.threshold) ?? []), d.name]);
  const phrase =
    drifted.size === 0
      ? ''
      : ` (${[...drifted].map(([threshold, names]) => `${names.join(', ')} above ${threshold}`).join('; ')}: drifted)`;
  return `  drift     PSI ${measured.map((d) => `${d.name} ${d.value.toFixed(3)}`).join(', ')}${phrase}`;
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;

/** Each guardrail's groups (experiment arms, model lineages) from the monitor's last tick, each judged as the guardrail alert judges it. */
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
    const isArm = (m: Metric) => m.experimentArm !== null;
    const baselineOf = (m: Metric) => groups.find((b) => b.labels['baseline'] === 'true' && isArm(b) === isArm(m));
    for (const g of groups) {
      const group = isArm(g) ? `arm ${g.experimentArm}` : `model ${g.modelVersion ?? '—'}`;
      const z = g.labels['z'] === undefined ? null : Number(g.labels['z']);
      const relative = g.labels['relative'] === undefined ? null : Number(g.labels['relative']);
      const isBaseline = g.labels['baseline'] === 'true';
      const head = `            ${group} ${g.value.toFixed(4)} (${g.count} decisions${isBaseline ? ', baseline' : ''})`;
      const baseline = baselineOf(g);
      if (isBaseline || z === null || baseline === undefined) {
        lines.push(head);
        continue;
      }
      // The monitor publishes the rates, counts and the look's z; the always-valid bound it alerted
      // on follows from them. The z itself is not shown: read against 2.33 it invites the
      // repeated fixed-z test this bound replaces.
      const bounds = boundsFromPublished(
        { rate: g.value, decisions: g.count },
        { rate: baseline.value, decisions: baseline.count },
        z,
      );
      const verdict =
        isDegraded(bounds) && relative !== null && relative > 0 ? 'significantly worse' : 'no clear difference';
      const change =
        relative === null ? '' : `${relative >= 0 ? '+' : ''}${(100 * relative).toFixed(1)} % vs baseline, `;
      const bound =
        bounds === null
          ? `difference ${signed(g.value - baseline.value)}`
          : `difference ${signed(bounds.estimate)}, ${coverageLabel(GUARDRAIL_DESIGN)} lower bound ${signed(bounds.low)}`;
      lines.push(`${head}: ${change}${bound}, ${verdict}`);
    }
  }
  return lines;
}

/**
 * Per stream feature that had events in the lateness window: how many, how many arrived late and
 * still counted, how many were dropped as too late, and a warning when it loses over 1 %.
 */
export function latenessLines(
  bp: Pick<Blueprint, 'name' | 'features'>,
  metrics: readonly Metric[],
  now: number,
): string[] {
  if (bp.features.streams.length === 0) return [];
  const minutes = LATENESS_WINDOW_MS / 60_000;
  const reported = summarizeLateness(
    metrics.filter((m) => m.blueprint === bp.name),
    now - LATENESS_WINDOW_MS,
  );
  const lines: string[] = [];
  for (const stream of bp.features.streams) {
    const f = reported.find((x) => x.feature === stream.name);
    if (f === undefined || f.events === 0) continue;
    const share = f.lateDropped > 0 && f.droppedShare !== null ? ` (${pct(f.droppedShare)})` : '';
    lines.push(
      `  lateness  ${f.feature}: ${f.events.toLocaleString('en-US')} events in ${minutes} min, ${f.lateApplied.toLocaleString('en-US')} late but counted, ${f.lateDropped.toLocaleString('en-US')} dropped as too late${share} (lateness ${durationText(f.latenessMs)})`,
    );
    if (losesTooMany(f)) lines.push(`  WARNING   ${latenessProblem(f)}`);
  }
  if (lines.length === 0) lines.push(`  lateness  no events on its stream topics reported in the last ${minutes} min`);
  return lines;
}

/**
 * `serving`: the version the deployment lines name as serving; the quality line measures that one.
 * Null (nothing serves, or the caller does not know): the blueprint-wide figures.
 */
export function describeMonitoring(
  bp: QualityBlueprint,
  metrics: readonly Metric[],
  alerts: readonly Alert[],
  now: number,
  serving: ServingVersion | null = null,
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
    lines.push(qualityLine(bp, newest, metrics, serving));
    const note = qualityPlanOf(bp).note;
    if (note !== null) lines.push(`  note      ${note}`);
    const drift = driftLine(bp, newest);
    if (drift !== null) lines.push(drift);
    const modelAge = value('model_age_s');
    if (modelAge !== undefined)
      lines.push(
        `  model age ${age(modelAge * 1000)} (${newest.get('model_age_s')!.modelVersion ?? 'unknown version'})`,
      );
    lines.push(...guardrailLines(metrics, blueprint));
  }
  lines.push(...latenessLines(bp, metrics, now));
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
