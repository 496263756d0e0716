// The predictor's side of feature lookups: one NATS request per decide, answered by the features
// instance that holds the entity's partition, with every stream feature of the blueprint for the
// entity as of now.
import type { NatsConnection } from 'nats';
import type { Blueprint } from './schemas/generated.js';
import type { FeatureValues } from './feature-values.js';
import { subjects } from './names.js';
import { partitionOfKey } from './partitioning/key-partition.js';

export interface FeatureLookupRequest {
  blueprint: string;
  entities: string[];
}

export interface FeatureLookupReply {
  /** One object per requested entity, in request order: feature name → value. */
  values?: FeatureValues[];
  error?: { code: string; message: string };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type LookupResult = { ok: true; values: FeatureValues } | { ok: false; reason: 'deadline' | 'features_unavailable'; message: string };

/** Lookup subjects by partition, built once: the decide path asks for one per request. */
const subjectsByPartition: string[] = [];

/** The subject of an entity's lookups when the blueprint's event topics have `partitions` partitions. */
export function lookupSubject(entity: string, partitions: number): string {
  const partition = partitionOfKey(entity, partitions);
  return (subjectsByPartition[partition] ??= subjects.featureLookup(partition));
}

/** Stream feature values of one entity; a failure says whether the deadline passed or the service could not answer. */
export async function lookupFeatures(nats: NatsConnection, subject: string, blueprint: string, entity: string, timeoutMs: number): Promise<LookupResult> {
  if (timeoutMs < 1) return { ok: false, reason: 'deadline', message: 'no time left for the lookup' };
  try {
    const request: FeatureLookupRequest = { blueprint, entities: [entity] };
    const reply = await nats.request(subject, encoder.encode(JSON.stringify(request)), { timeout: Math.floor(timeoutMs) });
    const parsed = JSON.parse(decoder.decode(reply.data)) as FeatureLookupReply;
    const values = parsed.values?.[0];
    if (values) return { ok: true, values };
    return { ok: false, reason: 'features_unavailable', message: parsed.error?.message ?? 'the lookup reply holds no values' };
  } catch (error) {
    const timedOut = (error as { code?: string }).code === 'TIMEOUT';
    return { ok: false, reason: timedOut ? 'deadline' : 'features_unavailable', message: error instanceof Error ? error.message : String(error) };
  }
}

/** Partition counts of topics, from the broker's metadata; a topic that does not exist is absent. */
export type PartitionCounts = (topics: readonly string[]) => Promise<Map<string, number>>;

const RETRY_MS = 5000;

/**
 * How many partitions each blueprint's event topics have, which is what routes a lookup: learned
 * once per blueprint version and then answered without I/O. A blueprint's event topics must agree
 * (partition p of each is held by one features instance); when they do not, the first topic's count
 * routes and the disagreement is reported once.
 */
export class LookupRouter {
  /** By blueprint object: a new version is a new object, and the hot path builds no key. */
  private readonly known = new WeakMap<Blueprint, number>();
  private readonly pending = new Map<string, Promise<number | string>>();
  private readonly failedAt = new Map<string, { at: number; reason: string }>();

  constructor(
    private readonly counts: PartitionCounts,
    private readonly log: (line: string) => void,
  ) {}

  /** The lookup subject of `entity` under `bp`, or why it cannot be routed yet. */
  subjectOf(bp: Blueprint, entity: string): string | Promise<string | { error: string }> {
    const partitions = this.known.get(bp);
    if (partitions !== undefined) return lookupSubject(entity, partitions);
    return this.learn(bp).then((found) => (typeof found === 'number' ? lookupSubject(entity, found) : { error: found }));
  }

  private learn(bp: Blueprint): Promise<number | string> {
    const key = routeKey(bp);
    const failed = this.failedAt.get(key);
    if (failed && Date.now() - failed.at < RETRY_MS) return Promise.resolve(failed.reason);
    let learning = this.pending.get(key);
    if (!learning) {
      const eventTopics = [...new Set(bp.features.streams.map((s) => s.topic))];
      learning = this.counts(eventTopics)
        .then((found) => {
          const missing = eventTopics.filter((t) => !found.has(t));
          if (missing.length > 0) throw new Error(`event topic ${missing.join(', ')} of blueprint ${bp.name} does not exist yet`);
          const distinct = [...new Set(eventTopics.map((t) => found.get(t)!))];
          if (distinct.length > 1) {
            this.log(`blueprint ${bp.name}: its event topics have different partition counts (${eventTopics.map((t) => `${t} ${found.get(t)}`).join(', ')}); lookups route by ${eventTopics[0]}'s, so with more than one features instance some features read empty — give them one partition count`);
          }
          this.known.set(bp, distinct[0]!);
          return distinct[0]!;
        })
        .catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.failedAt.set(key, { at: Date.now(), reason });
          return reason;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, learning);
    }
    return learning;
  }
}

const routeKey = (bp: Blueprint) => `${bp.name}@${bp.version}`;
