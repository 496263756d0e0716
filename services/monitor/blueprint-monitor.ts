// What the monitor knows of one blueprint, pure: it is fed decisions, examples and guardrail
// events, and measures traffic, latency, fallbacks, labels, online quality, drift against the
// serving model's training profile (drift.ts), model age and side effects per experiment arm and
// model lineage (what it gives: measures.ts), and whether each serving lineage's outcomes shifted
// (quality-shift.ts). The service shell (main.ts) feeds it from the topics and publishes what it
// measures.
import type { Blueprint, Decision, Example } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import { OnlineMetrics } from '../lib/stats/online-metrics.js';
import { RankingWindow, type ShownCandidate } from '../lib/ranking/index.js';
import { classOfExample, multiclassTaskOf } from '../lib/multiclass/index.js';
import { ClassRanks, trueClassProbability } from '../lib/monitoring/class-ranks.js';
import { orient } from '../lib/automl/objective.js';
import { EventRate, Recent, quantile } from '../lib/monitoring/recent.js';
import {
  qualityPlanOf,
  type QualityMetric,
  type QualityPlan,
  type QualityValues,
} from '../lib/monitoring/quality-plan.js';
import { VersionRates, versionTraffic } from '../lib/monitoring/version-traffic.js';
import { GUARDRAIL_DESIGN, GuardrailWatch, compareToBaseline } from '../lib/monitoring/guardrails.js';
import {
  QualityShiftWatch,
  classExampleValue,
  exampleValue,
  shiftQuantityOf,
} from '../lib/monitoring/quality-shift.js';
import {
  MIN_OBSERVATIONS,
  type BlueprintMeasures,
  type GuardrailGroupMeasure,
  type GuardrailMeasure,
  type MetricDropReference,
  type ModelInfo,
  type ModelQuality,
} from './measures.js';
import { driftReference, featureDrift, predictionDrift } from './drift.js';
import { ModelLineages, RECENT_EXAMPLES } from './lineages.js';

/** Decisions read for latency, fallbacks and drift: the last this many, none older than RECENT_MS. */
export const RECENT_DECISIONS = 1000;
/** Examples read for online quality and the label rate. */
export { RECENT_EXAMPLES, GO_LIVE_MIN_EXAMPLES } from './lineages.js';
export const RECENT_MS = 10 * 60_000;
/** Ranking decisions whose examples are still arriving; beyond this the oldest is dropped (its examples were lost). */
const MAX_PENDING_RANKINGS = 10_000;
/**
 * Multi-class decisions whose class probabilities wait for their example (up to a label window).
 * While this many wait, a new decision's are not kept, and its example counts for accuracy but
 * not for log-loss. Dropping new ones rather than the oldest keeps the log-loss unbiased: whether
 * a decision is kept does not depend on how late its own outcome comes.
 */
export const MAX_PENDING_CLASS_DECISIONS = 20_000;
/** Matured decisions a guardrail group needs before it is compared. */
export const MIN_GUARDRAIL_DECISIONS = 100;
interface RecentDecision {
  readonly modelVersion: string | null;
  readonly ts: number;
  readonly latencyUs: number;
  readonly fallback: boolean;
  readonly features: FeatureValues;
  readonly score: number | null;
}

interface RecentExample {
  readonly labelled: boolean;
}

const finiteOnly = (values: QualityValues): QualityValues =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));

interface ModelQualityEntry {
  readonly source: 'served' | 'shadow';
  readonly model: string;
  readonly metrics: OnlineMetrics;
  /** Multi-class and sequence: where the true class stood in what this model returned. */
  readonly classes: ClassRanks;
  lastTs: number;
}

