// Every Looper metric, declared once as data (name, help, labels), and the per-process registry
// they live in. Names follow Prometheus conventions: a looper_ prefix, base units (seconds),
// counters ending in _total. Services get their meters through looperCounter / looperHistogram /
// looperGauge with a key of these tables, so no metric name is spelled anywhere else.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Decide latency bounds: a warm predictor answers in a fraction of a millisecond, a feature lookup
 * adds a millisecond or so, and deadlines are tens of milliseconds; past 100 ms is +Inf.
 */
const DECIDE_SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1] as const;

export const looperCounters = {
  decideRequests: {
    name: 'looper_decide_requests_total',
    help: 'Decide requests answered, by blueprint and outcome (model: not a fallback, apprentice replies included; fallback: the default decision; error: an error reply).',
    labelNames: ['blueprint', 'outcome'],
  },
  outcomeReplies: {
    name: 'looper_outcome_replies_total',
    help: 'Outcomes reported over NATS (looper.outcome, looper.outcome.batch), by the reply each got: ok (on looper.outcomes), bad_request, bad_value, unavailable (Kafka did not acknowledge it in time), internal. Each outcome of a batch counts; a batch refused whole counts once.',
    labelNames: ['code'],
  },
  eventsIngested: {
    name: 'looper_events_ingested_total',
    help: 'Product events the features service consumed and committed, by topic (dead-lettered ones included).',
    labelNames: ['topic'],
  },
  featureEvents: {
    name: 'looper_feature_events_total',
    help: "Events a blueprint's stream feature judged by event time and committed, by topic, blueprint, feature and arrival: in_order (not behind the newest event time of its partition), late_applied (behind it, within the feature's lateness: applied), late_dropped (later than the lateness, or already out of the window: not applied). An aggregation two features share counts for each.",
    labelNames: ['topic', 'blueprint', 'feature', 'arrival'],
  },
  eventsDeadLettered: {
    name: 'looper_events_dead_lettered_total',
    help: 'Product events the features service sent to the dead-letter topic, by source topic.',
    labelNames: ['topic'],
  },
  decideContextMissing: {
    name: 'looper_decide_context_missing_total',
    help: 'Valid decide requests that left a declared context feature out (or sent it null), by the blueprint that answered (the arm, in an experiment) and feature: the model read it as missing.',
    labelNames: ['blueprint', 'feature'],
  },
  examplesEmitted: {
    name: 'looper_examples_emitted_total',
    help: 'Labelled examples the joiner committed to its outbox for looper.examples, by blueprint and label source (outcome, event, missing).',
    labelNames: ['blueprint', 'label_source'],
  },
  examplesLearned: {
    name: 'looper_examples_learned_total',
    help: 'Examples the trainer learned from, by blueprint.',
    labelNames: ['blueprint'],
  },
  modelsPublished: {
    name: 'looper_models_published_total',
    help: 'Model versions the trainer published to looper.models, by blueprint.',
    labelNames: ['blueprint'],
  },
  automlSearches: {
    name: 'looper_automl_searches_total',
    help: 'AutoML searches finished, by outcome (candidate: a candidate was published; no_candidate: none beat the serving model; failed).',
    labelNames: ['outcome'],
  },
  rolloutTransitions: {
    name: 'looper_rollout_transitions_total',
    help: 'Deployment transitions the rollout service published, by the stage entered.',
    labelNames: ['to'],
  },
  decisionsNotLogged: {
    name: 'looper_decisions_not_logged_total',
    help: 'Decisions a predictor answered that will never reach looper.decisions: Kafka could not take them and the decision log on disk refused them, by reason (full: the log reached its size bound; write_failed: the disk refused the write).',
    labelNames: ['reason'],
  },
} as const;

export const looperHistograms = {
  decideDuration: {
    name: 'looper_decide_duration_seconds',
    help: 'Time from a decide request arriving to its reply being sent, by blueprint.',
    labelNames: ['blueprint'],
    buckets: DECIDE_SECONDS_BUCKETS,
  },
} as const;

export const looperGauges = {
  joinerDecisionsPending: {
    name: 'looper_joiner_decisions_pending',
    help: "Decisions waiting in this joiner instance's store for their label window to close.",
    labelNames: [],
  },
  decisionLogBytes: {
    name: 'looper_decision_log_bytes',
    help: "Bytes of a predictor's decision log on disk: decisions Kafka has not taken yet, plus the sent part of the oldest segment until it is deleted; 0 while Kafka takes every decision.",
    labelNames: [],
  },
} as const;

interface MetricDefinition {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

type NamesOf<T extends Record<string, MetricDefinition>> = { readonly [K in keyof T]: T[K]['name'] };
type LabelOf<D> = D extends { readonly labelNames: readonly (infer L extends string)[] } ? L : never;

function namesOf<T extends Record<string, MetricDefinition>>(definitions: T): NamesOf<T> {
  return Object.fromEntries(Object.entries(definitions).map(([key, d]) => [key, d.name])) as NamesOf<T>;
}

/** Every looper metric name by key, for readers (the monitor, tests) that look metrics up by name. */
export const metricNames = {
  ...namesOf(looperCounters),
  ...namesOf(looperHistograms),
  ...namesOf(looperGauges),
} as const;
export type LooperMetricName = (typeof metricNames)[keyof typeof metricNames];

/**
 * A fresh registry for one service process: Node's default process metrics plus whatever the
 * service registers, every series labelled service=<name> so one Prometheus can scrape them all.
 */
export function createServiceMetrics(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The registry's counter `key`, created on first use (a second call returns the same counter). */
export function looperCounter<K extends keyof typeof looperCounters>(
  registry: Registry,
  key: K,
): Counter<LabelOf<(typeof looperCounters)[K]>> {
  const d = looperCounters[key];
  const existing = registry.getSingleMetric(d.name);
  if (existing) return existing as Counter<LabelOf<(typeof looperCounters)[K]>>;
  return new Counter({ name: d.name, help: d.help, labelNames: d.labelNames, registers: [registry] });
}

/** The registry's histogram `key`, created on first use. */
export function looperHistogram<K extends keyof typeof looperHistograms>(
  registry: Registry,
  key: K,
): Histogram<LabelOf<(typeof looperHistograms)[K]>> {
  const d = looperHistograms[key];
  const existing = registry.getSingleMetric(d.name);
  if (existing) return existing as Histogram<LabelOf<(typeof looperHistograms)[K]>>;
  return new Histogram({
    name: d.name,
    help: d.help,
    labelNames: d.labelNames,
    buckets: [...d.buckets],
    registers: [registry],
  });
}

/**
 * The registry's gauge `key`, created on first use. `read` (optional) is asked for the value at
 * each scrape, for a level the service already tracks.
 */
export function looperGauge<K extends keyof typeof looperGauges>(
  registry: Registry,
  key: K,
  read?: () => number,
): Gauge<LabelOf<(typeof looperGauges)[K]>> {
  const d = looperGauges[key];
  const existing = registry.getSingleMetric(d.name);
  if (existing) return existing as Gauge<LabelOf<(typeof looperGauges)[K]>>;
  return new Gauge({
    name: d.name,
    help: d.help,
    labelNames: d.labelNames,
    registers: [registry],
    ...(read
      ? {
          collect() {
            this.set(read());
          },
        }
      : {}),
  });
}
