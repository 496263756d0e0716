// Where a feature lookup goes: the features instance that holds the entity's partition answers
// every stream feature of the blueprint for the entity as of now (feature-lookup-client.ts sends it).
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

export type LookupResult =
  { ok: true; values: FeatureValues } | { ok: false; reason: 'deadline' | 'features_unavailable'; message: string };

/**
 * One entity's features in one request, for tools and tests (the predictor batches its lookups
 * through FeatureLookupClient). Rejects when no features instance answers in time.
 */
export async function requestFeatures(
  nats: NatsConnection,
  blueprint: string,
  entity: string,
  partitions: number,
  timeoutMs = 2000,
): Promise<FeatureLookupReply> {
  const request: FeatureLookupRequest = { blueprint, entities: [entity] };
  const reply = await nats.request(
    lookupSubject(entity, partitions),
    new TextEncoder().encode(JSON.stringify(request)),
    { timeout: timeoutMs },
  );
  return JSON.parse(new TextDecoder().decode(reply.data)) as FeatureLookupReply;
}

/** Lookup subjects by partition, built once: the decide path asks for one per request. */
const subjectsByPartition: string[] = [];

/** The subject of an entity's lookups when the blueprint's event topics have `partitions` partitions. */
export function lookupSubject(entity: string, partitions: number): string {
  const partition = partitionOfKey(entity, partitions);
  return (subjectsByPartition[partition] ??= subjects.featureLookup(partition));
}

/** Partition counts of topics, from the broker's metadata; a topic that does not exist is absent. */
export type PartitionCounts = (topics: readonly string[]) => Promise<Map<string, number>>;

/** How often a route that is not final (a topic missing, the broker unreachable) is asked again. */
const RETRY_MS = 5000;

/** Partitions to route by, or any instance: none of the blueprint's event topics exists yet. */
type Route = number | 'any';

const subjectFor = (route: Route, entity: string): string =>
  route === 'any' ? subjects.featureLookupAny : lookupSubject(entity, route);

/**
 * How many partitions each blueprint's event topics have, which is what routes a lookup: learned
 * once per blueprint version and then answered without I/O. A blueprint's event topics must agree
 * (partition p of each is held by one features instance); when they do not, the first topic's count
 * routes and the disagreement is reported once. Until every topic exists the route is provisional
 * and asked again every few seconds: a missing topic holds no events, so with none existing any
 * features instance answers (with empty windows).
 */
export class LookupRouter {
  /** Final routes, by blueprint object: a new version is a new object, and the hot path builds no key. */
  private readonly known = new WeakMap<Blueprint, number>();
  private readonly provisional = new Map<string, { route: Route; until: number }>();
  private readonly failed = new Map<string, { reason: string; until: number }>();
  private readonly pending = new Map<string, Promise<{ route: Route } | { error: string }>>();

  constructor(
    private readonly counts: PartitionCounts,
    private readonly log: (line: string) => void,
  ) {}

  /** The lookup subject of `entity` under `bp`, or why it cannot be routed yet. */
  subjectOf(bp: Blueprint, entity: string): string | Promise<string | { error: string }> {
    const partitions = this.known.get(bp);
    if (partitions !== undefined) return lookupSubject(entity, partitions);
    const now = Date.now();
    const provisional = this.provisional.get(routeKey(bp));
    if (provisional && now < provisional.until) return subjectFor(provisional.route, entity);
    const failed = this.failed.get(routeKey(bp));
    if (failed && now < failed.until) return Promise.resolve({ error: failed.reason });
    return this.learn(bp).then((found) => ('error' in found ? found : subjectFor(found.route, entity)));
  }

  private learn(bp: Blueprint): Promise<{ route: Route } | { error: string }> {
    const key = routeKey(bp);
    let learning = this.pending.get(key);
    if (!learning) {
      const eventTopics = [...new Set(bp.features.streams.map((s) => s.topic))];
      learning = this.counts(eventTopics)
        .then((found): { route: Route } => {
          const existing = eventTopics.filter((t) => found.has(t));
          const distinct = [...new Set(existing.map((t) => found.get(t)!))];
          if (distinct.length > 1) {
            this.log(
              `blueprint ${bp.name}: its event topics have different partition counts (${existing.map((t) => `${t} ${found.get(t)}`).join(', ')}); lookups route by ${existing[0]}'s, so with more than one features instance some features read empty — give them one partition count`,
            );
          }
          const route: Route = distinct[0] ?? 'any';
          if (existing.length === eventTopics.length && typeof route === 'number') this.known.set(bp, route);
          else this.provisional.set(key, { route, until: Date.now() + RETRY_MS });
          return { route };
        })
        .catch((error: unknown) => {
          const reason = `the partitions of ${bp.name}'s event topics are unknown: ${error instanceof Error ? error.message : String(error)}`;
          this.failed.set(key, { reason, until: Date.now() + RETRY_MS });
          return { error: reason };
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, learning);
    }
    return learning;
  }
}

const routeKey = (bp: Blueprint) => `${bp.name}@${bp.version}`;
