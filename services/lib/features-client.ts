// The predictor's side of feature lookups: one NATS request per decide, answered by the features
// service with every stream feature of the blueprint for the entity, as of now.
import type { NatsConnection } from 'nats';
import type { FeatureValues } from './feature-values.js';
import { subjects } from './names.js';

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

/** Stream feature values of one entity, or null when the lookup failed or timed out. */
export async function lookupFeatures(nats: NatsConnection, blueprint: string, entity: string, timeoutMs: number): Promise<FeatureValues | null> {
  if (timeoutMs <= 0) return null;
  try {
    const request: FeatureLookupRequest = { blueprint, entities: [entity] };
    const reply = await nats.request(subjects.featureLookup, encoder.encode(JSON.stringify(request)), { timeout: Math.max(1, Math.floor(timeoutMs)) });
    const parsed = JSON.parse(decoder.decode(reply.data)) as FeatureLookupReply;
    return parsed.values?.[0] ?? null;
  } catch {
    return null;
  }
}
