// Which online quality metrics the monitor can give for a blueprint, from what decisions and
// examples log, and which of them stands for the objective when the objective itself cannot be
// measured. One place that the monitor, its dashboard and `looper status` ask, so a blueprint whose
// objective is not measurable online is told why instead of being shown an empty chart.
import type { Blueprint } from '../schemas/generated.js';
import { multiclassTaskOf } from '../multiclass/blueprint.js';

/** Every quality metric the monitor may publish on looper.metrics (and label its gauges with). */
export const QUALITY_METRICS = [
  'auc',
  'logloss',
  'calibration_error',
  'rmse',
  'mae',
  'ndcg',
  'mrr',
  'judged_share',
  'reward',
  'top1_accuracy',
  'topk_accuracy',
] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];
export type QualityValues = Partial<Record<QualityMetric, number>>;

const HIGHER_IS_BETTER: ReadonlySet<QualityMetric> = new Set([
  'auc',
  'ndcg',
  'mrr',
  'judged_share',
  'reward',
  'top1_accuracy',
  'topk_accuracy',
]);

/** Whether a larger value means a better model (AUC, accuracy, reward) rather than a worse one (log-loss, RMSE). */
export function higherIsBetter(metric: QualityMetric): boolean {
  return HIGHER_IS_BETTER.has(metric);
}

export function isQualityMetric(name: string): name is QualityMetric {
  return (QUALITY_METRICS as readonly string[]).includes(name);
}

/**
 * Most classes a multi-class reply lists: the predictor caps k there (MAX_K in
 * services/predictor/classes.ts), so a larger vocabulary is never logged whole.
 */
export const MAX_CLASSES_REPLIED = 100;

export interface QualityPlan {
  /** The metrics the monitor gives for this blueprint, the headline first. */
  readonly metrics: readonly QualityMetric[];
  /** The metric charted and shown as the blueprint's quality: the objective when it is measured, else top-1 accuracy. */
  readonly headline: QualityMetric;
  /**
   * What metric_drop compares with the value its serving lineage's go-live version published, the
   * first one that both sides have: the objective, then a stand-in the trainer publishes (it
   * publishes no ndcg, and no AUC for a multi-class model).
   */
  readonly dropMetrics: readonly QualityMetric[];
  /** Multi-class and sequence: decisions log every class's probability, so log-loss is exact. */
  readonly allClassProbabilities: boolean;
  /** The cut-off of NDCG over the classes returned; null for other tasks. */
  readonly classNdcgAt: number | null;
  /** Why the objective is not measured online, or how it is measured; null when it is measured as named. */
  readonly note: string | null;
}

function plan(
  metrics: QualityMetric[],
  headline: QualityMetric,
  dropMetrics: QualityMetric[],
  note: string | null = null,
  classes?: { all: boolean; ndcgAt: number },
): QualityPlan {
  return {
    metrics: [headline, ...metrics.filter((m) => m !== headline)],
    headline,
    dropMetrics,
    allClassProbabilities: classes?.all ?? false,
    classNdcgAt: classes?.ndcgAt ?? null,
    note,
  };
}

export function qualityPlanOf(bp: Pick<Blueprint, 'task' | 'decision' | 'objective' | 'sequence'>): QualityPlan {
  const objective = bp.objective.metric;
  const classTask = multiclassTaskOf(bp);
  if (classTask !== null) return classPlan(bp, classTask);
  switch (bp.task) {
    case 'ranking':
      // The trainer judges ranking models by the AUC of each shown candidate and publishes no NDCG.
      return plan(['ndcg', 'mrr', 'judged_share', 'auc'], 'ndcg', ['ndcg', 'auc']);
    case 'planning':
      return plan(['reward'], 'reward', ['reward']);
    case 'estimation':
      return plan(['rmse', 'mae'], objective, [objective]);
    default:
      return plan(['auc', 'logloss', 'calibration_error'], objective, [objective]);
  }
}

/**
 * Multi-class classification and sequence: a decision logs the probabilities of the k classes it
 * returned, so where the true class stood among them (top-1, top-k, MRR, NDCG@k) is always known,
 * but its probability only when every class the model names was returned.
 */
function classPlan(
  bp: Pick<Blueprint, 'task' | 'decision' | 'objective' | 'sequence'>,
  task: 'classification' | 'sequence',
): QualityPlan {
  const objective = bp.objective.metric;
  const k = bp.decision.policy === 'top_k' ? (bp.decision.k ?? 1) : 1;
  const classes =
    task === 'sequence' ? (bp.sequence?.vocabulary ?? Number.POSITIVE_INFINITY) : bp.decision.actions.length;
  const all = k >= classes && classes <= MAX_CLASSES_REPLIED;
  const ndcgAt = bp.objective.ndcgAt ?? k;
  const metrics: QualityMetric[] = ['top1_accuracy', 'topk_accuracy', 'mrr'];
  if (task === 'sequence') metrics.push('ndcg');
  if (all) metrics.push('logloss');
  const what = task === 'sequence' ? `the ${classes} items of its vocabulary` : `its ${classes} classes`;
  const returned =
    bp.decision.policy === 'top_k' ? `the ${k} classes returned` : 'the one class returned (policy argmax)';
  let note: string | null = null;
  if (objective === 'logloss' && !all) {
    note =
      `logloss is not measured online: a decision logs the probability of ${returned} only, not that of the true class when it was not among them` +
      (classes <= MAX_CLASSES_REPLIED ? ` (policy top_k with k: ${classes} logs all ${what})` : '') +
      "; quality is shown as top-1 accuracy, and metric_drop compares it with the trainer's";
  } else if (objective === 'auc') {
    note =
      'auc is not measured for a multi-class model (the trainer judges it by log-loss and publishes no AUC); quality is shown as ' +
      (all ? 'log-loss' : 'top-1 accuracy');
  } else if (objective === 'ndcg') {
    note = `ndcg is measured over the classes returned, as ndcg@${Math.min(k, ndcgAt)}${ndcgAt > k ? ` (the objective's ndcg@${ndcgAt} reaches below the ${k} logged)` : ''}; the trainer publishes no ndcg, so metric_drop compares top-1 accuracy`;
  }
  const measured = metrics.includes(objective);
  const headline: QualityMetric = measured ? objective : all ? 'logloss' : 'top1_accuracy';
  return plan(metrics, headline, measured ? [objective, 'top1_accuracy'] : ['top1_accuracy'], note, { all, ndcgAt });
}
