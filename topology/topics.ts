// The one declaration of every Looper topic: its shape on the broker, its value schema and who
// reads and writes it. `looper topology apply`, the README diagram and the services all use it.
import type { SchemaName } from '../services/lib/schemas/generated.js';

export const services = [
  'cli',
  'sdk',
  'features',
  'predictor',
  'joiner',
  'trainer',
  'automl',
  'rollout',
  'monitor',
] as const;
export type ServiceName = (typeof services)[number];

export type CleanupPolicy = 'compact' | 'delete';

export interface TopicSpec {
  name: string;
  description: string;
  partitions: number;
  cleanupPolicy: CleanupPolicy;
  /** `retention.ms`; -1 keeps records for ever. Ignored by Kafka for compacted topics' latest values. */
  retentionMs: number;
  /** What the record key holds. */
  key: string;
  /** The Avro schema of the values (registered under `<topic>-value`), or null for JSON/free-form. */
  valueSchema: SchemaName | null;
  producers: readonly ServiceName[];
  consumers: readonly ServiceName[];
  /**
   * A state changelog, restored from on every takeover: created with short segments and an eager
   * cleaner so that compaction keeps it near the size of the live state.
   */
  changelog?: true;
}

const day = 24 * 60 * 60 * 1000;

/** Partitions of the high-volume, entity-keyed topics: the unit of scale-out. */
export const DATA_PARTITIONS = 6;

export const topics = {
  blueprints: {
    name: 'looper.blueprints',
    description: 'The live version of each blueprint, keyed by name',
    partitions: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    key: 'blueprint name',
    valueSchema: 'Blueprint',
    producers: ['cli'],
    consumers: ['features', 'predictor', 'joiner', 'trainer', 'automl', 'rollout', 'monitor'],
  },
  blueprintHistory: {
    name: 'looper.blueprints.history',
    description: 'Every registered version of every blueprint (never compacted), for show --version and diff',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: -1,
    key: 'blueprint name',
    valueSchema: 'Blueprint',
    producers: ['cli'],
    consumers: ['cli'],
  },
  decisions: {
    name: 'looper.decisions',
    description: 'Every decision with the feature values it used, keyed by entity',
    partitions: DATA_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: 7 * day,
    key: 'entity',
    valueSchema: 'Decision',
    producers: ['predictor'],
    consumers: ['joiner', 'monitor'],
  },
  outcomes: {
    name: 'looper.outcomes',
    description:
      'Outcomes reported by product code (over NATS through the predictor, or produced directly), keyed by decision id',
    partitions: DATA_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: 7 * day,
    key: 'decision id',
    valueSchema: 'Outcome',
    // The SDK over Kafka, and the predictor for outcomes reported over NATS (looper.outcome).
    producers: ['sdk', 'predictor'],
    consumers: ['joiner'],
  },
  examples: {
    name: 'looper.examples',
    description:
      'Decisions joined with their labels: the training data, keyed by blueprint, so one trainer instance learns each blueprint',
    partitions: DATA_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: 30 * day,
    key: 'blueprint name',
    valueSchema: 'Example',
    producers: ['joiner'],
    consumers: ['trainer', 'automl', 'rollout', 'monitor'],
  },
  models: {
    name: 'looper.models',
    description: 'Trained model versions with their metrics, keyed by blueprint/model version',
    partitions: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    key: 'blueprint/model version',
    valueSchema: 'ModelVersion',
    producers: ['trainer', 'automl'],
    consumers: ['predictor', 'trainer', 'automl', 'rollout', 'monitor'],
  },
  deployments: {
    name: 'looper.deployments',
    description: 'Which model versions serve each blueprint and how (live, shadow, canary), keyed by blueprint',
    partitions: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    key: 'blueprint name',
    valueSchema: 'Deployment',
    producers: ['rollout', 'automl'],
    consumers: ['predictor', 'trainer', 'rollout', 'monitor', 'cli'],
  },
  metrics: {
    name: 'looper.metrics',
    description: "Online metrics per blueprint and model version, and the features service's late-event counts",
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: 7 * day,
    key: 'blueprint',
    valueSchema: 'Metric',
    producers: ['monitor', 'trainer', 'features'],
    consumers: ['rollout', 'monitor'],
  },
  alerts: {
    name: 'looper.alerts',
    description: 'Alerts raised and cleared from blueprint monitoring rules',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: 30 * day,
    key: 'blueprint/rule',
    valueSchema: 'Alert',
    producers: ['monitor'],
    consumers: ['predictor', 'automl', 'cli'],
  },
  deadLetters: {
    name: 'looper.dlq',
    description: 'Records that could not be decoded or validated, with the reason',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: 30 * day,
    key: 'source topic',
    valueSchema: 'DeadLetter',
    producers: ['features', 'predictor', 'joiner', 'trainer'],
    consumers: ['monitor'],
  },
  featureChangelog: {
    name: 'looper.features.changelog',
    description: 'Feature state per entity, compacted; rebuilds a features store on an empty disk',
    partitions: DATA_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    key: 'entity',
    valueSchema: null,
    producers: ['features'],
    consumers: ['features'],
    changelog: true,
  },
  joinerChangelog: {
    name: 'looper.joiner.changelog',
    description:
      "The joiner's pending decisions, markers and recent events, compacted; a joiner taking a partition over restores it from here",
    partitions: DATA_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    key: 'joiner record',
    valueSchema: null,
    producers: ['joiner'],
    consumers: ['joiner'],
    changelog: true,
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof topics;
export type TopicName = (typeof topics)[TopicKey]['name'];

export const allTopics: readonly TopicSpec[] = Object.values(topics);

/** The schema-registry subject of a topic's values (TopicNameStrategy). */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}
