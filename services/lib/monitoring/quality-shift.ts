// Whether what a serving lineage delivers moved while it kept serving, pure: a change detector
// (change-detector.ts) per lineage — a model and its continuations — on the per-example quality of
// what it served. It sees what drift alerts cannot: a world whose features keep their meaning
// while the outcomes they lead to change (an offer that now suits the opposite users). And its
// reference is the lineage's own past outcomes, so republishing the lineage every few seconds
// does not move it along with a decline.
//
// What is watched, per example the lineage served (fallbacks and shadows are not):
// - classification and ranking: the log-loss of the served score against the label;
// - estimation: the squared error of the served score;
// - planning: the reward (the label of the action taken), unweighted. That is the served policy's
//   own value; weighting by 1/propensity would estimate the uniformly random policy's instead,
//   which a world where the offer suits the opposite users can leave unchanged;
// - multi-class and sequence: the log-loss of the true class when decisions log every class's
//   probability, else the top-1 error (0 or 1).
//
// Examples arrive when their label is known: an outcome soon after its decision, a missing label
// when the window closes. For one label window after a lineage's first decision, its arriving
// examples are mostly the early outcomes, and their mean settles only once the window has passed
// (with `missing: 0`, rewards read high until the first zeros come). A lineage is watched from
// then on; before, every new lineage would look like a shift.
import type { Blueprint } from '../schemas/generated.js';
import { multiclassTaskOf } from '../multiclass/blueprint.js';
import type { QualityPlan } from './quality-plan.js';
import { CHANGE_DETECTOR_DESIGN, ChangeDetector, type ChangeDetectorDesign, type MeanOver } from './change-detector.js';

/** The rule name of the alert on looper.alerts: built in, raised for every blueprint with labels. */
export const QUALITY_SHIFT_RULE = 'quality_shift';

export type ShiftQuantity = 'logloss' | 'squared_error' | 'reward' | 'top1_error';

/** What a blueprint's examples are judged by. */
export function shiftQuantityOf(
  bp: Pick<Blueprint, 'task' | 'decision' | 'objective' | 'sequence'>,
  plan: Pick<QualityPlan, 'allClassProbabilities'>,
): ShiftQuantity {
  if (multiclassTaskOf(bp) !== null) return plan.allClassProbabilities ? 'logloss' : 'top1_error';
  switch (bp.task) {
    case 'planning':
      return 'reward';
    case 'estimation':
      return 'squared_error';
    default:
      return 'logloss';
  }
}

export function higherIsBetter(quantity: ShiftQuantity): boolean {
  return quantity === 'reward';
}

const QUANTITY_TEXT: Record<ShiftQuantity, string> = {
  logloss: 'log-loss per example',
  squared_error: 'squared error per example',
  reward: 'reward per decision',
  top1_error: 'top-1 error rate',
};

/** Log-loss clips probabilities to [EPSILON, 1 − EPSILON], as OnlineMetrics does. */
const EPSILON = 1e-15;

/**
 * One example's value for a task with one score (not multi-class): null when it has none — no
 * score where one is needed, or a label outside 0..1 for log-loss.
 */
export function exampleValue(quantity: ShiftQuantity, label: number, score: number | null): number | null {
  if (!Number.isFinite(label)) return null;
  if (quantity === 'reward') return label;
  if (score === null || !Number.isFinite(score)) return null;
  if (quantity === 'squared_error') return (label - score) ** 2;
  if (quantity !== 'logloss' || label < 0 || label > 1) return null;
  const p = Math.min(Math.max(score, EPSILON), 1 - EPSILON);
  return -(label * Math.log(p) + (1 - label) * Math.log(1 - p));
}

/**
 * One multi-class or sequence example's value: its top-1 error, or the log-loss of the
 * probability the decision gave its true class (null when that was not logged).
 */
