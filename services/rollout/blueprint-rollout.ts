// One blueprint's rollout: the evidence gathered from its examples and the next deployment state
// it leads to. No I/O: the service feeds it examples and deployments and publishes what step()
// returns.
import type { Blueprint, Decision, Deployment, Example } from '../lib/schemas/generated.js';
import { OnlineMetrics } from '../lib/stats/online-metrics.js';
import { teachesScore } from '../lib/learners/teaches-score.js';
import type { ComparedMetric } from '../lib/stats/paired.js';
import { estimateMetric, type MetricEstimate } from '../lib/stats/window-metric.js';
import { constraintProblem, judgeCanary, judgeLive, judgeShadow, nextLook } from '../lib/rollout/judge.js';
import { stageOf, toCanary, toLive, toRetired, toShadow, tookOver } from '../lib/rollout/transitions.js';
import { AgreementWindow, judgeTakeover } from '../lib/rollout/apprentice.js';

/** What the rollout needs to know of a model version. */
export interface VersionFacts {
  readonly modelVersion: string;
  readonly role: 'candidate' | 'trained';
  readonly parentVersion: string | null;
  readonly sizeBytes: number;
  readonly p99InferenceUs: number | null;
  readonly metrics: Readonly<Record<string, number>>;
}

interface ShadowEvidence {
  labels: number[];
  live: number[];
  candidate: number[];
  looked: number;
  /** What the last look said, when it did not decide. */
  lastLook: string | null;
}

/** The latest `size` (label, score) pairs, oldest first once read. */
class PairWindow {
  private readonly ls: number[] = [];
  private readonly ss: number[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  add(label: number, score: number): void {
    if (this.ls.length < this.size) {
      this.ls.push(label);
      this.ss.push(score);
    } else {
      this.ls[this.next] = label;
      this.ss[this.next] = score;
      this.next = (this.next + 1) % this.size;
    }
  }

  get full(): boolean {
    return this.ls.length === this.size;
  }

  get labels(): readonly number[] {
    return this.ls;
  }

  get scores(): readonly number[] {
    return this.ss;
  }
}

export function comparedMetric(bp: Blueprint): ComparedMetric | null {
  const m = bp.objective.metric;
  return m === 'auc' || m === 'logloss' || m === 'rmse' || m === 'mae' ? m : null;
}

const metricOf = (metrics: OnlineMetrics, metric: ComparedMetric): number =>
  metric === 'auc'
    ? metrics.auc()
    : metric === 'logloss'
      ? metrics.logLoss()
      : metric === 'rmse'
        ? metrics.rmse()
        : metrics.mae();

export class BlueprintRollout {
  private readonly shadows = new Map<string, ShadowEvidence>();
  private canary: { id: string; canary: OnlineMetrics; live: OnlineMetrics } | null = null;
  private live: { id: string; window: PairWindow; baseline: MetricEstimate | null; sinceJudged: number } | null = null;
  private agreement: AgreementWindow | null = null;
  private lastModelVersion: string | null = null;

  constructor(
    private bp: Blueprint,
    private readonly parentOf: (modelVersion: string) => string | null | undefined,
  ) {}

  set blueprint(bp: Blueprint) {
    this.bp = bp;
  }

  private get windowSize(): number {
    return Math.max(200, Math.round(this.bp.rollout.shadow.minExamples / 2));
  }

  /** True when `version` is `root` or a trained version continuing it. */
  private continues(version: string | null, root: string): boolean {
    for (
      let v = version, steps = 0;
      v !== null && v !== undefined && steps < 100_000;
      v = this.parentOf(v) ?? null, steps++
    )
      if (v === root) return true;
    return false;
  }

  /** Adds a joined example to the evidence of the versions it speaks for. */
  observe(example: Example, d: Deployment): void {
    if (
      !teachesScore(this.bp, example) ||
      example.fallback ||
      example.score === null ||
      !Number.isFinite(example.label)
    )
      return;
    for (const id of d.shadow) {
      const candidate = example.shadowScores?.[id];
      if (candidate === undefined) continue;
      const e = this.shadowEvidence(id);
      e.labels.push(example.label);
      e.live.push(example.score);
      e.candidate.push(candidate);
    }
    const canaryId = d.canary?.modelVersion;
    if (canaryId !== undefined && this.canary?.id === canaryId) {
      (example.modelVersion === canaryId ? this.canary.canary : this.canary.live).update(example.label, example.score);
    }
    if (
      d.live !== null &&
      this.live?.id === d.live &&
      example.modelVersion !== canaryId &&
      this.continues(example.modelVersion, d.live)
    ) {
      this.live.window.add(example.label, example.score);
      this.live.sinceJudged++;
    }
  }

  /** Adds a logged decision to the apprentice agreement, while the caller still decides. */
  observeDecision(decision: Decision, d: Deployment): void {
    const apprentice = this.bp.apprentice;
    if (apprentice === null || d.tookOverAt !== null) return;
    if (this.agreement === null) this.agreement = new AgreementWindow(apprentice.minDecisions);
    this.agreement.observe(this.bp, decision);
    if (decision.modelVersion !== null) this.lastModelVersion = decision.modelVersion;
  }

