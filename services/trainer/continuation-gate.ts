// A continuation earns its swap. The predictor serves the newest continuation of the live version
// at once (serving-choice.ts), so whatever the trainer publishes replaces a model that works: one
// trained on a few dozen examples, or drifting on its own feedback loop, would serve everybody.
// So a continuation that is due is held as a *pending* version (its artifact frozen) and judged
// against the version that serves on the next labelled examples that teach the score — examples
// neither of them learned from — with an always-valid bound (stats/always-valid.ts) whose design
// is fixed when the pending version starts, on examples weighted by 1/propensity
// (learners/training-weight.ts) so that the live model's choice of what it learns from favours
// neither. Pure: scores and labels in, a verdict with its figures out.
//
// The claim is non-inferiority, one-sided: publish when the lower bound of the gain (pending over
// serving, in the objective metric, > 0 favouring the pending version) is above −tolerance, the
// blueprint's rollout.rollback_if.metric_drop — a continuation that the rollout would not roll
// back. Refuse when the upper bound is below −tolerance (worse for sure). Each test judges one
// version at VERDICT_ALPHA.continuation (1 %), however often the trainer looks.
//
// The very first version has no version to be judged against, and before this rule it served
// at once: in the demo a model learned from 2 examples (AUC 0.23 on later traffic) served everybody
// for two minutes, at −94 % of the oracle's lift. So a first version is judged against serving no
// model — a constant score, the base rate of the examples it learned — and must be shown *better*
// (tolerance 0): a constant ranks like the default answer does, so a first version that cannot
// beat it has learned nothing worth serving. It is taken only once it has learned
// FIRST_VERSION_MIN_EXAMPLES, and has its last look at FIRST_VERSION_HORIZON examples.
//
// At the horizon (CONTINUATION_HORIZON examples) with neither shown, one more look, a fixed-sample
// one-sided test at CONTINUATION_HORIZON_ALPHA (3 %): publish when gain − z·se is above
// −tolerance, else refuse. So a continuation worse by the tolerance is published with
// probability at most 4 % in all (measured in continuation-calibration.test.ts). Refusing every
// undecided continuation at the horizon stalled the demo: with 5–10 % exploration, 4,000 examples
// are worth about 800, too few for the always-valid bound to show a real gain of +0.01 AUC within
// 0.02, so a better model never served (lift stuck at 61 % of the oracle's).
//
// A threshold blueprint acts on the score's level, which the objective cannot see (a uniform shift
// of the scores keeps the ranking), so its versions are also judged on the value of the decisions
// each version's policy makes at the threshold (continuation-value.ts), by the same always-valid
// bound and last look on the same examples. A version is refused as soon as its decisions are
// shown to keep less than 1 − δ (80 %) of the value of what it is judged against, and otherwise
// published on its objective (judgeWithValueCheck): requiring it to *show* that it keeps 80 % stalled
// the loop, because the requests a version adds to the sends are seen only when explored. Measured
// (continuation-value-calibration.test.ts): a same-ranking collapse to sending to too few (half the
// value) is refused in 92 % of runs and one sending to nobody in all; a collapse to sending to too
// many is mostly not (3 %), as before this check.
import type { Blueprint, Metric } from '../lib/schemas/generated.js';
import {
  VERDICT_ALPHA,
  alwaysValidBounds,
  coverageLabel,
  sequentialDesign,
  type SequentialDesign,
} from '../lib/stats/always-valid.js';
import { comparedMetricOf, weightedGain, type ComparedMetric } from '../lib/stats/weighted-metrics.js';
import { errorMessage } from '../lib/errors.js';
import { normalQuantile } from '../lib/stats/normal.js';
import {
  describeValueFigures,
  pairedValue,
  valueCriterionOf,
  valueWords,
  type ValueCriterion,
  type ValueFigures,
} from './continuation-value.js';

/** Where the boundary is tightest: a few publish_every periods of a blueprint with steady traffic. */
export const CONTINUATION_TUNING_N = 500;
/** No verdict before this many examples: the normal approximation behind the bound needs hundreds. */
export const CONTINUATION_MIN_EXAMPLES = 200;
/**
 * Nor before the weighted examples are worth this many unweighted ones ((Σw)²/Σw²): with 5 %
 * exploration a few explored examples of weight 40 carry most of the weight, and 200 examples may
 * be worth 25. Measured (continuation-calibration.test.ts's world, a continuation 0.01 AUC worse
 * whose scores follow the serving version's closely, 1,000 runs): judged from 200 examples on, it
 * was published in 0.7 % (α 0.5 %), four of the seven at the first look; waiting for 100, in 0.2 %.
 */
