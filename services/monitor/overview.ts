// The dashboard's one JSON document (GET /api/overview and each server-sent event): every
// blueprint with its deployment, current measures, guardrails, experiment, latest AutoML search,
// late events per stream feature and alerts, plus the alert list and consumer lag. Pure: built from what the monitor holds.
import type { Alert, Blueprint, Deployment } from '../lib/schemas/generated.js';
import type { SearchRecordJson } from '../automl/search-record.js';
import type { BlueprintMeasures } from './measures.js';
import { qualityPlanOf } from '../lib/monitoring/quality-plan.js';
import type { ConsumerLag } from './metric-records.js';
import { losesTooMany, type FeatureLateness } from '../lib/monitoring/lateness.js';
import { spanText } from '../lib/duration-text.js';

/** Transitions shown per blueprint, newest last. */
export const TRANSITIONS_SHOWN = 8;
/** Cleared alerts kept in the list, newest first after the open ones. */
export const CLEARED_SHOWN = 20;
/** AutoML leaderboard rows sent to the page. */
export const LEADERBOARD_SHOWN = 30;

export interface TransitionView {
  readonly ts: number;
  readonly modelVersion: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface MonitorView {
  readonly blueprints: ReadonlyMap<string, Blueprint>;
  readonly deployments: ReadonlyMap<string, Deployment>;
  readonly transitions: ReadonlyMap<string, readonly TransitionView[]>;
  readonly measures: ReadonlyMap<string, BlueprintMeasures>;
  readonly searches: ReadonlyMap<string, SearchRecordJson>;
  readonly openAlerts: readonly Alert[];
  readonly clearedAlerts: readonly Alert[];
  readonly lag: readonly ConsumerLag[];
  /** Each stream feature's late events over the lateness window, from the features instances' reports. */
  readonly lateness: readonly FeatureLateness[];
}

const rounded = (x: number | null, digits = 4) =>
  x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits));

function blueprintView(bp: Blueprint, view: MonitorView) {
  const d = view.deployments.get(bp.name) ?? null;
  const m = view.measures.get(bp.name) ?? null;
  const search = view.searches.get(bp.name) ?? null;
  const plan = qualityPlanOf(bp);
  return {
    name: bp.name,
    version: bp.version,
    task: bp.task,
    metric: bp.objective.metric,
    // What the quality chart and number show: the objective when measured online, else its stand-in, and why.
    qualityPlan: { headline: plan.headline, metrics: plan.metrics, note: plan.note },
    // Without a deployment record the trainer's newest model serves: still a deployment to show.
    deployment:
      d || m?.modelVersion
        ? {
            live: d?.live ?? null,
            served: m?.modelVersion ?? d?.live ?? null,
            canary: d?.canary ? `${d.canary.modelVersion} (${(100 * d.canary.share).toFixed(0)} %)` : null,
            shadows: d?.shadow ?? [],
            transitions: view.transitions.get(bp.name) ?? [],
          }
        : null,
    current: m && {
      requestRate: rounded(m.requestRate, 2),
      decideP50Ms: rounded(m.decideP50Ms, 3),
      decideP99Ms: rounded(m.decideP99Ms, 3),
      fallbackRate: rounded(m.fallbackRate),
      versions: m.versions.map((v) => ({
        ...v,
        requestRate: rounded(v.requestRate, 2),
        decideP50Ms: rounded(v.decideP50Ms, 3),
        decideP99Ms: rounded(v.decideP99Ms, 3),
        fallbackRate: rounded(v.fallbackRate),
      })),
      labelRate: rounded(m.labelRate),
      decisions: m.decisions,
      examples: m.examples,
      quality: Object.fromEntries(Object.entries(m.quality).map(([k, v]) => [k, rounded(v)])),
      models: m.models.map((x) => ({
        ...x,
        quality: Object.fromEntries(Object.entries(x.quality).map(([k, v]) => [k, rounded(v)])),
      })),
      metricDrop: rounded(m.metricDrop),
      metricDropMetric: m.metricDropMetric,
      metricDropReference: m.metricDropReference && {
        ...m.metricDropReference,
        value: rounded(m.metricDropReference.value),
      },
      qualityShifts: m.qualityShifts.map((q) => ({
        lineage: q.lineage,
        modelVersion: q.modelVersion,
        quantity: q.quantity,
        state: q.state,
        referenceMean: rounded(q.reference?.mean ?? null, 5),
        referenceExamples: q.reference?.examples ?? null,
        statistic: rounded(q.statistic, 2),
        threshold: q.threshold,
        shifts: q.shifts,
        shifted: q.shifted,
      })),
      modelVersion: m.modelVersion,
      modelAgeS: rounded(m.modelAgeS, 1),
      predictionPsi: rounded(m.predictionPsi),
      driftReference: m.driftReference,
      features: m.features.map((f) => ({ name: f.name, psi: rounded(f.psi), missingRate: rounded(f.missingRate) })),
    },
    guardrails: (m?.guardrails ?? []).map((g) => ({
      name: g.name,
      window: spanText(g.windowMs),
      pending: g.pending,
      groups: g.groups.map((x) => ({
        ...x,
        rate: rounded(x.rate, 5),
        low: rounded(x.low, 5),
        high: rounded(x.high, 5),
        relative: rounded(x.relative),
        z: rounded(x.z, 2),
      })),
    })),
    experiment: bp.experiment && {
      name: bp.experiment.name,
      arms: Object.entries(bp.experiment.arms).map(([arm, share]) => {
        const seen = m?.arms.find((a) => a.arm === arm);
        return {
          arm,
          share,
          decisions: seen?.decisions ?? 0,
          examples: seen?.examples ?? 0,
          outcomePerDecision: rounded(seen?.outcomePerDecision ?? null),
        };
      }),
    },
    automl: search && {
      ...search,
      leaderboard: search.leaderboard.slice(0, LEADERBOARD_SHOWN),
      featureSteps: undefined,
    },
    lateness: view.lateness
      .filter((f) => f.blueprint === bp.name)
      .map((f) => ({
        feature: f.feature,
        topic: f.topic,
        latenessMs: f.latenessMs,
        events: f.events,
        lateApplied: f.lateApplied,
        lateDropped: f.lateDropped,
        droppedShare: rounded(f.droppedShare, 5),
        tooMany: losesTooMany(f),
      })),
    alerts: view.openAlerts.filter((a) => a.blueprint === bp.name),
  };
}

export function overview(view: MonitorView, now: number, tickMs: number) {
  const open = [...view.openAlerts].sort((a, b) => b.ts - a.ts);
  const cleared = [...view.clearedAlerts].sort((a, b) => b.ts - a.ts).slice(0, CLEARED_SHOWN);
  return {
    now,
    tickMs,
    blueprints: [...view.blueprints.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((bp) => blueprintView(bp, view)),
    alerts: [...open, ...cleared],
    lag: view.lag,
  };
}

export type Overview = ReturnType<typeof overview>;