  private shadowEvidence(id: string): ShadowEvidence {
    let e = this.shadows.get(id);
    if (!e) {
      e = { labels: [], live: [], candidate: [], looked: 0, lastLook: null };
      this.shadows.set(id, e);
    }
    return e;
  }

  /** A candidate version new to this deployment enters shadow, or is refused at once when it breaks a constraint. */
  admit(d: Deployment, candidate: VersionFacts, now: number): Deployment | null {
    if (stageOf(d, candidate.modelVersion) !== 'none' || d.previous === candidate.modelVersion) return null;
    const problem = constraintProblem(candidate, this.bp.objective.constraints);
    if (problem !== null) return toRetired(d, candidate.modelVersion, `refused before shadow: ${problem}`, now);
    const offline =
      this.bp.objective.metric in candidate.metrics
        ? ` (offline ${this.bp.objective.metric} ${candidate.metrics[this.bp.objective.metric]!.toFixed(4)})`
        : '';
    return toShadow(
      d,
      candidate.modelVersion,
      `new candidate${offline}: scored beside live on every request until ${this.bp.rollout.shadow.minExamples} paired examples are labelled`,
      now,
    );
  }

  /** The next deployment state the evidence calls for, or null when nothing changes now. */
  step(d: Deployment, now: number): Deployment | null {
    const metric = comparedMetric(this.bp);
    if (metric === null) return null;
    const rollout = this.bp.rollout;
    // Evidence of versions no longer in shadow (examples decoded while a transition was being
    // published can recreate an entry) is dropped.
    for (const id of this.shadows.keys()) if (!d.shadow.includes(id)) this.shadows.delete(id);
    if (
      this.bp.apprentice !== null &&
      d.tookOverAt === null &&
      this.agreement !== null &&
      this.lastModelVersion !== null
    ) {
      const verdict = judgeTakeover(this.agreement, this.bp.apprentice);
      if (verdict.kind === 'promote') return tookOver(d, this.lastModelVersion, verdict.reason, now);
    }
    for (const id of d.shadow) {
      const e = this.shadowEvidence(id);
      const due = nextLook(rollout.shadow.minExamples, e.looked);
      if (due === null || e.labels.length < due) continue;
      const verdict = judgeShadow(metric, e, rollout, e.looked);
      if (verdict.kind !== 'wait' || !verdict.reason.startsWith('cannot compare')) e.looked++;
      e.lastLook = verdict.reason;
      if (verdict.kind === 'promote') {
        this.shadows.delete(id);
        return rollout.canary > 0 && d.live !== null
          ? toCanary(d, id, rollout.canary, verdict.reason, now)
          : toLive(d, id, verdict.reason, now);
      }
      if (verdict.kind === 'reject') {
        this.shadows.delete(id);
        return toRetired(d, id, `rejected: ${verdict.reason}`, now);
      }
    }
    if (d.canary !== null) {
      if (this.canary?.id !== d.canary.modelVersion)
        this.canary = { id: d.canary.modelVersion, canary: new OnlineMetrics(), live: new OnlineMetrics() };
      const needed = Math.max(50, Math.ceil(rollout.shadow.minExamples * d.canary.share));
      const c = this.canary;
      const verdict = judgeCanary(
        metric,
        { value: metricOf(c.canary, metric), count: c.canary.count },
        { value: metricOf(c.live, metric), count: c.live.count },
        rollout,
        needed,
      );
      if (verdict.kind === 'promote') return toLive(d, c.id, verdict.reason, now);
      if (verdict.kind === 'reject') return toRetired(d, c.id, `canary rolled back: ${verdict.reason}`, now);
    }
    if (d.live !== null) {
      if (this.live?.id !== d.live)
        this.live = { id: d.live, window: new PairWindow(this.windowSize), baseline: null, sinceJudged: 0 };
      const l = this.live;
      const estimate =
        l.window.full && l.sinceJudged >= this.windowSize / 4
          ? estimateMetric(metric, l.window.labels, l.window.scores)
          : null;
      if (estimate !== null) {
        l.sinceJudged = 0;
        if (l.baseline === null) l.baseline = estimate;
        else {
          const verdict = judgeLive(metric, l.baseline, estimate, rollout);
          if (verdict.kind === 'reject')
            return toRetired(
              d,
              l.id,
              `rolled back to ${d.previous ?? 'the newest trained version'}: ${verdict.reason}`,
              now,
            );
        }
      }
    }
    return null;
  }

  /** Shadow progress for logs: each version's paired examples so far, and what its last look said. */
  progress(): Array<{ modelVersion: string; paired: number; lastLook: string | null }> {
    return [...this.shadows].map(([modelVersion, e]) => ({
      modelVersion,
      paired: e.labels.length,
      lastLook: e.lastLook,
    }));
  }

  /** Apprentice progress for logs; null outside apprentice mode or once the model took over. */
  apprenticeProgress(d: Deployment | undefined): string | null {
    if (this.bp.apprentice === null || d?.tookOverAt !== null || this.agreement === null) return null;
    return judgeTakeover(this.agreement, this.bp.apprentice).reason;
  }
}
