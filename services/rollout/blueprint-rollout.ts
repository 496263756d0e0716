// One blueprint's rollout: the evidence gathered from its examples and the next deployment state
// it leads to. No I/O: the service feeds it examples and deployments and publishes what step()
// returns.
import type { Blueprint, Decision, Deployment, Example } from '../lib/schemas/generated.js';
import { teachesScore } from '../lib/learners/teaches-score.js';
import { comparedMetricOf } from '../lib/stats/weighted-metrics.js';
import { judgingWeight } from '../lib/learners/training-weight.js';
import type { SequentialDesign } from '../lib/stats/always-valid.js';
import {
  canaryDesign,
  canaryNeeded,
  constraintProblem,
  judgeCanary,
  judgeLive,
  judgeShadow,
  rollbackDesign,
  shadowDesign,
  type WeightedExamples,
} from '../lib/rollout/judge.js';
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

/** Examples kept for one test, with the look schedule: a look when the evidence grew by LOOK_GROWTH. */
class Samples implements WeightedExamples {
  readonly labels: number[] = [];
  readonly scores: number[] = [];
  readonly weights: number[] = [];

  add(label: number, score: number, weight: number): void {
    this.labels.push(label);
    this.scores.push(score);
    this.weights.push(weight);
  }

  get size(): number {
    return this.labels.length;
  }
}

/** A shadow's paired evidence and its test's design, fixed when it entered shadow. */
interface ShadowEvidence {
  readonly labels: number[];
  readonly live: number[];
  readonly candidate: number[];
  readonly weights: number[];
  readonly design: SequentialDesign;
  /** Paired examples at the last look. */
  lookedAt: number;
  /** What the last look said, when it did not decide. */
  lastLook: string | null;
}

interface CanaryTest {
  readonly id: string;
  readonly canary: Samples;
  readonly live: Samples;
  readonly design: SequentialDesign;
  readonly needed: number;
  lookedAt: number;
}

/** An example of the live lineage, held until every example of decisions as old has arrived. */
interface HeldExample {
  readonly decisionTs: number;
  readonly version: string;
  readonly label: number;
  readonly score: number;
  readonly weight: number;
}

interface LiveTest {
  readonly id: string;
  /** The first full window after the version went live: the reference. */
  baseline: Samples;
  /** Examples not yet released into the windows, in arrival order (see LABEL_COMPLETE_SLACK_MS). */
  held: HeldExample[];
  /**
   * The version of the lineage the current test judges: the newest continuation seen answering.
   * Each is a model version of its own with its own rollback test, so a bad continuation is judged
   * on its own examples, not diluted by the good history before it.
   */
  currentVersion: string | null;
  /** That version's examples since the baseline window, up to the horizon. */
  current: Samples;
  design: SequentialDesign;
  /** Tests of this version that ended at their horizon without a verdict. */
  restarts: number;
  lookedAt: number;
}

/**
 * Looks are taken once the evidence grew by 2 %: the boundaries allow any number of looks, and
 * this keeps the work of a look (a sort of every example for AUC) in proportion to the evidence.
 */
const LOOK_GROWTH = 1.02;
const lookDue = (size: number, lookedAt: number) => size >= Math.ceil(lookedAt * LOOK_GROWTH);
/** A live test ends without a verdict after this many windows of examples, and a new one starts. */
const LIVE_HORIZON_WINDOWS = 40;
/**
 * The live test's windows take an example only once every example of decisions as old has
 * arrived: a decision with an outcome becomes an example at once, one without only when its label
 * window closes (services/lib/joiner/join.ts). In arrival order a new lineage's first window held
 * the clicks of the newest decisions beside the non-clicks of decisions a window older — a window
 * confounded with time, whose AUC (0.939) no model of that world reaches — and a good model was
 * rolled back "beyond noise" against it in a CI run (0.8297 vs 0.9390). So examples are held, in
 * decision-time order, until the newest decision seen is a label window plus this slack (the
 * joiner's lag) past theirs, and the windows are windows of decisions.
 */
export const LABEL_COMPLETE_SLACK_MS = 10_000;

export const comparedMetric = comparedMetricOf;

export class BlueprintRollout {
  private readonly shadows = new Map<string, ShadowEvidence>();
  private shadowsPairedWith: string | null = null;
  private canary: CanaryTest | null = null;
  private live: LiveTest | null = null;
  private agreement: AgreementWindow | null = null;
  private lastModelVersion: string | null = null;
  /** The newest decision time among the examples seen: the clock the live test's windows are complete by. */
  private newestDecisionTs = -Infinity;

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

  /** A new live version starts every shadow's test afresh: the evidence so far was paired with the old one. */
  private pairShadowsWith(live: string | null): void {
    if (live === this.shadowsPairedWith) return;
    this.shadows.clear();
    this.shadowsPairedWith = live;
  }