export function classExampleValue(
  quantity: ShiftQuantity,
  truth: string,
  ranking: readonly string[],
  probability: number | null,
): number | null {
  if (quantity === 'top1_error') return ranking[0] === truth ? 0 : 1;
  if (quantity !== 'logloss' || probability === null || !Number.isFinite(probability)) return null;
  return -Math.log(Math.min(Math.max(probability, EPSILON), 1));
}

/** A shift for the worse, as the detector found it. */
export interface QualityShift {
  readonly lineage: string;
  /** The version of the lineage that served the example that completed the alarming block. */
  readonly modelVersion: string;
  readonly quantity: ShiftQuantity;
  /** The reference: the lineage's examples before the change. */
  readonly before: MeanOver;
  /** Since the change point. */
  readonly since: MeanOver;
  /** The CUSUM statistic and the threshold it passed, in standard errors of a block mean. */
  readonly statistic: number;
  readonly threshold: number;
  /** When the first example after the change point was labelled, epoch ms. */
  readonly changeAt: number;
  /** When the example that raised it was labelled, epoch ms. */
  readonly at: number;
}

export type ShiftWatchState = 'settling' | 'warming' | 'watching';

/** What the detector of one serving lineage says now. */
export interface QualityShiftMeasure {
  readonly lineage: string;
  /** The newest version of the lineage seen serving. */
  readonly modelVersion: string;
  readonly quantity: ShiftQuantity;
  /** settling: its first label window; warming: building a reference; watching: judging every block. */
  readonly state: ShiftWatchState;
  /** The reference being built or judged against; null while settling or in the pilot. */
  readonly reference: MeanOver | null;
  /** The statistic towards "worse", in standard errors of a block mean, and the threshold. */
  readonly statistic: number;
  readonly threshold: number;
  /** Shifts for the worse found since the monitor started (each has restarted the detector). */
  readonly shifts: number;
  /** Shifts for the better: they only restart the detector, so later changes are judged against the new level. */
  readonly improvements: number;
  /** The newest shift for the worse. */
  readonly lastShift: QualityShift | null;
  /** The newest shift for the worse has not been followed by a new reference yet. */
  readonly shifted: boolean;
}

interface LineageWatch {
  readonly detector: ChangeDetector;
  modelVersion: string;
  newestDecisionTs: number;
  firstDecisionTs: number;
  lastLabelTs: number;
  settled: boolean;
  shifts: number;
  improvements: number;
  lastShift: QualityShift | null;
  shifted: boolean;
}

export interface ObservedExample {
  readonly lineage: string;
  readonly modelVersion: string;
  readonly decisionTs: number;
  readonly labelTs: number;
  readonly value: number;
}

/** One change detector per serving lineage of a blueprint. */
export class QualityShiftWatch {
  private readonly lineages = new Map<string, LineageWatch>();

  constructor(
    readonly quantity: ShiftQuantity,
    /** How long after a lineage's first decision its examples are left to settle: the label window. */
    readonly settleMs: number,
    readonly design: ChangeDetectorDesign = CHANGE_DETECTOR_DESIGN,
  ) {}

