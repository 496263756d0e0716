// How a search reads in a terminal: the split, a progress line, the leaderboard, the Pareto
// front. Pure text.
import type { SplitFigures } from '../lib/automl/dataset.js';
import type { SearchProgress, SearchResult, TrialRecord } from '../lib/automl/search.js';
import { formatBytes } from '../lib/automl/objective.js';
import { table } from '../lib/table.js';

const BAR_WIDTH = 24;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The split a search or retrain judges on: who validates, and the entities a plain time split
 * would have put on both sides (leaking their rows into validation) with where they went instead.
 */
export function splitText(f: SplitFigures): string {
  const percent = (k: number) => `${((100 * k) / f.examples).toFixed(1)} %`;
  const iso = (ts: number) => new Date(ts).toISOString();
  const { toTrain, toValidation } = f.crossed;
  const crossing = toTrain.entities + toValidation.entities;
  const parts = [
    `held out by entity: the ${plural(f.validation.entities, 'entity', 'entities')} first seen from ${iso(f.entityCutTs)} on validate (${plural(f.validation.examples, 'example', 'examples')}, ${percent(f.validation.examples)}), the ${f.train.entities} seen earlier train (${f.train.examples})`,
    crossing === 0
      ? `no entity has examples on both sides of the time cut at ${iso(f.timeCutTs)}`
      : `${plural(crossing, 'entity', 'entities')} (${plural(toTrain.examples + toValidation.examples, 'example', 'examples')}) straddled the time cut at ${iso(f.timeCutTs)} and would have been on both sides of a plain time split: ` +
        `${toTrain.entities} went wholly to training (bringing ${toTrain.moved} newer examples), ${toValidation.entities} wholly to validation (bringing ${toValidation.moved} older ones)`,
  ];
  if (f.entityCutTs < f.timeCutTs)
    parts.push(
      `the entity cut is earlier than the time cut so that validation keeps about ${Math.round(100 * f.validationShare)} % of the examples`,
    );
  parts.push(
    `the largest entity, ${f.largestEntity.entity}, has ${plural(f.largestEntity.examples, 'example', 'examples')} of ${f.examples} (${percent(f.largestEntity.examples)})`,
  );
  return `${parts.join('; ')}.`;
}

export function progressLine(p: SearchProgress, metric: string): string {
  const filled = Math.round((BAR_WIDTH * p.evaluations) / p.plannedEvaluations);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const last = p.last;
  const lastText = `trial ${last.trial} ${last.config.family} on ${last.trainRows} rows: ${describeValue(last, metric)} (${last.seconds.toFixed(1)} s)`;
  const best =
    p.best && Number.isFinite(p.best.objective)
      ? ` · best ${p.best.config.family} ${metric} ${p.best.metricValue.toFixed(4)}`
      : '';
  return `${bar} ${p.evaluations}/${p.plannedEvaluations} · ${lastText}${best}`;
}

function describeValue(r: TrialRecord, metric: string): string {
  if (r.violations.length > 0) return `${metric} ${r.metricValue.toFixed(4)}, infeasible: ${r.violations.join('; ')}`;
  if (r.error !== null) return `failed: ${r.error}`;
  return `${metric} ${r.metricValue.toFixed(4)}`;
}

/** The hyper-parameters in a short form: numbers to 3 significant digits. */
export function shortParams(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : JSON.stringify(v)}`,
    )
    .join(' ');
}

export function leaderboardTable(result: SearchResult, limit = 15): string {
  const front = new Set(result.front.map((r) => r.trial));
  const rows = result.leaderboard
    .slice(0, limit)
    .map((r, i) => [
      String(i + 1),
      String(r.trial),
      r.config.family,
      `${r.trainRows}`,
      Number.isFinite(r.metricValue) ? r.metricValue.toFixed(4) : '—',
      r.sizeBytes > 0 ? formatBytes(r.sizeBytes) : '—',
      r.p99Us > 0 ? r.p99Us.toFixed(1) : '—',
      r.seconds.toFixed(1),
      [
        result.chosen?.trial === r.trial ? 'chosen' : '',
        front.has(r.trial) ? 'front' : '',
        r.violations.length > 0 ? 'infeasible' : '',
        r.error !== null && r.violations.length === 0 ? 'failed' : '',
      ]
        .filter(Boolean)
        .join(', '),
      shortParams(r.config.params),
    ]);
  const more =
    result.leaderboard.length > limit ? `\n… ${result.leaderboard.length - limit} more trials stopped earlier` : '';
  return (
    table(['#', 'trial', 'family', 'rows', result.metric, 'size', 'p99 µs', 'secs', '', 'hyper-parameters'], rows) +
    more
  );
}

export function frontTable(result: SearchResult): string {
  if (result.front.length === 0) return 'no feasible trial reached the full data';
  return table(
    ['trial', 'family', result.metric, 'size', 'p99 µs'],
    result.front.map((r) => [
      String(r.trial),
      r.config.family,
      r.metricValue.toFixed(4),
      formatBytes(r.sizeBytes),
      r.p99Us.toFixed(1),
    ]),
  );
}

export function featureDropText(result: SearchResult): string {
  if (result.featureSteps.length === 0)
    return 'feature cost: no stream feature to weigh (context features come with the request)';
  const lines = result.featureSteps.map(
    (s) =>
      `  ${s.feature}: ${s.dropped ? 'dropped' : 'kept'} (objective without it ${Number.isFinite(s.objective) ? s.objective.toFixed(4) : 'n/a'}, ${s.reads} state read per decision)`,
  );
  const saved = result.featureSteps.filter((s) => s.dropped).reduce((sum, s) => sum + s.reads, 0);
  const total = result.featureSteps.reduce((sum, s) => sum + s.reads, 0);
  return `feature cost: ${saved} of ${total} stream-feature state reads per decision saved\n${lines.join('\n')}`;
}