export const CONTINUATION_MIN_EFFECTIVE = 100;
/** A pending version not shown either way after this many examples gets its last, fixed-sample look. */
export const CONTINUATION_HORIZON = 8 * CONTINUATION_TUNING_N;
/** α of that last look: with VERDICT_ALPHA.continuation, a continuation spends 4 %. */
export const CONTINUATION_HORIZON_ALPHA = 0.03;
const HORIZON_Z = normalQuantile(1 - CONTINUATION_HORIZON_ALPHA);
/** The looper.metrics record of a refusal, which `looper status` shows. */
export const CONTINUATION_REFUSED = 'continuation_refused';

/** Examples a learner has learned before it can become a first version (none serves yet). */
export const FIRST_VERSION_MIN_EXAMPLES = CONTINUATION_MIN_EXAMPLES;
/**
 * A first version's last look comes sooner than a continuation's: while it waits the default
 * answers everybody, and the learners meanwhile learn from what it is judged on. An undecided
 * first version is refused at 500 examples and the next is taken from the learners as they are
 * then. In a CI run of the decision-loop test (8 labelled examples a second) a weak first version
 * waited out the 4,000-example horizon: no model served for four minutes.
 */
export const FIRST_VERSION_HORIZON = 500;

/** The metric a continuation is judged on: the objective when a verdict compares it, else null (not gated). */
export const gatedMetric = comparedMetricOf;

/**
 * What a pending version is judged against: the version that serves (non-inferiority within
 * rollback_if.metric_drop), or, for a first version, serving no model (superiority over a constant).
 */
export type Comparison = 'serving' | 'no-model';

/** Whether a new version must earn its swap: whenever the objective can be compared, the very first one included. */
export function isGated(bp: Pick<Blueprint, 'objective'>): boolean {
  return gatedMetric(bp) !== null;
}

/** The design of a continuation's test, fixed when the pending version starts. */
export function continuationDesign(bp: Pick<Blueprint, 'rollout'>, against: Comparison = 'serving'): SequentialDesign {
  return sequentialDesign({
    alpha: VERDICT_ALPHA.continuation,
    tuningN: CONTINUATION_TUNING_N,
    minEffect: against === 'serving' ? bp.rollout.rollbackIf.metricDrop : 0,
    sides: 'one-sided',
  });
}

/** The words of each comparison's verdicts. */
const WORDS: Record<Comparison, { versus: string; better: string; worse: string; unshown: string }> = {
  serving: {
    versus: 'serving',
    better: 'not worse than the serving version by more than rollback_if.metric_drop',
    worse: 'worse than the serving version by more than rollback_if.metric_drop',
    unshown: 'not shown within rollback_if.metric_drop',
  },
  'no-model': {
    versus: 'no model',
    better: 'better than serving no model (a constant score, the base rate of the examples it learned) by more than',
    worse: 'worse than serving no model (a constant score, the base rate of the examples it learned) by more than',
    unshown: 'not shown better than serving no model (a constant score) by more than',
  },
};

/** The same examples scored by the pending continuation and by the version that serves. */
export interface PairedScores {
  readonly labels: readonly number[];
  readonly pending: readonly number[];
  readonly served: readonly number[];
  readonly weights: readonly number[];
}

/** Which criterion decided a verdict of a blueprint judged on both: the objective, the decisions' value, or both. */
export type DecidingCriterion = 'objective' | 'value' | 'both';

/** What a verdict rests on. */
export interface ContinuationFigures {
  readonly metric: ComparedMetric;
  readonly served: number;
  readonly pending: number;
  /** Pending over serving, > 0 when the pending version is better. */
  readonly gain: number;
  readonly low: number;
  readonly high: number;
  readonly n: number;
  readonly effectiveN: number;
  readonly tolerance: number;
  /** A threshold blueprint's value criterion; absent for every other policy (judged on the objective alone). */
  readonly value?: ValueFigures;
  /** With a value criterion, which criterion decided a publish or refuse verdict. */
  readonly decidedBy?: DecidingCriterion;
}

export type ContinuationVerdict =
  | { readonly kind: 'wait'; readonly reason: string; readonly figures: ContinuationFigures | null }
  | { readonly kind: 'publish'; readonly reason: string; readonly figures: ContinuationFigures }
  | { readonly kind: 'refuse'; readonly reason: string; readonly figures: ContinuationFigures | null };

const signed = (v: number, digits = 4) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

