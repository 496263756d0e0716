// The words a blueprint may use, and the rules tying them together. The symbol lists are written as
// records keyed by the generated Avro enum types, so the compiler refuses to build when the schema
// gains or loses a symbol that is not listed here: the .avsc file stays the one declaration.
import type {
  BlueprintAggregate,
  BlueprintAlertKind,
  BlueprintContextType,
  BlueprintEventFormat,
  BlueprintLabelMatch,
  BlueprintMetric,
  BlueprintModelFamily,
  BlueprintPolicy,
  BlueprintTask,
} from '../schemas/generated.js';

function symbols<T extends string>(set: Record<T, true>): readonly T[] {
  return Object.keys(set) as T[];
}

export const TASKS = symbols<BlueprintTask>({
  classification: true,
  estimation: true,
  ranking: true,
  sequence: true,
  planning: true,
});
export const CONTEXT_TYPES = symbols<BlueprintContextType>({ int: true, float: true, bool: true, category: true });
export const AGGREGATES = symbols<BlueprintAggregate>({
  count: true,
  sum: true,
  mean: true,
  min: true,
  max: true,
  last: true,
  distinct: true,
  ewma: true,
  last_n: true,
});
export const EVENT_FORMATS = symbols<BlueprintEventFormat>({ json: true, avro: true });
export const LABEL_MATCHES = symbols<BlueprintLabelMatch>({ decisionId: true, entity: true });
export const POLICIES = symbols<BlueprintPolicy>({
  threshold: true,
  top_k: true,
  argmax: true,
  epsilon_greedy: true,
  softmax: true,
  thompson: true,
  linucb: true,
});
export const METRICS = symbols<BlueprintMetric>({
  auc: true,
  logloss: true,
  rmse: true,
  mae: true,
  ndcg: true,
  reward: true,
});
export const MODEL_FAMILIES = symbols<BlueprintModelFamily>({ logistic: true, linear: true, mlp: true, gbdt: true });
export const ALERT_KINDS = symbols<BlueprintAlertKind>({
  feature_drift: true,
  prediction_drift: true,
  decide_p99: true,
  fallback_rate: true,
  model_age: true,
  metric_drop: true,
  label_rate: true,
  guardrail: true,
});

/** Aggregates over a sliding window, which therefore need `window`; the others may take one. */
export const WINDOWED_AGGREGATES: readonly BlueprintAggregate[] = ['count', 'sum', 'mean', 'min', 'max', 'distinct'];

/** The metrics that make sense for each task; the first is the default. */
export const METRICS_BY_TASK: Record<BlueprintTask, readonly BlueprintMetric[]> = {
  classification: ['auc', 'logloss'],
  estimation: ['rmse', 'mae'],
  ranking: ['ndcg'],
  sequence: ['logloss', 'ndcg'],
  planning: ['reward'],
};

/** The largest k of top_k or n of last_n: longer lists make no sense in one decision, and Avro ints stay in range. */
export const MAX_COUNT = 10_000;

/** The cut-off of ndcg when the metric defaults to it. */
export const DEFAULT_NDCG_AT = 10;

/** A model family that cannot learn a task's labels, and the one to use instead. */
export const FAMILY_MISFITS: ReadonlyArray<{
  family: BlueprintModelFamily;
  task: BlueprintTask;
  instead: BlueprintModelFamily;
}> = [
  { family: 'logistic', task: 'estimation', instead: 'linear' },
  { family: 'linear', task: 'classification', instead: 'logistic' },
];

/** The outcome topic that decide callers report to; a label source naming it matches by decision id. */
export const OUTCOMES_TOPIC = 'looper.outcomes';

/**
 * The threshold each alert kind needs, in which unit, and which reference it takes:
 * `above: 10ms` for decide_p99, `psi: 0.2` for feature_drift, ...
 */
export type AlertThresholdKey = 'psi' | 'above' | 'below';
export type AlertUnit = 'psi' | 'duration' | 'share' | 'number';
export const ALERT_RULES: Record<
  BlueprintAlertKind,
  {
    threshold: AlertThresholdKey;
    unit: AlertUnit;
    example: string;
    reference?: 'feature' | 'guardrail';
    referenceRequired?: boolean;
  }
> = {
  feature_drift: { threshold: 'psi', unit: 'psi', example: 'psi: 0.2', reference: 'feature' },
  prediction_drift: { threshold: 'psi', unit: 'psi', example: 'psi: 0.2' },
  decide_p99: { threshold: 'above', unit: 'duration', example: 'above: 10ms' },
  fallback_rate: { threshold: 'above', unit: 'share', example: 'above: 5%' },
  model_age: { threshold: 'above', unit: 'duration', example: 'above: 2h' },
  metric_drop: { threshold: 'above', unit: 'number', example: 'above: 0.02' },
  label_rate: { threshold: 'below', unit: 'share', example: 'below: 10%' },
  guardrail: {
    threshold: 'above',
    unit: 'share',
    example: 'above: 10%',
    reference: 'guardrail',
    referenceRequired: true,
  },
};
