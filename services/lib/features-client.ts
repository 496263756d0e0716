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

export type LookupResult = { ok: true; values: FeatureValues } | { ok: false; reason: 'deadline' | 'features_unavailable'; message: string };

/** Stream feature values of one entity; a failure says whether the deadline passed or the service could not answer. */
export async function lookupFeatures(nats: NatsConnection, blueprint: string, entity: string, timeoutMs: number): Promise<LookupResult> {
  if (timeoutMs < 1) return { ok: false, reason: 'deadline', message: 'no time left for the lookup' };
  try {
    const request: FeatureLookupRequest = { blueprint, entities: [entity] };
    const reply = await nats.request(subjects.featureLookup, encoder.encode(JSON.stringify(request)), { timeout: Math.floor(timeoutMs) });
    const parsed = JSON.parse(decoder.decode(reply.data)) as FeatureLookupReply;
    const values = parsed.values?.[0];
    if (values) return { ok: true, values };
    return { ok: false, reason: 'features_unavailable', message: parsed.error?.message ?? 'the lookup reply holds no values' };
  } catch (error) {
    const timedOut = (error as { code?: string }).code === 'TIMEOUT';
    return { ok: false, reason: timedOut ? 'deadline' : 'features_unavailable', message: error instanceof Error ? error.message : String(error) };
  }
}
