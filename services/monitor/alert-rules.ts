// A blueprint's monitoring.alerts applied to what the monitor measured: each rule watches one or
// more values (feature_drift one per feature), each value has its own hysteresis, and a change
// becomes an Alert record — raised, later cleared under the same alertId. One alert needs no rule:
// quality_shift, per serving lineage, from its change detector (quality-shift.ts), whose own
// episode is the hysteresis — raised at a shift for the worse, cleared once the detector judges
// against a reference taken after it.
import type { Alert, AlertSeverity, Blueprint, BlueprintAlert, BlueprintAlertKind } from '../lib/schemas/generated.js';
import { AlertCondition } from '../lib/monitoring/hysteresis.js';
import { GUARDRAIL_DESIGN } from '../lib/monitoring/guardrails.js';
import { coverageLabel } from '../lib/stats/always-valid.js';
import { spanText } from '../lib/duration-text.js';
import { QUALITY_SHIFT_RULE, shiftClearedMessage, shiftMessage } from '../lib/monitoring/quality-shift.js';
import type { BlueprintMeasures } from './measures.js';

const SEVERITY: Record<BlueprintAlertKind, AlertSeverity> = {
  feature_drift: 'warning',
  prediction_drift: 'warning',
  decide_p99: 'critical',
  fallback_rate: 'critical',
  model_age: 'warning',
  metric_drop: 'critical',
  label_rate: 'warning',
  guardrail: 'critical',
};