/** The figures in words: "auc 0.7012 vs serving 0.7100: −0.0088 (99.5 % always-valid one-sided bounds …)". */
export function describeFigures(
  f: ContinuationFigures,
  design: SequentialDesign,
  against: Comparison = 'serving',
): string {
  return (
    `${f.metric} ${f.pending.toFixed(4)} vs ${WORDS[against].versus} ${f.served.toFixed(4)}: ${signed(f.gain)} ` +
    `(${coverageLabel(design)} bounds ${signed(f.low)} to ${signed(f.high)}; ` +
    `IPS-weighted, effective n ${Math.round(f.effectiveN)} of ${f.n})`
  );
}

/** A pending continuation at one look, on the examples gathered since it started. */
export function judgeContinuation(
  metric: ComparedMetric,
  evidence: PairedScores,
  design: SequentialDesign,
  horizon = CONTINUATION_HORIZON,
  against: Comparison = 'serving',
  value: ValueCriterion | null = null,
): ContinuationVerdict {
  const words = WORDS[against];
  const n = evidence.labels.length;
  if (n < CONTINUATION_MIN_EXAMPLES)
    return { kind: 'wait', reason: `${n} of ${CONTINUATION_MIN_EXAMPLES} examples`, figures: null };
  let cmp;
  let valueCmp;
  try {
    cmp = weightedGain(metric, evidence.labels, evidence.served, evidence.pending, evidence.weights);
    valueCmp =
      value === null ? null : pairedValue(value, evidence.labels, evidence.pending, evidence.served, evidence.weights);
  } catch (error) {
    const why = `${metric} cannot compare the two on ${n} examples: ${errorMessage(error)}`;
    return n >= horizon
      ? { kind: 'refuse', reason: `not shown within the tolerance after ${n} examples — ${why}`, figures: null }
      : { kind: 'wait', reason: why, figures: null };
  }
  const tolerance = design.minEffect;
  if (cmp.effectiveN < CONTINUATION_MIN_EFFECTIVE && n < horizon)
    return {
      kind: 'wait',
      reason: `${n} examples are worth ${Math.round(cmp.effectiveN)} unweighted, of ${CONTINUATION_MIN_EFFECTIVE}`,
      figures: null,
    };
  const b = alwaysValidBounds(cmp.gain, cmp.standardError, n, design);
  const figures: ContinuationFigures = {
    metric,
    served: cmp.live,
    pending: cmp.candidate,
    gain: cmp.gain,
    low: b.low,
    high: b.high,
    n,
    effectiveN: cmp.effectiveN,
    tolerance,
  };
  if (value !== null && valueCmp !== null) {
    const vb = alwaysValidBounds(valueCmp.difference, valueCmp.standardError, n, design);
    const valueFigures: ValueFigures = {
      threshold: value.threshold,
      margin: value.margin,
      served: valueCmp.served,
      pending: valueCmp.pending,
      difference: valueCmp.difference,
      low: vb.low,
      high: vb.high,
    };
    return judgeWithValueCheck(
      { ...figures, value: valueFigures },
      { objective: cmp.standardError, value: valueCmp.standardError },
      design,
      horizon,
      against,
    );
  }
  const facts = describeFigures(figures, design, against);
  if (b.low > -tolerance) return { kind: 'publish', reason: `${words.better} ${tolerance} — ${facts}`, figures };
  if (b.high < -tolerance) return { kind: 'refuse', reason: `${words.worse} ${tolerance} — ${facts}`, figures };
  if (n >= horizon) {
    const lastLook = cmp.gain - HORIZON_Z * cmp.standardError;
    const look = `its ${100 * (1 - CONTINUATION_HORIZON_ALPHA)} % one-look lower bound at ${n} examples is ${signed(lastLook)}`;
    return lastLook > -tolerance
      ? { kind: 'publish', reason: `${words.better} ${tolerance}: ${look} — ${facts}`, figures }
      : {
          kind: 'refuse',
          reason: `${words.unshown} ${tolerance}${against === 'serving' ? ' of the serving version' : ''}: ${look} — ${facts}`,
          figures,
        };
  }
  return { kind: 'wait', reason: `not conclusive yet — ${facts}; decides by ${horizon} examples`, figures };
}

/**
 * A new version of a threshold blueprint: published on its objective as any version is, and
 * refused as soon as the value of its decisions is *shown* to keep less than 1 − δ of what it is
 * judged against — the serving version's, or serving no model's for a first version (the always-valid
 * upper bound of the tested difference below 0, or at the horizon its one-look upper bound). It
 * need not show that it keeps it: the requests a version adds to the sends are seen only when
 * explored, so a continuation that sends to more was shown non-inferior in 10–34 % of runs however
 * good (continuation-value-calibration.test.ts), and one that sends to fewer in 99 %. Requiring it
 * ratcheted the serving version toward sending too little (a decision-loop run: 33.7 % of sends
 * against the oracle's 40.1 %, 85.4 % of the lift, for the whole judged window), and held a first
 * version, whose evidence is all explored, until its 500-example last look: the scale-out test's
 * first model missed its 240 s (about 3 teaching examples a second there).
 */