  /** Adds a joined example to the evidence of the versions it speaks for. */
  observe(example: Example, d: Deployment): void {
    this.newestDecisionTs = Math.max(this.newestDecisionTs, example.decisionTs);
    if (
      !teachesScore(this.bp, example) ||
      example.fallback ||
      example.score === null ||
      !Number.isFinite(example.label)
    )
      return;
    this.pairShadowsWith(d.live);
    // The weight the trainer learns it with: one rule for learning and for judging.
    const weight = judgingWeight(this.bp, example);
    // A shadow is paired with the live lineage only: an example answered by a canary, or by a live
    // version since replaced, would compare the candidate with another model.
    const answeredByLive = d.live === null || this.continues(example.modelVersion, d.live);
    for (const id of answeredByLive ? d.shadow : []) {
      const candidate = example.shadowScores?.[id];
      if (candidate === undefined) continue;
      const e = this.shadowEvidence(id);
      e.labels.push(example.label);
      e.live.push(example.score);
      e.candidate.push(candidate);
      e.weights.push(weight);
    }
    const canaryId = d.canary?.modelVersion;
    if (canaryId !== undefined && this.canary?.id === canaryId) {
      (example.modelVersion === canaryId ? this.canary.canary : this.canary.live).add(
        example.label,
        example.score,
        weight,
      );
    }
    if (
      d.live !== null &&
      this.live?.id === d.live &&
      example.modelVersion !== canaryId &&
      this.continues(example.modelVersion, d.live)
    )
      this.live.held.push({
        decisionTs: example.decisionTs,
        version: example.modelVersion!,
        label: example.label,
        score: example.score,
        weight,
      });
  }

  /** Moves the held examples whose decisions are complete into the live test's windows, oldest first. */
  private releaseLive(l: LiveTest): void {
    const until = this.newestDecisionTs - this.bp.label.windowMs - LABEL_COMPLETE_SLACK_MS;
    // Held in arrival order and sorted only when released: a non-click arrives a label window after
    // the clicks of its time, and inserting each in order would move every example held since.
    const ready = l.held.filter((h) => h.decisionTs <= until);
    if (ready.length === 0) return;
    l.held = l.held.filter((h) => h.decisionTs > until);
    ready.sort((a, b) => a.decisionTs - b.decisionTs);
    for (const h of ready) {
      if (l.baseline.size < this.windowSize) {
        l.baseline.add(h.label, h.score, h.weight);
        continue;
      }
      if (
        l.currentVersion === null ||
        (h.version !== l.currentVersion && this.continues(h.version, l.currentVersion))
      ) {
        // A newer continuation answers: its own test starts (the examples of older ones still
        // arriving say nothing about it).
        l.currentVersion = h.version;
        l.current = new Samples();
        l.design = rollbackDesign(this.bp.rollout, this.windowSize);
        l.restarts = 0;
        l.lookedAt = 0;
      }
      if (h.version === l.currentVersion) l.current.add(h.label, h.score, h.weight);
    }
  }

  /** The live test's windows as they stand: for logs and tests. */
  liveWindows(): { live: string; baseline: number; current: number; held: number } | null {
    const l = this.live;
    return l === null ? null : { live: l.id, baseline: l.baseline.size, current: l.current.size, held: l.held.length };
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
      e = {
        labels: [],
        live: [],
        candidate: [],
        weights: [],
        design: shadowDesign(this.bp.rollout),
        lookedAt: 0,
        lastLook: null,
      };
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
    this.pairShadowsWith(d.live);
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
      if (e.labels.length < rollout.shadow.minExamples || !lookDue(e.labels.length, e.lookedAt)) continue;
      e.lookedAt = e.labels.length;
      const verdict = judgeShadow(metric, e, rollout, e.design);
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
        this.canary = {
          id: d.canary.modelVersion,
          canary: new Samples(),
          live: new Samples(),
          design: canaryDesign(rollout, d.canary.share),
          needed: canaryNeeded(rollout, d.canary.share),
          lookedAt: 0,
        };
      const c = this.canary;
      const size = Math.min(c.canary.size, c.live.size);
      if (size >= c.needed && lookDue(c.canary.size + c.live.size, c.lookedAt)) {
        c.lookedAt = c.canary.size + c.live.size;
        const verdict = judgeCanary(metric, c.canary, c.live, c.design, c.needed);
        if (verdict.kind === 'promote') return toLive(d, c.id, verdict.reason, now);
        if (verdict.kind === 'reject') return toRetired(d, c.id, `canary rolled back: ${verdict.reason}`, now);
      }
    }
    if (d.live !== null) {
      if (this.live?.id !== d.live)
        this.live = {
          id: d.live,
          baseline: new Samples(),
          held: [],
          currentVersion: null,
          current: new Samples(),
          design: rollbackDesign(rollout, this.windowSize),
          restarts: 0,
          lookedAt: 0,
        };
      const l = this.live;
      this.releaseLive(l);
      if (l.current.size >= this.windowSize && lookDue(l.current.size, l.lookedAt)) {
        l.lookedAt = l.current.size;
        const verdict = judgeLive(metric, l.baseline, l.current, l.design);
        if (verdict.kind === 'reject')
          return toRetired(
            d,
            l.id,
            `rolled back to ${d.previous ?? 'the newest trained version'}: ${verdict.reason}`,
            now,
          );
        if (l.current.size >= LIVE_HORIZON_WINDOWS * this.windowSize) {
          // This test ends without a verdict; the next spends half its α (rollbackDesign).
          l.restarts++;
          l.current = new Samples();
          l.design = rollbackDesign(rollout, this.windowSize, l.restarts);
          l.lookedAt = 0;
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