/** One watched value of one rule. */
interface Watched {
  readonly key: string;
  readonly value: number | null;
  readonly labels: Record<string, string>;
  readonly modelVersion: string | null;
  /** What the value is about, and what went wrong when it raises. */
  readonly subject: string;
  readonly problem: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const signed = (x: number | undefined) => (x === undefined ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`);

function thresholdOf(rule: BlueprintAlert): { direction: 'above' | 'below'; threshold: number } {
  if (rule.psi !== null) return { direction: 'above', threshold: rule.psi };
  if (rule.aboveMs !== null) return { direction: 'above', threshold: rule.aboveMs };
  if (rule.below !== null) return { direction: 'below', threshold: rule.below };
  return { direction: 'above', threshold: rule.above ?? Number.POSITIVE_INFINITY };
}

/** How a value of this rule reads, e.g. "PSI 0.41" or "14.2 ms". */
function format(rule: BlueprintAlert, value: number): string {
  switch (rule.on) {
    case 'feature_drift':
    case 'prediction_drift':
      return `PSI ${value.toFixed(3)}`;
    case 'decide_p99':
    case 'model_age':
      return spanText(value);
    case 'fallback_rate':
    case 'label_rate':
    case 'guardrail':
      return pct(value);
    default:
      return value.toFixed(4);
  }
}

function watchedValues(rule: BlueprintAlert, m: BlueprintMeasures, metric: string): Watched[] {
  const base = { labels: {}, modelVersion: null };
  switch (rule.on) {
    case 'feature_drift':
      return m.features
        .filter((f) => rule.feature === null || f.name === rule.feature)
        .map((f) => ({
          key: `feature_drift:${f.name}`,
          value: f.psi,
          labels: { feature: f.name },
          modelVersion: m.modelVersion,
          subject: `feature ${f.name}`,
          problem: "drifted from the serving model's training data",
        }));
    case 'prediction_drift':
      return [
        {
          key: 'prediction_drift',
          value: m.predictionPsi,
          labels: {},
          modelVersion: m.modelVersion,
          subject: 'the score distribution',
          problem: "drifted from the serving model's training data",
        },
      ];
    case 'decide_p99':
      return [
        { ...base, key: 'decide_p99', value: m.decideP99Ms, subject: 'decide latency p99', problem: 'is too high' },
      ];
    case 'fallback_rate':
      return [
        {
          ...base,
          key: 'fallback_rate',
          value: m.fallbackRate,
          subject: 'the share of decisions that fell back to the default',
          problem: 'is too high',
        },
      ];
    case 'model_age':
      return [
        {
          key: 'model_age',
          value: m.modelAgeS === null ? null : m.modelAgeS * 1000,
          labels: {},
          modelVersion: m.modelVersion,
          subject: `the serving model ${m.modelVersion ?? ''}`,
          problem: 'is too old',
        },
      ];
    case 'metric_drop': {
      // When the objective is not measured online (or not published), a stand-in is compared: say which.
      const compared = m.metricDropMetric ?? metric;
      const subject = compared === metric ? `online ${metric}` : `online ${compared} (standing in for ${metric})`;
      const ref = m.metricDropReference;
      return [
        {
          key: 'metric_drop',
          value: m.metricDrop,
          labels:
            ref === null ? { metric: compared } : { metric: compared, lineage: ref.lineage, reference: ref.version },
          modelVersion: m.modelVersion,
          subject: ref === null ? subject : `${subject} of lineage ${ref.lineage}`,
          problem:
            ref === null
              ? 'dropped below what its lineage showed when it went live'
              : `dropped below what it showed when it went live (${compared} ${ref.value.toFixed(4)}, published with ${ref.version})`,
        },
      ];
    }
    case 'label_rate':
      return [
        {
          ...base,
          key: 'label_rate',
          value: m.labelRate,
          subject: 'the share of decisions that got an outcome',
          problem: 'is too low',
        },
      ];
    case 'guardrail': {
      const g = m.guardrails.find((x) => x.name === rule.guardrail);
      if (!g) return [];
      return g.groups
        .filter((x) => !x.baseline)
        .map((x) => ({
          key: `guardrail:${g.name}:${x.kind}:${x.group}`,
          // Only a rise the always-valid lower bound confirms counts: this is judged at every tick, and
          // a fixed z compared that often would call noise a degradation far more often than it says.
          value: x.difference === null || x.relative === null ? null : x.degraded ? x.relative : 0,
          labels: { guardrail: g.name, [x.kind]: x.group },
          modelVersion: x.kind === 'model' ? x.group : null,
          subject: `guardrail ${g.name} for ${x.kind} ${x.group}`,
          problem: `rose against its baseline (${x.rate.toFixed(4)} per decision, difference ${signed(x.difference?.estimate)}, ${coverageLabel(GUARDRAIL_DESIGN)} lower bound ${signed(x.difference?.low)}), relative increase`,
        }));
    }
  }
}

interface Episode {
  readonly condition: AlertCondition;
  alertId: string | null;
}

export class BlueprintAlerts {
  private readonly episodes = new Map<string, Episode>();
  private readonly openAlerts = new Map<string, Alert>();
  /** Per lineage: the shifts for the worse its detector had found at the last evaluation. */
  private readonly shiftsSeen = new Map<string, number>();

  constructor(private bp: Blueprint) {}

  set blueprint(bp: Blueprint) {
    this.bp = bp;
  }

  private episode(index: number, rule: BlueprintAlert, key: string): Episode {
    const id = `${index}:${key}`;
    let e = this.episodes.get(id);
    const { direction, threshold } = thresholdOf(rule);
    if (!e || e.condition.threshold !== threshold || e.condition.direction !== direction) {
      e = { condition: new AlertCondition(direction, threshold), alertId: null };
      const open = this.openAlerts.get(`${rule.on}/${key}`);
      if (open) {
        e.condition.restore(true);
        e.alertId = open.alertId;
      }
      this.episodes.set(id, e);
    }
    return e;
  }

  /** Alerts recorded as raised and not cleared (read back from looper.alerts on start). */
  restore(open: readonly Alert[]): void {
    for (const a of open) this.openAlerts.set(`${a.rule}/${a.labels['key'] ?? a.rule}`, a);
  }

  open(): Alert[] {
    return [...this.openAlerts.values()];
  }

  /** Applies every rule to `m`; returns the alerts raised and cleared by it. */
  evaluate(m: BlueprintMeasures, newId: () => string): Alert[] {
    const changes: Alert[] = [];
    this.bp.monitoring.alerts.forEach((rule, index) => {
      for (const w of watchedValues(rule, m, this.bp.objective.metric)) {
        const e = this.episode(index, rule, w.key);
        const change = e.condition.evaluate(w.value);
        if (change === null || w.value === null) continue;
        const { threshold } = thresholdOf(rule);
        const raise = change === 'raise';
        if (raise) e.alertId = newId();
        const alert: Alert = {
          alertId: e.alertId ?? newId(),
          blueprint: this.bp.name,
          rule: rule.on,
          state: raise ? 'raised' : 'cleared',
          severity: SEVERITY[rule.on],
          message: raise
            ? `${w.subject} ${w.problem}: ${format(rule, w.value)}, ${e.condition.direction} ${format(rule, threshold)}`
            : `${w.subject} is back to normal: ${format(rule, w.value)} (it clears at ${format(rule, e.condition.clearLevel)})`,
          modelVersion: w.modelVersion,
          value: w.value,
          threshold,
          labels: { ...w.labels, key: w.key },
          ts: m.ts,
        };
        changes.push(alert);
        const openKey = `${rule.on}/${w.key}`;
        if (raise) this.openAlerts.set(openKey, alert);
        else this.openAlerts.delete(openKey);
        if (!raise) e.alertId = null;
      }
    });
    changes.push(...this.evaluateShifts(m, newId));
    return changes;
  }

  /**
   * quality_shift per serving lineage: raised when its detector found a shift for the worse since
   * the last evaluation (even one already followed by a new reference, so that none goes unsaid),
   * cleared once it judges against a reference taken after the shift, or once the lineage is no
   * longer measured (it stopped serving; or, after a restart, it did not serve recently).
   */
  private evaluateShifts(m: BlueprintMeasures, newId: () => string): Alert[] {
    const changes: Alert[] = [];
    const measured = new Map(m.qualityShifts.map((q) => [q.lineage, q]));
    for (const lineage of this.shiftsSeen.keys()) if (!measured.has(lineage)) this.shiftsSeen.delete(lineage);
    for (const q of m.qualityShifts) {
      const seen = this.shiftsSeen.get(q.lineage) ?? 0;
      this.shiftsSeen.set(q.lineage, q.shifts);
      const openKey = `${QUALITY_SHIFT_RULE}/${shiftKey(q.lineage)}`;
      if (q.shifts > seen && q.lastShift !== null && !this.openAlerts.has(openKey)) {
        const s = q.lastShift;
        const alert: Alert = {
          alertId: newId(),
          blueprint: this.bp.name,
          rule: QUALITY_SHIFT_RULE,
          state: 'raised',
          severity: 'warning',
          message: shiftMessage(s),
          modelVersion: s.modelVersion,
          value: s.statistic,
          threshold: s.threshold,
          labels: {
            key: shiftKey(q.lineage),
            lineage: q.lineage,
            metric: s.quantity,
            meanBefore: String(s.before.mean),
            examplesBefore: String(s.before.examples),
            meanSince: String(s.since.mean),
            examplesSince: String(s.since.examples),
            changeAt: String(Math.round(s.changeAt)),
          },
          ts: m.ts,
        };
        changes.push(alert);
        this.openAlerts.set(openKey, alert);
      }
    }
    for (const [openKey, open] of this.openAlerts) {
      if (open.rule !== QUALITY_SHIFT_RULE) continue;
      const lineage = open.labels['lineage'] ?? open.labels['key']?.slice(shiftKey('').length) ?? '';
      const q = measured.get(lineage);
      // Raised at this evaluation, or still without a reference taken after the shift (after a
      // restart, the detector starts afresh: it clears once that one judges).
      if (q !== undefined && (q.shifted || q.state !== 'watching' || changes.some((c) => c.alertId === open.alertId)))
        continue;
      changes.push({
        ...open,
        state: 'cleared',
        message: shiftClearedMessage(lineage, q),
        value: q?.statistic ?? null,
        ts: m.ts,
      });
      this.openAlerts.delete(openKey);
    }
    return changes;
  }
}

const shiftKey = (lineage: string) => `${QUALITY_SHIFT_RULE}:${lineage}`;