  observe(e: ObservedExample): void {
    if (!Number.isFinite(e.value)) return;
    let w = this.lineages.get(e.lineage);
    if (w === undefined) {
      w = {
        detector: new ChangeDetector(this.design),
        modelVersion: e.modelVersion,
        newestDecisionTs: e.decisionTs,
        firstDecisionTs: e.decisionTs,
        lastLabelTs: e.labelTs,
        settled: false,
        shifts: 0,
        improvements: 0,
        lastShift: null,
        shifted: false,
      };
      this.lineages.set(e.lineage, w);
    }
    if (e.decisionTs >= w.newestDecisionTs) {
      w.newestDecisionTs = e.decisionTs;
      w.modelVersion = e.modelVersion;
    }
    // The earliest decision seen so far: after a restart, the first replayed missing labels reach
    // back one window, so an old lineage settles at once and only a new one waits.
    w.firstDecisionTs = Math.min(w.firstDecisionTs, e.decisionTs);
    w.lastLabelTs = Math.max(w.lastLabelTs, e.labelTs);
    if (!w.settled) {
      if (e.labelTs < w.firstDecisionTs + this.settleMs) return;
      w.settled = true;
    }
    const alarm = w.detector.add(e.value, e.labelTs);
    if (alarm === null) {
      if (w.shifted && w.detector.watching) w.shifted = false;
      return;
    }
    const worse = higherIsBetter(this.quantity) ? alarm.side === 'down' : alarm.side === 'up';
    if (!worse) {
      w.improvements++;
      return;
    }
    w.shifts++;
    w.shifted = true;
    w.lastShift = {
      lineage: e.lineage,
      modelVersion: e.modelVersion,
      quantity: this.quantity,
      before: alarm.before,
      since: alarm.since,
      statistic: alarm.statistic,
      threshold: this.design.threshold,
      changeAt: alarm.changeTag,
      at: e.labelTs,
    };
  }

  /** Every lineage's detector; lineages with no example labelled within `forgetMs` before `now` are forgotten. */
  measure(now: number, forgetMs: number): QualityShiftMeasure[] {
    const measures: QualityShiftMeasure[] = [];
    for (const [lineage, w] of this.lineages) {
      if (w.lastLabelTs < now - forgetMs) {
        this.lineages.delete(lineage);
        continue;
      }
      const d = w.detector;
      const state: ShiftWatchState = !w.settled ? 'settling' : d.watching ? 'watching' : 'warming';
      const { up, down } = d.statistics;
      measures.push({
        lineage,
        modelVersion: w.modelVersion,
        quantity: this.quantity,
        state,
        reference: d.examplesPerBlock === null ? null : d.reference,
        statistic: higherIsBetter(this.quantity) ? down : up,
        threshold: this.design.threshold,
        shifts: w.shifts,
        improvements: w.improvements,
        lastShift: w.lastShift,
        shifted: w.shifted,
      });
    }
    return measures;
  }
}

const counted = (n: number) => n.toLocaleString('en-US');
/** Four decimals for the usual losses and rates; four significant digits for large squared errors. */
const figure = (x: number) => (Math.abs(x) < 10 ? x.toFixed(4) : x.toPrecision(4));
const relative = (after: number, before: number) =>
  before === 0 ? '' : ` (${after >= before ? '+' : '−'}${Math.abs(100 * (after / before - 1)).toFixed(1)} %)`;

/** The raised alert's message: the figures before and after, and where the change began. */
export function shiftMessage(s: QualityShift): string {
  const moved = higherIsBetter(s.quantity) ? 'fell' : 'rose';
  return (
    `the ${QUANTITY_TEXT[s.quantity]} of lineage ${s.lineage} (serving ${s.modelVersion}) ${moved}: ` +
    `${figure(s.before.mean)} over ${counted(s.before.examples)} examples before, ` +
    `${figure(s.since.mean)} over the ${counted(s.since.examples)} since the change${relative(s.since.mean, s.before.mean)}; ` +
    `CUSUM ${s.statistic.toFixed(1)} past its threshold ${s.threshold} (standard errors of a block mean)`
  );
}

/** The cleared alert's message: the detector judges against a reference taken after the shift, or the lineage stopped serving. */
export function shiftClearedMessage(lineage: string, now: QualityShiftMeasure | undefined): string {
  if (now === undefined) return `lineage ${lineage} no longer serves: its quality shift is no longer watched`;
  const ref = now.reference;
  return (
    `lineage ${lineage} is watched against a new reference` +
    (ref === null
      ? ''
      : `: ${QUANTITY_TEXT[now.quantity]} ${figure(ref.mean)} over ${counted(ref.examples)} examples`) +
    ` (a later shift raises again)`
  );
}
