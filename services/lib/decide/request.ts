// Parsing and validating a decide request against its blueprint (pure). Every refusal names the
// field and why, and becomes an error reply — never a silent timeout.
import type { TextDecoder } from 'node:util';
import type { Blueprint, BlueprintContextFeature } from '../schemas/generated.js';
import type { FeatureValues } from '../feature-values.js';
import { showValue as show } from '../show-value.js';

export interface DecideRequest {
  entity: string;
  /** The declared context features, validated; missing ones are null. */
  context: FeatureValues;
  /** The declared context features the request left out or sent as null, in declaration order (NONE_MISSING when none). */
  missing: readonly string[];
  /** The caller's deadline, never longer than the blueprint's. */
  deadlineMs: number;
  /** The caller's own decision (apprentice mode), one of the blueprint's actions; null when not given. */
  currentAction: string | null;
  /** Ranking: the candidates to order, in request order, their declared features validated; null for other tasks. */
  candidates: RankingCandidate[] | null;
}

export interface RankingCandidate {
  id: string;
  features: FeatureValues;
}

export type DecideErrorCode =
  | 'bad_request'
  | 'missing_entity'
  | 'bad_context'
  | 'bad_candidates'
  | 'unknown_blueprint'
  | 'experiment_arm_missing'
  | 'overloaded'
  | 'internal';

export interface DecideError {
  code: DecideErrorCode;
  message: string;
}

export type ParsedRequest = { ok: true; request: DecideRequest } | { ok: false; error: DecideError };

/**
 * The longest entity id, in characters (UTF-16 code units, so at most 768 bytes of UTF-8): the
 * features service keeps no longer one either (features/event.ts), and the id is carried by every
 * lookup, decision and example.
 */
export const MAX_ENTITY_LENGTH = 256;
/** The longest category value: one longer is no category, and it would be logged with every decision. */
export const MAX_CATEGORY_LENGTH = 1024;
/** A decide request's largest body: parsing it is synchronous work on the hot path. */
export const MAX_REQUEST_BYTES = 512 * 1024;
/** Candidates one ranking request may carry: each is scored on the hot path. */
export const MAX_CANDIDATES = 1000;
const MAX_CANDIDATE_ID_LENGTH = 256;

function fail(code: DecideErrorCode, message: string): ParsedRequest {
  return { ok: false, error: { code, message } };
}

export function parseDecideRequest(body: Uint8Array, bp: Blueprint, decoder: TextDecoder): ParsedRequest {
  if (body.length > MAX_REQUEST_BYTES) {
    return fail(
      'bad_request',
      `the request is ${body.length} bytes, over the ${MAX_REQUEST_BYTES}-byte limit: send only the declared context${bp.task === 'ranking' ? ' and fewer candidates' : ''}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(body));
  } catch (error) {
    return fail(
      'bad_request',
      `the request is not JSON (${error instanceof Error ? error.message : String(error)}); send {"entity": "...", "context": {...}}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('bad_request', 'the request must be a JSON object like {"entity": "...", "context": {...}}');
  const { entity, context, deadlineMs, currentAction } = raw as Record<string, unknown>;
  if (entity === undefined || entity === null || entity === '')
    return fail('missing_entity', `entity is missing: every decide names the ${bp.entity} it is about`);
  if (typeof entity !== 'string')
    return fail('missing_entity', `entity must be a string (the ${bp.entity} id), not ${typeof entity}`);
  if (entity.length > MAX_ENTITY_LENGTH)
    return fail(
      'bad_request',
      `entity is ${entity.length} characters, over the ${MAX_ENTITY_LENGTH}-character limit of an entity id: send the ${bp.entity}'s id, not its data`,
    );
  if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context)))
    return fail('bad_context', 'context must be an object of feature values');

  let deadline = bp.decision.deadlineMs;
  if (deadlineMs !== undefined) {
    if (typeof deadlineMs !== 'number' || !Number.isFinite(deadlineMs) || deadlineMs <= 0)
      return fail('bad_request', `deadlineMs must be a positive number of milliseconds, not ${show(deadlineMs)}`);
    deadline = Math.min(deadline, deadlineMs);
  }
  if (
    currentAction !== undefined &&
    currentAction !== null &&
    (typeof currentAction !== 'string' || !bp.decision.actions.includes(currentAction))
  ) {
    return fail(
      'bad_request',
      `currentAction ${show(currentAction)} is not one of ${bp.name}'s actions: ${bp.decision.actions.join(', ')}`,
    );
  }

  const values = readDeclared(bp.features.context, (context ?? {}) as Record<string, unknown>, 'context');
  if (typeof values === 'string') return fail('bad_context', values);
  let ranked: RankingCandidate[] | null = null;
  if (bp.task === 'ranking') {
    const read = readCandidates((raw as Record<string, unknown>)['candidates'], bp);
    if (typeof read === 'string') return fail('bad_candidates', read);
    ranked = read;
  }
  return {
    ok: true,
    request: {
      entity,
      context: values,
      missing: missingNames(bp.features.context, values),
      deadlineMs: deadline,
      currentAction: typeof currentAction === 'string' ? currentAction : null,
      candidates: ranked,
    },
  };
}

