// Answers batched feature lookups over NATS: every stream feature of a blueprint for each entity,
// as of now (windows that emptied without new events read as empty). An instance answers the
// lookup subjects of the partitions it holds, so a lookup reaches the state it asks for.
import type { Msg, Subscription } from 'nats';
import type { ServiceContext } from '../lib/runtime.js';
import type { FeatureValues } from '../lib/feature-values.js';
import type { FeatureLookupReply, FeatureLookupRequest } from '../lib/features-client.js';
import { createFeatureState, featureValue, type FeatureStreamPlan } from '../lib/features/index.js';
import { queueGroups, subjects } from '../lib/names.js';
import { errorMessage } from '../lib/errors.js';
import { stateKey, type FeatureStateCache } from './state-cache.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_ENTITIES = 1000;

export interface LookupServer {
  lookups(): number;
  /** Answers exactly these partitions' lookup subjects from now on. */
  serve(partitions: readonly number[]): void;
  served(): number[];
}

export function serveLookups(
  ctx: ServiceContext,
  plan: () => FeatureStreamPlan,
  cache: FeatureStateCache,
): LookupServer {
  let lookups = 0;
  const reply = (msg: Msg, body: FeatureLookupReply): void => void msg.respond(encoder.encode(JSON.stringify(body)));

  async function answer(msg: Msg): Promise<void> {
    lookups++;
    let request: FeatureLookupRequest;
    try {
      request = JSON.parse(decoder.decode(msg.data)) as FeatureLookupRequest;
    } catch (error) {
      return reply(msg, { error: { code: 'bad_request', message: `the lookup is not JSON: ${errorMessage(error)}` } });
    }
    const current = plan();
    const refs = current.blueprints.get(request.blueprint);
    if (!refs)
      return reply(msg, {
        error: { code: 'unknown_blueprint', message: `the features service knows no blueprint "${request.blueprint}"` },
      });
    if (!Array.isArray(request.entities) || request.entities.length > MAX_ENTITIES) {
      return reply(msg, {
        error: { code: 'bad_request', message: `entities must be an array of at most ${MAX_ENTITIES} ids` },
      });
    }
    const keys = request.entities.flatMap((entity) => refs.map((ref) => stateKey(ref.specId, String(entity))));
    const states = await cache.getMany(keys);
    const now = Date.now();
    const values: FeatureValues[] = request.entities.map((_, e) => {
      const row: FeatureValues = {};
      refs.forEach((ref, f) => {
        const spec = current.specs.get(ref.specId)!;
        row[ref.feature] = featureValue(states[e * refs.length + f] ?? createFeatureState(spec), spec, now);
      });
      return row;
    });
    reply(msg, { values });
  }

  const subscriptions = new Map<number, Subscription>();
  const subscribe = (subject: string): Subscription =>
    ctx.nats.subscribe(subject, {
      queue: queueGroups.features,
      callback: (err, msg) => {
        if (err) return ctx.log(`lookup subscription: ${err.message}`);
        answer(msg).catch((error) => reply(msg, { error: { code: 'internal', message: errorMessage(error) } }));
      },
    });
  // Always answered: a blueprint whose event topics do not exist yet has empty state on every instance.
  subscribe(subjects.featureLookupAny);
  return {
    lookups: () => lookups,
    serve(partitions) {
      const wanted = new Set(partitions);
      for (const [partition, subscription] of subscriptions) {
        if (!wanted.has(partition)) {
          subscription.unsubscribe();
          subscriptions.delete(partition);
        }
      }
      for (const partition of wanted)
        if (!subscriptions.has(partition)) subscriptions.set(partition, subscribe(subjects.featureLookup(partition)));
    },
    served: () => [...subscriptions.keys()].sort((a, b) => a - b),
  };
}
