// What each feature costs at decision time, and which ones pay for themselves. Context features
// come with the request and cost nothing; each stream feature is one state read in the features
// service per decision (a RocksDB get plus the window's aggregation), which at Meta's scale is
// the dominant serving cost. The search drops stream features whose removal costs less quality
// than the tolerance, most expensive first, and reports what that saves.

import type { BlueprintFeatures } from '../schemas/generated.js';
import type { FeatureSchema } from '../learners/feature-schema.js';
import type { SearchMetric } from './objective.js';

export interface FeatureCost {
  readonly name: string;
  /** State reads per decision: 0 for a context feature, 1 for a stream feature. */
  readonly reads: number;
}

export function featureCosts(features: BlueprintFeatures): FeatureCost[] {
  return [
    ...features.context.map((f) => ({ name: f.name, reads: 0 })),
    ...features.streams.map((f) => ({ name: f.name, reads: 1 })),
  ];
}

/**
 * Largest quality loss (on the oriented objective) that dropping a feature may cost: 0.002 of AUC,
 * or 0.5 % of a loss — below what a shadow comparison on a few thousand examples can tell apart.
 */
export function dropTolerance(metric: SearchMetric, objective: number): number {
  return metric === 'auc' ? 0.002 : 0.005 * Math.abs(objective);
}

/** The schema without the named features. */
export function withoutFeatures(schema: FeatureSchema, dropped: ReadonlySet<string>): FeatureSchema {
  return { features: schema.features.filter((f) => !dropped.has(f.name)) };
}

export interface FeatureDropStep {
  readonly feature: string;
  readonly reads: number;
  /** The objective without it (and without the features dropped before it). */
  readonly objective: number;
  readonly dropped: boolean;
}

/**
 * Backward elimination over the costly features, most expensive first (ties in declaration
 * order): each is left out in turn and kept out when the objective stays within `tolerance` of
 * the full model's. `evaluate` trains the chosen configuration on a schema and returns its
 * objective (larger better). Never drops every input.
 */
export async function eliminateFeatures(
  schema: FeatureSchema,
  costs: readonly FeatureCost[],
  baseline: number,
  tolerance: number,
  evaluate: (schema: FeatureSchema) => Promise<number>,
): Promise<FeatureDropStep[]> {
  const inSchema = new Set(schema.features.map((f) => f.name));
  const costly = costs.filter((c) => c.reads > 0 && inSchema.has(c.name)).sort((a, b) => b.reads - a.reads);
  const dropped = new Set<string>();
  const steps: FeatureDropStep[] = [];
  for (const cost of costly) {
    if (dropped.size + 1 >= schema.features.length) break;
    const trial = new Set([...dropped, cost.name]);
    const objective = await evaluate(withoutFeatures(schema, trial));
    const keep = !(Number.isFinite(objective) && objective >= baseline - tolerance);
    if (!keep) dropped.add(cost.name);
    steps.push({ feature: cost.name, reads: cost.reads, objective, dropped: !keep });
  }
  return steps;
}
