// What the Grafana dashboard queries and what the services export, so a test can hold one to the
// other: the metric names and labels of the dashboard's PromQL, and the series every declared
// metric becomes on a /metrics page (a histogram's _bucket, _sum and _count).
import { looperCounters, looperGauges, looperHistograms } from '../../services/lib/observability/service-metrics.js';
import { monitorGaugeDefinitions } from '../../services/monitor/gauges.js';

/** Labels every series has without a metric declaring them: the service's own, and Prometheus's target labels. */
export const TARGET_LABELS = ['service', 'instance', 'job'] as const;

/** Every series name the services export, with the labels it carries (TARGET_LABELS aside). */
export function exportedSeries(): Map<string, ReadonlySet<string>> {
  const series = new Map<string, ReadonlySet<string>>();
  for (const d of [
    ...Object.values(looperCounters),
    ...Object.values(looperGauges),
    ...Object.values(monitorGaugeDefinitions),
  ])
    series.set(d.name, new Set(d.labelNames));
  for (const d of Object.values(looperHistograms)) {
    series.set(`${d.name}_bucket`, new Set([...d.labelNames, 'le']));
    series.set(`${d.name}_sum`, new Set(d.labelNames));
    series.set(`${d.name}_count`, new Set(d.labelNames));
  }
  return series;
}

/** One PromQL expression's metric names and the labels it matches or groups by. */
export interface QueryUse {
  metrics: string[];
  labels: string[];
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** The metrics and labels of a PromQL expression (Grafana's $variables allowed in strings and ranges). */
export function promqlUses(expr: string): QueryUse {
  const labels = new Set<string>();
  const values = expr.match(/^\s*label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*(\w+)\s*\)\s*$/);
  if (values) return { metrics: [values[1]!], labels: [values[2]!] };
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  rest = rest.replace(/\{([^}]*)\}/g, (_, inner: string) => {
    for (const m of inner.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) labels.add(m[1]!);
    return ' ';
  });
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, inner: string) => {
    for (const l of inner.split(',').map((s) => s.trim())) if (l !== '') labels.add(l);
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' ').replace(/""/g, ' ');
  const metrics = new Set<string>();
  for (const m of rest.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (m[2] !== undefined || KEYWORDS.has(m[1]!.toLowerCase())) continue;
    metrics.add(m[1]!);
  }
  return { metrics: [...metrics], labels: [...labels] };
}

interface PanelLike {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: PanelLike[];
}

/** Every PromQL expression of a Grafana dashboard's JSON model, with where it is: panel targets and query variables. */
export function dashboardExpressions(dashboard: {
  panels?: PanelLike[];
  templating?: { list?: Array<{ name?: string; type?: string; query?: unknown }> };
}): Array<{ where: string; expr: string }> {
  const found: Array<{ where: string; expr: string }> = [];
  const walk = (panels: PanelLike[] | undefined) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) if (t.expr) found.push({ where: `panel "${p.title ?? ''}"`, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const query = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
    if (query) found.push({ where: `variable $${v.name ?? ''}`, expr: query });
  }
  return found;
}

/** What in `expr` the services do not export: unknown metrics, and labels none of its metrics has. */
export function unexported(expr: string, series: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const use = promqlUses(expr);
  const problems: string[] = [];
  if (use.metrics.length === 0) problems.push('queries no metric');
  const known = new Set<string>(TARGET_LABELS);
  for (const metric of use.metrics) {
    const labels = series.get(metric);
    if (labels === undefined) problems.push(`${metric} is not a metric the services export`);
    else for (const l of labels) known.add(l);
  }
  for (const label of use.labels) if (!known.has(label)) problems.push(`no metric of it has the label ${label}`);
  return problems;
}