export class BlueprintMonitor {
  private readonly rate = new EventRate(60_000);
  private readonly versionRates = new VersionRates(RECENT_MS);
  // Four times what is read, so that the newest by time are there even when a replay delivers out of order.
  private readonly decisions = new Recent<RecentDecision>(4 * RECENT_DECISIONS, RECENT_MS);
  private readonly examples = new Recent<RecentExample>(4 * RECENT_EXAMPLES, RECENT_MS);
  private readonly quality = new OnlineMetrics({ window: RECENT_EXAMPLES });
  /** Ranking: the shown lists of recent decisions, judged by where the click was. */
  private readonly rankings: RankingWindow;
  private readonly shownPending = new Map<string, ShownCandidate[]>();
  /** Multi-class and sequence: where the true class stood among the classes returned. */
  private classRanks: ClassRanks;
  /** Multi-class and sequence, when they log every class: each recent decision's probabilities, until its example comes. */
  private readonly classProbabilities = new Map<
    string,
    { readonly ts: number; readonly scores: Record<string, number> }
  >();
  private plan: QualityPlan;
  private readonly modelQuality = new Map<string, ModelQualityEntry>();
  private readonly armDecisions = new Map<string, number>();
  private readonly armOutcomes = new Map<string, { n: number; sum: number }>();
  private guardrails = new Map<string, GuardrailWatch>();
  /** Model lineages in the order their first decision was seen: the first is the guardrail baseline. */
  private readonly lineages: string[] = [];
  private newestModel: { version: string; ts: number } | null = null;
  private readonly lineageIndex: ModelLineages;
  private shifts: QualityShiftWatch;
  private decisionCount = 0;
  private exampleCount = 0;

  constructor(
    private bp: Blueprint,
    private readonly modelInfo: (version: string) => ModelInfo | undefined,
  ) {
    this.lineageIndex = new ModelLineages(modelInfo);
    this.rankings = new RankingWindow({ window: RECENT_EXAMPLES, k: bp.objective.ndcgAt ?? bp.decision.k ?? 10 });
    this.plan = qualityPlanOf(bp);
    this.classRanks = this.newClassRanks();
    this.shifts = new QualityShiftWatch(shiftQuantityOf(bp, this.plan), bp.label.windowMs);
    this.watchGuardrails();
  }

  private newClassRanks(): ClassRanks {
    return new ClassRanks(RECENT_EXAMPLES, this.plan.classNdcgAt ?? Number.POSITIVE_INFINITY);
  }

  get blueprint(): Blueprint {
    return this.bp;
  }

  set blueprint(bp: Blueprint) {
    const before = JSON.stringify(this.bp.monitoring.guardrails);
    this.bp = bp;
    if (JSON.stringify(bp.monitoring.guardrails) !== before) this.watchGuardrails();
    const plan = qualityPlanOf(bp);
    // Ranks counted up to another cut-off are another metric: start the window afresh.
    if (plan.classNdcgAt !== this.plan.classNdcgAt) this.classRanks = this.newClassRanks();
    if (!plan.allClassProbabilities) this.classProbabilities.clear();
    // A go-live version is chosen for having a figure in a drop metric: other metrics, another search.
    if (plan.dropMetrics.join() !== this.plan.dropMetrics.join()) this.lineageIndex.forgetGoLive();
    this.plan = plan;
    // Another quantity, or another label window, is another stream: its detectors start afresh.
    const quantity = shiftQuantityOf(bp, plan);
    if (quantity !== this.shifts.quantity || bp.label.windowMs !== this.shifts.settleMs)
      this.shifts = new QualityShiftWatch(quantity, bp.label.windowMs);
  }

  /** Which quality metrics this blueprint gets, its headline, and why its objective is not measured (if so). */
  get qualityPlan(): QualityPlan {
    return this.plan;
  }

  private watchGuardrails(): void {
    const kept = this.guardrails;
    this.guardrails = new Map(
      this.bp.monitoring.guardrails.map((g) => [
        g.name,
        kept.get(g.name)?.windowMs === g.windowMs ? kept.get(g.name)! : new GuardrailWatch(g.windowMs),
      ]),
    );
  }

  /** The first version of the continuation chain `version` belongs to. */
  lineageOf(version: string): string {
    return this.lineageIndex.lineageOf(version);
  }

  observeDecision(d: Decision): void {
    this.decisionCount++;
    this.rate.add(d.ts);
    this.versionRates.add(d.modelVersion, d.ts);
    this.decisions.add(d.ts, {
      modelVersion: d.modelVersion,
      ts: d.ts,
      latencyUs: d.latencyUs,
      fallback: d.fallback,
      features: d.features,
      score: d.score,
    });
    if (
      this.plan.allClassProbabilities &&
      d.scores !== null &&
      !d.fallback &&
      this.classProbabilities.size < MAX_PENDING_CLASS_DECISIONS
    ) {
      this.classProbabilities.set(d.decisionId, { ts: d.ts, scores: d.scores });
    }
    if (d.modelVersion !== null && (this.newestModel === null || d.ts >= this.newestModel.ts))
      this.newestModel = { version: d.modelVersion, ts: d.ts };
    const groups: string[] = [];
    if (d.experimentArm !== null) {
      this.armDecisions.set(d.experimentArm, (this.armDecisions.get(d.experimentArm) ?? 0) + 1);
      groups.push(`arm:${d.experimentArm}`);
    }
    if (d.modelVersion !== null) {
      const lineage = this.lineageOf(d.modelVersion);
      if (!this.lineages.includes(lineage)) this.lineages.push(lineage);
      groups.push(`model:${lineage}`);
    }
    for (const g of this.bp.monitoring.guardrails)
      this.guardrails.get(g.name)?.expose(g.match === 'decisionId' ? d.decisionId : d.entity, d.ts, groups);
  }

