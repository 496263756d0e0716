// The ordered list of input features a model reads, derived from a blueprint's declarations. The
// order is the order of the model's input vector (ModelVersion.featureNames); the order of keys in
// a request never matters, because values are looked up by name.

import type { BlueprintContextFeature, BlueprintFeatures, BlueprintStreamFeature } from '../schemas/generated.js';
import { POSITION_FEATURE } from '../ranking/order.js';
import { rankingCrosses } from '../ranking/crosses.js';
import { FeatureSchemaError } from './errors.js';

/**
 * One input feature and how its values are read:
 * - `numeric`: a number (int, float, bool as 0/1, or a numeric stream aggregate);
 * - `category`: a string; with declared `values` it is one-hot encoded (plus an unknown slot),
 *   with no declared values it is hashed into buckets;
 * - `mixed`: a `last` aggregate whose type is only known when data arrives: it gets a numeric slot
 *   (used when the value is a number) and hashed string slots (used when it is a string).
 */
export type InputFeature =
  /** `log`: read as sign(x)·log(1 + |x|) before standardising (heavy-tailed counts and sums). */
  | { readonly name: string; readonly kind: 'numeric'; readonly log?: boolean }
  /** A number on a circle of `period` (hour of day: 24): read as its sine and cosine. */
  | { readonly name: string; readonly kind: 'cyclic'; readonly period: number }
  | { readonly name: string; readonly kind: 'category'; readonly values: readonly string[] }
  | { readonly name: string; readonly kind: 'mixed' };

export type InputFeatureKind = InputFeature['kind'];

export interface FeatureSchema {
  /** In input-vector order: context features as declared, then stream features as declared. */
  readonly features: readonly InputFeature[];
}

/** The aggregates whose value is always a number. */
const NUMERIC_AGGREGATES = new Set<BlueprintStreamFeature['aggregate']>([
  'count',
  'sum',
  'mean',
  'min',
  'max',
  'distinct',
  'ewma',
]);
/** Aggregates that grow with activity: heavy-tailed, so a linear model reads them on a log scale. */
const LOG_SCALED_AGGREGATES = new Set<BlueprintStreamFeature['aggregate']>(['count', 'sum', 'distinct']);

/**
 * The input features of a blueprint: context, stream and (ranking) candidate features, the position
 * and the entity × candidate crosses. `last_n` sequences are left out: the sequence models
 * (services/lib/multiclass) read them through their own hashed input.
 */
export function featureSchemaFromBlueprint(bp: { readonly features: BlueprintFeatures }): FeatureSchema {
  const features: InputFeature[] = [];
  const declared = (f: BlueprintContextFeature): InputFeature =>
    f.type === 'category'
      ? { name: f.name, kind: 'category', values: [...f.values] }
      : f.period !== null && f.period !== undefined
        ? { name: f.name, kind: 'cyclic', period: f.period }
        : { name: f.name, kind: 'numeric' };
  for (const f of bp.features.context) features.push(declared(f));
  for (const f of bp.features.streams) {
    if (LOG_SCALED_AGGREGATES.has(f.aggregate)) features.push({ name: f.name, kind: 'numeric', log: true });
    else if (NUMERIC_AGGREGATES.has(f.aggregate)) features.push({ name: f.name, kind: 'numeric' });
    else if (f.aggregate === 'last') features.push({ name: f.name, kind: 'mixed' });
    // last_n: a sequence, not a model input of these families.
  }
  // Ranking: each candidate's own features, and the position it was shown at — learned from in
  // training (examination falls with position), fixed to the top when serving (services/lib/ranking).
  const candidates = bp.features.candidates ?? [];
  for (const f of candidates) features.push(declared(f));
  if (candidates.length > 0) features.push({ name: POSITION_FEATURE, kind: 'numeric', log: true });
  for (const cross of rankingCrosses(bp)) features.push({ name: cross.name, kind: 'category', values: [] });
  return featureSchema(features);
}

/** A checked schema: names unique and non-empty, category values unique. */
export function featureSchema(features: readonly InputFeature[]): FeatureSchema {
  const seen = new Set<string>();
  for (const f of features) {
    if (f.name === '') throw new FeatureSchemaError('a feature has an empty name');
    if (seen.has(f.name))
      throw new FeatureSchemaError(
        `feature "${f.name}" is declared twice: feature names must be unique across context and streams`,
      );
    seen.add(f.name);
    if (f.kind === 'cyclic' && !(Number.isFinite(f.period) && f.period > 0))
      throw new FeatureSchemaError(`cyclic feature "${f.name}" needs a period > 0`);
    if (f.kind === 'category' && new Set(f.values).size !== f.values.length) {
      throw new FeatureSchemaError(`category feature "${f.name}" lists a value twice: values must be unique`);
    }
  }
  return { features: features.map(cloneFeature) };
}

function cloneFeature(f: InputFeature): InputFeature {
  if (f.kind === 'category') return { name: f.name, kind: 'category', values: [...f.values] };
  if (f.kind === 'numeric' && f.log === true) return { name: f.name, kind: 'numeric', log: true };
  if (f.kind === 'cyclic') return { name: f.name, kind: 'cyclic', period: f.period };
  return { name: f.name, kind: f.kind };
}
