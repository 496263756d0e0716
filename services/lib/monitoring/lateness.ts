// Events lost to lateness, from the features service to whoever reads looper.metrics. Each
// features instance publishes, every few seconds and per blueprint feature that saw events, what
// happened since its last report: `late_applied:<feature>` and `late_dropped:<feature>`, each
// with the events judged as its count. Those are deltas over disjoint intervals, so a reader
// adds up every record in its window across instances. The monitor (dashboard, alert), `looper
// status` and the features service's own log line all judge the sums by the same rule: a
// feature that drops more than 1 % of its events, out of enough events for 1 % to mean something.
import type { Alert, Metric } from '../schemas/generated.js';
import { judged, type FeatureArrivals } from '../features/lateness.js';
import { durationText } from '../duration-text.js';
import { AlertCondition, type AlertChange } from './hysteresis.js';

export const LATE_APPLIED_PREFIX = 'late_applied:';
export const LATE_DROPPED_PREFIX = 'late_dropped:';
/** How far back lateness is judged: as far as `looper status` reads looper.metrics. */
export const LATENESS_WINDOW_MS = 2 * 60_000;
/** A feature that drops more than this share of its events to lateness is warned about. */
export const LATENESS_WARN_SHARE = 0.01;
/** Fewer events than this in the window are not judged: one dropped event would be a 1 % loss. */
export const LATENESS_MIN_EVENTS = 100;
/** The rule name of the lateness alert on looper.alerts: built in, not declared by a blueprint. */
export const LATENESS_RULE = 'feature_lateness';

/** Whether a looper.metrics record is a features instance's lateness report. */
export function isLatenessRecord(m: Pick<Metric, 'name'>): boolean {
  return m.name.startsWith(LATE_APPLIED_PREFIX) || m.name.startsWith(LATE_DROPPED_PREFIX);
}

/**
 * The records of one report: for each feature with events since the last one, its late-but-applied
 * and its dropped events as values, the events judged as their count, over `windowMs` ending at `ts`.
 */
export function latenessRecords(
  features: readonly FeatureArrivals[],
  ts: number,
  windowMs: number,
  instance: string,
): Metric[] {
  const records: Metric[] = [];
  for (const f of features) {
    const count = judged(f.counts);
    if (count === 0) continue;
    const labels = { feature: f.feature, topic: f.topic, lateness_ms: String(f.latenessMs), instance };
    const base = { blueprint: f.blueprint, modelVersion: null, experimentArm: null, windowMs, count, ts, labels };
    records.push({ ...base, name: `${LATE_APPLIED_PREFIX}${f.feature}`, value: f.counts.lateApplied });
    records.push({ ...base, name: `${LATE_DROPPED_PREFIX}${f.feature}`, value: f.counts.lateDropped });
  }
  return records;
}

/** One feature's lateness over a window, summed over every instance's reports. */
export interface FeatureLateness {
  readonly blueprint: string;
  readonly feature: string;
  readonly topic: string;
  /** The feature's lateness, as its newest report gave it. */
  readonly latenessMs: number;
  /** Events judged by event time. */
  readonly events: number;
  readonly lateApplied: number;
  readonly lateDropped: number;
  /** lateDropped / events; null without events. */
  readonly droppedShare: number | null;
}

/**
 * The lateness of every feature with reports stamped after `from`, by blueprint then feature
 * name. Records that are not lateness reports are skipped.
 */