  observeExample(e: Example): void {
    this.exampleCount++;
    if (e.position !== null && e.ranking !== null)
      this.observeShown(e.decisionId, e.position, e.label, e.ranking.length);
    this.observeClass(e);
    this.examples.add(e.decisionTs, { labelled: e.labelSource !== 'missing' });
    if (e.experimentArm !== null && Number.isFinite(e.label)) {
      const arm = this.armOutcomes.get(e.experimentArm) ?? { n: 0, sum: 0 };
      this.armOutcomes.set(e.experimentArm, { n: arm.n + 1, sum: arm.sum + e.label });
    }
    if (!Number.isFinite(e.label) || this.isClassTask) return;
    const lineage = e.modelVersion === null ? null : this.lineageOf(e.modelVersion);
    if (e.score !== null && !e.fallback && Number.isFinite(e.score)) {
      this.quality.update(e.label, e.score, 1);
      if (lineage !== null) this.modelMetrics('served', lineage, e.decisionTs).update(e.label, e.score, 1);
    }
    if (lineage !== null && !e.fallback)
      this.observeShift(e, lineage, exampleValue(this.shifts.quantity, e.label, e.score));
    for (const [version, score] of Object.entries(e.shadowScores ?? {})) {
      if (Number.isFinite(score)) this.modelMetrics('shadow', version, e.decisionTs).update(e.label, score, 1);
    }
  }

  private get isClassTask(): boolean {
    return multiclassTaskOf(this.bp) !== null;
  }

  /** Multi-class and sequence: the true class's rank in what was returned and, when every class was logged, its probability. */
  private observeClass(e: Example): void {
    if (!this.isClassTask) return;
    const logged = this.classProbabilities.get(e.decisionId);
    this.classProbabilities.delete(e.decisionId);
    const truth = classOfExample(this.bp, e);
    if (truth === null || e.ranking === null || e.fallback) return;
    const probability = logged === undefined ? null : trueClassProbability(logged.scores, truth);
    this.classRanks.add(e.ranking, truth, probability);
    if (e.modelVersion === null) return;
    const lineage = this.lineageOf(e.modelVersion);
    this.modelEntry('served', lineage, e.decisionTs).classes.add(e.ranking, truth, probability);
    this.observeShift(e, lineage, classExampleValue(this.shifts.quantity, truth, e.ranking, probability));
  }

  /** One served example's value for its lineage's change detector. */
  private observeShift(e: Example, lineage: string, value: number | null): void {
    if (value === null || e.modelVersion === null) return;
    this.shifts.observe({
      lineage,
      modelVersion: e.modelVersion,
      decisionTs: e.decisionTs,
      labelTs: e.labelTs,
      value,
    });
  }

  /** Decisions whose example can no longer come (no outcome and no `missing` label): their label window closed, with RECENT_MS to spare. */
  private forgetClassProbabilities(now: number): void {
    const before = now - this.bp.label.windowMs - RECENT_MS;
    for (const [id, entry] of this.classProbabilities) if (entry.ts < before) this.classProbabilities.delete(id);
  }

  /** A ranking decision's examples arrive together from the joiner: once all its shown candidates are in, the list is judged. */
  private observeShown(decisionId: string, position: number, label: number, shown: number): void {
    let list = this.shownPending.get(decisionId);
    if (list === undefined) {
      if (this.shownPending.size >= MAX_PENDING_RANKINGS)
        this.shownPending.delete(this.shownPending.keys().next().value!);
      this.shownPending.set(decisionId, (list = []));
    }
    list.push({ position, label: Number.isFinite(label) ? Math.max(0, label) : 0 });
    if (list.length < shown) return;
    this.shownPending.delete(decisionId);
    this.rankings.addShown(list);
  }