function judgeWithValueCheck(
  figures: ContinuationFigures & { readonly value: ValueFigures },
  standardErrors: { readonly objective: number; readonly value: number },
  design: SequentialDesign,
  horizon: number,
  against: Comparison,
): ContinuationVerdict {
  const { tolerance, value, n } = figures;
  const words = WORDS[against];
  const vWords = valueWords(value, against);
  const oFacts = describeFigures(figures, design, against);
  const vFacts = describeValueFigures(value, design, against);
  const lastLook = n >= horizon;
  // The value's upper bound: always-valid before the horizon, one-look at it.
  const valueHigh = lastLook ? value.difference + HORIZON_Z * standardErrors.value : value.high;
  const valueLook = lastLook
    ? `: its ${100 * (1 - CONTINUATION_HORIZON_ALPHA)} % one-look upper bound of ${vWords.tested} at ${n} examples is ${signed(valueHigh)}`
    : '';
  const objectiveWorse = figures.high < -tolerance;
  if (objectiveWorse || valueHigh < 0) {
    const oWorse = `${words.worse} ${tolerance} — ${oFacts}`;
    const vWorse = `${vWords.worse}${valueLook} — ${vFacts}`;
    const decidedBy = !objectiveWorse ? 'value' : valueHigh < 0 ? 'both' : 'objective';
    const reason =
      decidedBy === 'both'
        ? `${oWorse}; and ${vWorse}`
        : decidedBy === 'objective'
          ? `${oWorse}; ${vFacts}`
          : `${vWorse}; ${oFacts}`;
    return { kind: 'refuse', reason, figures: { ...figures, decidedBy } };
  }
  const notShownWorse = `${vWords.worse.replace(' are worth less than ', ' not shown to be worth less than ')} — ${vFacts}`;
  // A first version's evidence is all explored, so the bound takes hundreds of examples to show its
  // decisions worse, while its ranking clears at the first look: one worth −0.11 a request (sending
  // to far too many) was published in 61 % of runs. It waits while its estimate is below the margin.
  const valueWaits = against === 'no-model' && value.difference < 0 && !lastLook;
  if (figures.low > -tolerance && !valueWaits)
    return {
      kind: 'publish',
      reason: `${words.better} ${tolerance} — ${oFacts}; and ${notShownWorse}`,
      figures: { ...figures, decidedBy: 'objective' },
    };
  if (!lastLook)
    return {
      kind: 'wait',
      reason: `not conclusive yet — ${oFacts}; ${vFacts}; decides by ${horizon} examples`,
      figures,
    };
  const oLast = figures.gain - HORIZON_Z * standardErrors.objective;
  const oLook = `its ${100 * (1 - CONTINUATION_HORIZON_ALPHA)} % one-look lower bound at ${n} examples is ${signed(oLast)}`;
  return oLast > -tolerance
    ? {
        kind: 'publish',
        reason: `${words.better} ${tolerance}: ${oLook} — ${oFacts}; and ${notShownWorse}${valueLook}`,
        figures: { ...figures, decidedBy: 'objective' },
      }
    : {
        kind: 'refuse',
        reason: `${words.unshown} ${tolerance}${against === 'serving' ? ' of the serving version' : ''}: ${oLook} — ${oFacts}; ${vFacts}`,
        figures: { ...figures, decidedBy: 'objective' },
      };
}

/** One pending continuation's test: its design and metric fixed when it starts, and its evidence. */
export class ContinuationTest {
  private readonly labels: number[] = [];
  private readonly pending: number[] = [];
  private readonly served: number[] = [];
  private readonly weights: number[] = [];

  constructor(
    readonly metric: ComparedMetric,
    readonly design: SequentialDesign,
    readonly startedAt: number,
    readonly horizon = CONTINUATION_HORIZON,
    readonly against: Comparison = 'serving',
    /** A threshold blueprint's decisions are judged too (continuation-value.ts); null: the objective alone. */
    readonly value: ValueCriterion | null = null,
  ) {}