/** A complete request's missing features: shared, so the decide path allocates no list for it. */
const NONE_MISSING: readonly string[] = Object.freeze([]);

/** The declared features left out (null in `values`), in declaration order; a list only when there are some. */
function missingNames(declared: readonly BlueprintContextFeature[], values: FeatureValues): readonly string[] {
  let missing: string[] | null = null;
  for (const feature of declared) if (values[feature.name] === null) (missing ??= []).push(feature.name);
  return missing ?? NONE_MISSING;
}

/**
 * Why a cyclic value is refused, or null when it lies on its circle: [0, period). Wrapping 24 to 0
 * would hide a caller's off-by-one (hours 1..24) or wrong unit (a timestamp for an hour) behind
 * plausible decisions, so a value off the circle is an error the caller sees at once.
 */
function offCircle(feature: BlueprintContextFeature, value: number, where: string): string | null {
  const period = feature.period;
  if (period === null || (value >= 0 && value < period)) return null;
  return `${where}: ${show(value)} is outside [0, ${period}): the blueprint declares ${feature.name} cyclic with period ${period}, and models read it on a circle where ${period} is 0 again; send a value from 0 up to, not including, ${period}`;
}

/** The declared features' values from `given` (missing ones null), or what is wrong with one of them. */
function readDeclared(
  declared: readonly BlueprintContextFeature[],
  given: Record<string, unknown>,
  at: string,
): FeatureValues | string {
  const values: FeatureValues = {};
  for (const feature of declared) {
    // Own keys only: a feature named "constructor" left out is missing, not Object.prototype's.
    const value = Object.hasOwn(given, feature.name) ? given[feature.name] : undefined;
    if (value === undefined || value === null) {
      values[feature.name] = null;
      continue;
    }
    const where = `${at}.${feature.name}`;
    switch (feature.type) {
      case 'int': {
        if (typeof value !== 'number' || !Number.isInteger(value) || !Number.isSafeInteger(value))
          return `${where}: ${show(value)} is not an int`;
        const off = offCircle(feature, value, where);
        if (off !== null) return off;
        values[feature.name] = value;
        break;
      }
      case 'float': {
        if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 1e300)
          return `${where}: ${show(value)} is not a finite number`;
        const off = offCircle(feature, value, where);
        if (off !== null) return off;
        values[feature.name] = value;
        break;
      }
      case 'bool':
        if (typeof value !== 'boolean') return `${where}: ${show(value)} is not true or false`;
        values[feature.name] = value ? 1 : 0;
        break;
      case 'category':
        if (typeof value !== 'string')
          return `${where}: ${show(value)} is not a string (one of ${feature.values.join(', ')})`;
        if (value.length > MAX_CATEGORY_LENGTH)
          return `${where} is ${value.length} characters, over the ${MAX_CATEGORY_LENGTH}-character limit of a category value (one of ${feature.values.join(', ')})`;
        values[feature.name] = value;
        break;
    }
  }
  return values;
}

const CANDIDATES_SHAPE = 'send "candidates": [{"id": "...", "features": {...}}, ...]';

function readCandidates(raw: unknown, bp: Blueprint): RankingCandidate[] | string {
  if (!Array.isArray(raw))
    return `candidates is ${raw === undefined ? 'missing' : 'not a list'}: ${bp.name} ranks the candidates of each request; ${CANDIDATES_SHAPE}`;
  if (raw.length === 0) return `candidates is empty: ${CANDIDATES_SHAPE}`;
  if (raw.length > MAX_CANDIDATES)
    return `candidates has ${raw.length} entries, over the ${MAX_CANDIDATES} limit: send fewer, pre-filtered candidates`;
  const seen = new Set<string>();
  const candidates: RankingCandidate[] = [];
  for (let i = 0; i < raw.length; i++) {
    const item: unknown = raw[i];
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return `candidates[${i}] is not an object: ${CANDIDATES_SHAPE}`;
    const { id, features } = item as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') return `candidates[${i}].id must be a non-empty string, not ${show(id)}`;
    if (id.length > MAX_CANDIDATE_ID_LENGTH)
      return `candidates[${i}].id is ${id.length} characters, over the ${MAX_CANDIDATE_ID_LENGTH} limit`;
    if (seen.has(id)) return `candidates[${i}].id "${id}" is given twice: each candidate once`;
    seen.add(id);
    if (features !== undefined && (typeof features !== 'object' || features === null || Array.isArray(features)))
      return `candidates[${i}].features must be an object of feature values`;
    const values = readDeclared(
      bp.features.candidates,
      (features ?? {}) as Record<string, unknown>,
      `candidates[${i}].features`,
    );
    if (typeof values === 'string') return values;
    candidates.push({ id, features: values });
  }
  return candidates;
}