  private modelMetrics(source: 'served' | 'shadow', model: string, ts: number): OnlineMetrics {
    return this.modelEntry(source, model, ts).metrics;
  }

  private modelEntry(source: 'served' | 'shadow', model: string, ts: number): ModelQualityEntry {
    const key = `${source}:${model}`;
    let entry = this.modelQuality.get(key);
    if (!entry) {
      entry = {
        source,
        model,
        metrics: new OnlineMetrics({ window: RECENT_EXAMPLES }),
        classes: this.newClassRanks(),
        lastTs: ts,
      };
      this.modelQuality.set(key, entry);
    }
    entry.lastTs = Math.max(entry.lastTs, ts);
    return entry;
  }

  /** A guardrail event about `key`: the entity, or the decision id for a guardrail that matches by decisionId. */
  observeGuardrail(name: string, key: string, ts: number, value: number): void {
    this.guardrails.get(name)?.event(key, ts, value);
  }

  measure(now: number): BlueprintMeasures {
    const recent = this.decisions.since(now, RECENT_DECISIONS);
    const enough = recent.length >= MIN_OBSERVATIONS;
    const latenciesMs = recent.map((d) => d.latencyUs / 1000);
    const modelVersion = this.newestModel?.version ?? null;
    const model = modelVersion === null ? undefined : this.modelInfo(modelVersion);
    const { profile, reference } = driftReference(this.bp, modelVersion, model, recent.length);
    const recentExamples = this.examples.since(now, RECENT_EXAMPLES);
    const quality = this.measureQuality();
    const drop = modelVersion === null ? null : this.metricDrop(modelVersion);
    this.versionRates.forget(now);
    this.forgetClassProbabilities(now);
    return {
      blueprint: this.bp.name,
      ts: now,
      decisions: this.decisionCount,
      examples: this.exampleCount,
      requestRate: this.rate.perSecond(now),
      decideP50Ms: recent.length > 0 ? quantile(latenciesMs, 0.5) : null,
      decideP99Ms: enough ? quantile(latenciesMs, 0.99) : null,
      fallbackRate: recent.length > 0 ? recent.filter((d) => d.fallback).length / recent.length : null,
      versions: versionTraffic(recent, this.versionRates, now, MIN_OBSERVATIONS),
      labelRate:
        recentExamples.length > 0 ? recentExamples.filter((e) => e.labelled).length / recentExamples.length : null,
      quality,
      models: this.measureModels(now),
      metricDrop: drop?.value ?? null,
      metricDropMetric: drop?.metric ?? null,
      metricDropReference: drop?.reference ?? null,
      modelVersion,
      modelAgeS: model ? Math.max(0, (now - model.createdAt) / 1000) : null,
      driftReference: reference,
      predictionPsi: enough ? predictionDrift(recent, profile) : null,
      features: featureDrift(this.bp, recent, enough ? profile : null),
      guardrails: this.measureGuardrails(now),
      qualityShifts: this.shifts.measure(now, RECENT_MS),
      arms: [...this.armDecisions].map(([arm, decisions]) => {
        const o = this.armOutcomes.get(arm);
        return { arm, decisions, examples: o?.n ?? 0, outcomePerDecision: o && o.n > 0 ? o.sum / o.n : null };
      }),
    };
  }

  private measureQuality(metrics: OnlineMetrics = this.quality, classes: ClassRanks = this.classRanks): QualityValues {
    if (this.isClassTask) return this.classQuality(classes);
    if (metrics.count < MIN_OBSERVATIONS) return {};
    const values: QualityValues =
      this.bp.task === 'ranking'
        ? { auc: metrics.auc(), ...(metrics === this.quality ? this.rankingQuality() : {}) }
        : this.bp.task === 'classification'
          ? { auc: metrics.auc(), logloss: metrics.logLoss(), calibration_error: metrics.calibrationError() }
          : this.bp.task === 'planning'
            ? { reward: metrics.counters().meanLabel }
            : { rmse: metrics.rmse(), mae: metrics.mae() };
    return finiteOnly(values);
  }

