// Compares declared topics with what the broker has (pure): what to create, what drifted.
import type { TopicSpec } from './topics.js';

export interface ExistingTopic {
  name: string;
  partitions: number;
  /** Topic-level configs as the broker reports them (e.g. cleanup.policy, retention.ms). */
  configs: Record<string, string>;
}

export interface TopicDrift {
  topic: string;
  property: 'partitions' | 'cleanup.policy' | 'retention.ms';
  declared: string;
  actual: string;
  fix: string;
}

export interface TopologyPlan {
  create: TopicSpec[];
  unchanged: string[];
  drift: TopicDrift[];
}

/** The broker configs Looper sets on each topic it creates. */
export function topicConfigs(spec: TopicSpec): Record<string, string> {
  return { 'cleanup.policy': spec.cleanupPolicy, 'retention.ms': String(spec.retentionMs) };
}

/**
 * The configs a topic is created with: those above, and for a changelog segments that roll every
 * 10 minutes, a cleaner that starts at 10 % dirty, and tombstones kept an hour (long enough for any
 * restore in progress to see them) — otherwise compaction waits for a 1 GB or 7-day segment and a
 * takeover reads every change ever made.
 */
export function creationConfigs(spec: TopicSpec): Record<string, string> {
  if (!spec.changelog) return topicConfigs(spec);
  return {
    ...topicConfigs(spec),
    'segment.ms': String(10 * 60_000),
    'min.cleanable.dirty.ratio': '0.1',
    'delete.retention.ms': String(60 * 60_000),
  };
}

export function planTopology(declared: readonly TopicSpec[], existing: readonly ExistingTopic[]): TopologyPlan {
  const byName = new Map(existing.map((t) => [t.name, t]));
  const plan: TopologyPlan = { create: [], unchanged: [], drift: [] };
  for (const spec of declared) {
    const actual = byName.get(spec.name);
    if (!actual) {
      plan.create.push(spec);
      continue;
    }
    const drift = compareTopic(spec, actual);
    if (drift.length === 0) plan.unchanged.push(spec.name);
    plan.drift.push(...drift);
  }
  return plan;
}

export function compareTopic(spec: TopicSpec, actual: ExistingTopic): TopicDrift[] {
  const drift: TopicDrift[] = [];
  if (actual.partitions !== spec.partitions) {
    drift.push({
      topic: spec.name,
      property: 'partitions',
      declared: String(spec.partitions),
      actual: String(actual.partitions),
      fix:
        actual.partitions < spec.partitions
          ? `add partitions with kafka-topics --alter --partitions ${spec.partitions} (keys move to new partitions: drain consumers first)`
          : `partitions cannot shrink: recreate ${spec.name} after draining it, or declare ${actual.partitions}`,
    });
  }
  for (const [key, declared] of Object.entries(topicConfigs(spec))) {
    const value = actual.configs[key];
    if (value !== undefined && value !== declared) {
      drift.push({
        topic: spec.name,
        property: key as TopicDrift['property'],
        declared,
        actual: value,
        fix: `kafka-configs --alter --entity-type topics --entity-name ${spec.name} --add-config ${key}=${declared}`,
      });
    }
  }
  return drift;
}