export function summarizeLateness(records: readonly Metric[], from: number): FeatureLateness[] {
  interface Sum {
    blueprint: string;
    feature: string;
    topic: string;
    latenessMs: number;
    newest: number;
    events: number;
    lateApplied: number;
    lateDropped: number;
  }
  const sums = new Map<string, Sum>();
  for (const m of records) {
    if (m.ts <= from || !isLatenessRecord(m)) continue;
    const dropped = m.name.startsWith(LATE_DROPPED_PREFIX);
    const feature = m.name.slice(dropped ? LATE_DROPPED_PREFIX.length : LATE_APPLIED_PREFIX.length);
    const key = `${m.blueprint}/${feature}`;
    let s = sums.get(key);
    if (s === undefined) {
      s = {
        blueprint: m.blueprint,
        feature,
        topic: '',
        latenessMs: 0,
        newest: -Infinity,
        events: 0,
        lateApplied: 0,
        lateDropped: 0,
      };
      sums.set(key, s);
    }
    if (m.ts >= s.newest) {
      s.newest = m.ts;
      s.topic = m.labels['topic'] ?? s.topic;
      s.latenessMs = Number(m.labels['lateness_ms'] ?? s.latenessMs);
    }
    // Both records of a report carry the events judged: they are counted once, with the dropped.
    if (dropped) {
      s.lateDropped += m.value;
      s.events += m.count;
    } else s.lateApplied += m.value;
  }
  return [...sums.values()]
    .sort((a, b) => (a.blueprint === b.blueprint ? compare(a.feature, b.feature) : compare(a.blueprint, b.blueprint)))
    .map((s) => ({
      blueprint: s.blueprint,
      feature: s.feature,
      topic: s.topic,
      latenessMs: s.latenessMs,
      events: s.events,
      lateApplied: s.lateApplied,
      lateDropped: s.lateDropped,
      droppedShare: s.events === 0 ? null : s.lateDropped / s.events,
    }));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The lateness reports of the last LATENESS_WINDOW_MS, as they arrive, and their sums. */
export class LatenessWindow {
  private records: Metric[] = [];

  /** Keeps the lateness reports among `records`. */
  add(records: readonly Metric[]): void {
    for (const m of records) if (isLatenessRecord(m)) this.records.push(m);
  }

  /** Every feature's lateness over the window ending at `now`; reports older than the window are forgotten. */
  summary(now: number): FeatureLateness[] {
    const from = now - LATENESS_WINDOW_MS;
    this.records = this.records.filter((m) => m.ts > from);
    return summarizeLateness(this.records, from);
  }
}

/** The share a warning is judged on: null (no judgement) below LATENESS_MIN_EVENTS events. */
export function judgedShare(f: FeatureLateness): number | null {
  return f.events < LATENESS_MIN_EVENTS ? null : f.droppedShare;
}

/** Whether a feature loses more than LATENESS_WARN_SHARE of enough events to lateness. */
export function losesTooMany(f: FeatureLateness): boolean {
  const share = judgedShare(f);
  return share !== null && share > LATENESS_WARN_SHARE;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const counted = (n: number) => n.toLocaleString('en-US');

/** What goes wrong, and what to do about it, for a feature that loses too many events. */
export function latenessProblem(f: FeatureLateness): string {
  return (
    `feature ${f.feature} (topic ${f.topic}) lost ${pct(f.droppedShare ?? 0)} of its events to lateness: ` +
    `${counted(f.lateDropped)} of ${counted(f.events)} in the last ${LATENESS_WINDOW_MS / 60_000} min arrived more than ` +
    `its lateness ${durationText(f.latenessMs)} behind the newest event of their partition and were not counted; ` +
    `raise lateness on the feature, or find the producer whose events lag (its clock, or what it does before sending)`
  );
}

/**
 * The lateness warnings of some blueprints' features, raised and cleared with hysteresis (as the
 * monitor's other alerts: 2 evaluations over LATENESS_WARN_SHARE raise, 3 clearly under clear),
 * as Alert records. The monitor publishes them on looper.alerts; a features instance logs them.
 */
export class LatenessAlerts {
  private readonly conditions = new Map<string, { condition: AlertCondition; alertId: string | null }>();
  private readonly openAlerts = new Map<string, Alert>();

  /** Continues episodes recorded as raised and not cleared (read back from looper.alerts on start). */
  restore(open: readonly Alert[]): void {
    for (const a of open) {
      if (a.rule !== LATENESS_RULE) continue;
      const key = `${a.blueprint}/${a.labels['feature'] ?? ''}`;
      const condition = new AlertCondition('above', LATENESS_WARN_SHARE);
      condition.restore(true);
      this.conditions.set(key, { condition, alertId: a.alertId });
      this.openAlerts.set(key, a);
    }
  }

  open(): Alert[] {
    return [...this.openAlerts.values()];
  }

  /** Judges each feature's lateness at `ts`; returns the alerts raised and cleared. */
  evaluate(features: readonly FeatureLateness[], ts: number, newId: () => string): Alert[] {
    const changes: Alert[] = [];
    for (const f of features) {
      const key = `${f.blueprint}/${f.feature}`;
      let watched = this.conditions.get(key);
      if (watched === undefined)
        this.conditions.set(
          key,
          (watched = { condition: new AlertCondition('above', LATENESS_WARN_SHARE), alertId: null }),
        );
      const share = judgedShare(f);
      const change: AlertChange = watched.condition.evaluate(share);
      if (change === null || share === null) continue;
      const raise = change === 'raise';
      if (raise) watched.alertId = newId();
      const alert: Alert = {
        alertId: watched.alertId ?? newId(),
        blueprint: f.blueprint,
        rule: LATENESS_RULE,
        state: raise ? 'raised' : 'cleared',
        severity: 'warning',
        message: raise
          ? `${latenessProblem(f)} (warns above ${pct(LATENESS_WARN_SHARE)})`
          : `feature ${f.feature} (topic ${f.topic}) is back to normal: ${pct(share)} of its events dropped as late (it clears at ${pct(watched.condition.clearLevel)})`,
        modelVersion: null,
        value: share,
        threshold: LATENESS_WARN_SHARE,
        labels: { feature: f.feature, topic: f.topic, key: `${LATENESS_RULE}:${f.feature}` },
        ts,
      };
      changes.push(alert);
      if (raise) this.openAlerts.set(key, alert);
      else {
        this.openAlerts.delete(key);
        watched.alertId = null;
      }
    }
    return changes;
  }
}
