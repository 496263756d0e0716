// Every NATS subject, queue group and Kafka consumer group Looper uses, declared once.
// (Topics are declared in topology/topics.ts.)

export const subjects = {
  /** Decide requests for one blueprint (request-reply, JSON). */
  decide: (blueprint: string) => `looper.decide.${blueprint}`,
  /** What the predictor subscribes to: every blueprint's decide subject. */
  decideAll: 'looper.decide.*',
  /**
   * Feature lookups for entities in partition p of the blueprint's event topics (request-reply,
   * JSON), answered by the features instance that holds that partition.
   */
  featureLookup: (partition: number) => `looper.features.lookup.${partition}`,
  /**
   * Lookups for blueprints whose event topics do not exist yet: no instance holds state for them,
   * so every instance answers (empty windows) and any one may.
   */
  featureLookupAny: 'looper.features.lookup.any',
  /** Every partition's lookups (for tools that stand in for the features service). */
  featureLookupAll: 'looper.features.lookup.*',
  /**
   * One outcome (request-reply, JSON: {"decisionId", "value", "ts"?, "candidateId"?}), answered
   * once it is on looper.outcomes or refused with a code (services/lib/outcome/request.ts).
   */
  outcome: 'looper.outcome',
  /** Many outcomes in one request ({"outcomes": [...]}), each acknowledged or refused by its index. */
  outcomeBatch: 'looper.outcome.batch',
} as const;

export const queueGroups = {
  /** Decide requests, and the outcomes reported over NATS (the predictor holds the producer of both). */
  predictor: 'looper-predictor',
  features: 'looper-features',
} as const;

export const consumerGroups = {
  features: 'looper-features',
  joiner: 'looper-joiner',
  trainer: 'looper-trainer',
} as const;

/** The blueprint name in a decide subject, or null when the subject is not one. */
export function blueprintOfDecideSubject(subject: string): string | null {
  return subject.startsWith('looper.decide.') ? subject.slice('looper.decide.'.length) : null;
}