  /**
   * Top-1 and top-k accuracy, MRR (and for a sequence NDCG) of the classes returned, none before
   * MIN_OBSERVATIONS; log-loss when the decisions log every class, from MIN_OBSERVATIONS examples
   * whose decision the monitor saw.
   */
  private classQuality(classes: ClassRanks): QualityValues {
    const q = classes.snapshot();
    if (q.count < MIN_OBSERVATIONS) return {};
    const values: QualityValues = {
      top1_accuracy: q.top1Accuracy,
      topk_accuracy: q.topKAccuracy,
      mrr: q.meanReciprocalRank,
    };
    if (this.plan.metrics.includes('ndcg')) values.ndcg = q.ndcg;
    if (this.plan.allClassProbabilities && q.logLoss !== null && q.logLossCount >= MIN_OBSERVATIONS)
      values.logloss = q.logLoss;
    return finiteOnly(values);
  }

  /** NDCG@k and MRR of the lists shown, over the recent decisions with a click (none before MIN_OBSERVATIONS). */
  private rankingQuality(): QualityValues {
    const snapshot = this.rankings.snapshot();
    if (snapshot.judged < MIN_OBSERVATIONS || snapshot.ndcg === null || snapshot.mrr === null) return {};
    return { ndcg: snapshot.ndcg, mrr: snapshot.mrr, judged_share: snapshot.judged / snapshot.count };
  }

  /** Quality per model that scored recent examples; models unseen for RECENT_MS are forgotten. */
  private measureModels(now: number): ModelQuality[] {
    for (const [key, entry] of this.modelQuality) if (entry.lastTs < now - RECENT_MS) this.modelQuality.delete(key);
    return [...this.modelQuality.values()].map((e) => ({
      model: e.model,
      source: e.source,
      examples: this.isClassTask ? e.classes.count : e.metrics.count,
      quality: this.measureQuality(e.metrics, e.classes),
    }));
  }

  /**
   * The serving lineage's drop below its go-live figure, in the first of the plan's drop metrics
   * that its go-live version published and the monitor measures on the lineage's recent examples.
   * Not the newest version's own figure: a lineage republished every few seconds publishes a
   * figure measured on the same recent examples, which follows a decline down.
   */
  private metricDrop(version: string): { metric: QualityMetric; value: number; reference: MetricDropReference } | null {
    const lineage = this.lineageOf(version);
    const entry = this.modelQuality.get(`served:${lineage}`);
    const reference =
      entry === undefined ? null : this.lineageIndex.goLiveReference(version, lineage, this.plan.dropMetrics);
    if (entry === undefined || reference === null) return null;
    const quality = this.measureQuality(entry.metrics, entry.classes);
    for (const metric of this.plan.dropMetrics) {
      const live = quality[metric];
      const published = reference.metrics[metric];
      if (live === undefined || published === undefined || !Number.isFinite(published)) continue;
      return {
        metric,
        value: orient(metric, published) - orient(metric, live),
        reference: { lineage, version: reference.version, value: published },
      };
    }
    return null;
  }

  private measureGuardrails(now: number): GuardrailMeasure[] {
    const controlArm = this.bp.experiment ? Object.keys(this.bp.experiment.arms)[0] : undefined;
    return [...this.guardrails].map(([name, watch]) => {
      watch.mature(now);
      const stats = watch.groups();
      const ready = (key: string) => {
        const s = stats.get(key);
        return s && s.n >= MIN_GUARDRAIL_DECISIONS ? s : null;
      };
      const baselineModel = this.lineages.find((l) => ready(`model:${l}`) !== null);
      const groups: GuardrailGroupMeasure[] = [];
      for (const [key, s] of stats) {
        const [kind, group] = [key.slice(0, key.indexOf(':')) as 'arm' | 'model', key.slice(key.indexOf(':') + 1)];
        const baselineKey =
          kind === 'arm'
            ? controlArm === undefined
              ? undefined
              : `arm:${controlArm}`
            : baselineModel === undefined
              ? undefined
              : `model:${baselineModel}`;
        const isBaseline = key === baselineKey;
        const baseline = baselineKey === undefined || isBaseline || ready(key) === null ? null : ready(baselineKey);
        // Judged at every tick: the design's boundary holds over all of them, a fixed z would not.
        const comparison = compareToBaseline(s, baseline, GUARDRAIL_DESIGN);
        groups.push({ kind, group, decisions: s.n, baseline: isBaseline, ...comparison });
      }
      return { name, windowMs: watch.windowMs, pending: watch.pending, groups };
    });
  }
}
