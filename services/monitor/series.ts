// The dashboard's history: each metric's values per blueprint over the last hour, kept by the
// monitor as it publishes them (a restarted monitor starts its charts afresh).
import type { Metric } from '../lib/schemas/generated.js';
import { isPerVersion } from './metric-records.js';

export const SERIES_MS = 60 * 60_000;
/** Per-version and per-arm values are in the topic; the charts show the blueprint-wide ones. */
const charted = (m: Metric) =>
  m.experimentArm === null &&
  m.labels['source'] === undefined &&
  !isPerVersion(m) &&
  !m.name.startsWith('guardrail:') &&
  !m.name.startsWith('missing_rate:');

export class SeriesStore {
  private readonly byBlueprint = new Map<string, Map<string, Array<[number, number]>>>();

  add(records: readonly Metric[]): void {
    for (const m of records) {
      if (!charted(m)) continue;
      let series = this.byBlueprint.get(m.blueprint);
      if (!series) this.byBlueprint.set(m.blueprint, (series = new Map()));
      let points = series.get(m.name);
      if (!points) series.set(m.name, (points = []));
      points.push([m.ts, m.value]);
      const from = m.ts - SERIES_MS;
      let drop = 0;
      while (drop < points.length && points[drop]![0] < from) drop++;
      if (drop > 0) points.splice(0, drop);
    }
  }

  of(blueprint: string): Record<string, Array<[number, number]>> {
    return Object.fromEntries(this.byBlueprint.get(blueprint) ?? []);
  }
}