  /**
   * The test of a new version of `bp` starting now; null when its objective is not compared (no
   * gate). Under a threshold policy it judges the decisions at the blueprint's threshold of this
   * moment too: like the tolerance, the threshold stays what it was when the test started.
   */
  static start(
    bp: Pick<Blueprint, 'objective' | 'rollout' | 'task' | 'decision'>,
    startedAt: number,
    against: Comparison = 'serving',
  ): ContinuationTest | null {
    const metric = gatedMetric(bp);
    return metric === null
      ? null
      : new ContinuationTest(
          metric,
          continuationDesign(bp, against),
          startedAt,
          against === 'no-model' ? FIRST_VERSION_HORIZON : CONTINUATION_HORIZON,
          against,
          valueCriterionOf(bp),
        );
  }

  /** Observations so far. */
  get n(): number {
    return this.labels.length;
  }

  /** Whether the horizon is reached: more examples cannot change the verdict. */
  get full(): boolean {
    return this.labels.length >= this.horizon;
  }

  /**
   * One example both versions scored before either learned it. For AUC a label y strictly between
   * 0 and 1 counts as a positive of weight w·y and a negative of weight w·(1 − y), as OnlineMetrics
   * reads it.
   */
  observe(label: number, pendingScore: number, servedScore: number, weight: number): void {
    if (this.full || !Number.isFinite(pendingScore) || !Number.isFinite(servedScore)) return;
    if (this.metric === 'auc' && label > 0 && label < 1) {
      this.push(1, pendingScore, servedScore, weight * label);
      this.push(0, pendingScore, servedScore, weight * (1 - label));
    } else this.push(label, pendingScore, servedScore, weight);
  }

  judge(): ContinuationVerdict {
    return judgeContinuation(
      this.metric,
      { labels: this.labels, pending: this.pending, served: this.served, weights: this.weights },
      this.design,
      this.horizon,
      this.against,
      this.value,
    );
  }

  private push(label: number, pendingScore: number, servedScore: number, weight: number): void {
    this.labels.push(label);
    this.pending.push(pendingScore);
    this.served.push(servedScore);
    this.weights.push(weight);
  }
}

/** A verdict that ended a pending continuation, for the trainer's log and `looper status`. */
export interface ContinuationJudgement {
  readonly blueprint: string;
  readonly kind: 'publish' | 'refuse';
  readonly reason: string;
  readonly figures: ContinuationFigures | null;
  /**
   * The version that served while the continuation was judged (and goes on serving when it is
   * refused); null for a first version, judged against serving no model.
   */
  readonly servedVersion: string | null;
  /** What the continuation was, e.g. "gbdt trained on 1200 examples". */
  readonly continuation: string;
  readonly startedAt: number;
  readonly at: number;
}

/** The judgement as one log line. */
export function describeJudgement(j: ContinuationJudgement): string {
  const judged = `${j.continuation}, judged for ${Math.round((j.at - j.startedAt) / 1000)} s`;
  if (j.servedVersion === null)
    return j.kind === 'publish'
      ? `${j.blueprint}: publishing a first version (${judged}): ${j.reason}`
      : `${j.blueprint}: refused a first version (${judged}), nothing serves yet (the default answers): ${j.reason}`;
  const what = `a continuation of ${j.servedVersion} (${judged})`;
  return j.kind === 'publish'
    ? `${j.blueprint}: publishing ${what}: ${j.reason}`
    : `${j.blueprint}: refused ${what}, ${j.servedVersion} keeps serving: ${j.reason}`;
}

/**
 * A refusal as a looper.metrics record: value the gain (0 when it could not be measured), count
 * the examples, window the time judged; the figures and reason in labels. `source: trainer` keeps
 * it out of the monitor's measures that `looper status` lists.
 */
export function refusalRecord(j: ContinuationJudgement): Metric {
  const f = j.figures;
  const figures: Record<string, string> =
    f === null
      ? {}
      : {
          metric: f.metric,
          served: String(f.served),
          pending: String(f.pending),
          gain: String(f.gain),
          low: String(f.low),
          high: String(f.high),
          effective_n: String(f.effectiveN),
          tolerance: String(f.tolerance),
          ...(f.value === undefined
            ? {}
            : {
                value_threshold: String(f.value.threshold),
                value_margin: String(f.value.margin),
                value_served: String(f.value.served),
                value_pending: String(f.value.pending),
                value_difference: String(f.value.difference),
                value_low: String(f.value.low),
                value_high: String(f.value.high),
              }),
          ...(f.decidedBy === undefined ? {} : { decided_by: f.decidedBy }),
        };
  return {
    blueprint: j.blueprint,
    modelVersion: j.servedVersion,
    experimentArm: null,
    name: CONTINUATION_REFUSED,
    value: f?.gain ?? 0,
    windowMs: Math.max(0, j.at - j.startedAt),
    count: f?.n ?? 0,
    ts: j.at,
    labels: { source: 'trainer', continuation: j.continuation, reason: j.reason, ...figures },
  };
}
