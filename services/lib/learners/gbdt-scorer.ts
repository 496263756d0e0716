// Serving of gradient-boosted trees in plain JS: the input vector is written into one buffer
// allocated at load, and each tree is walked iteratively over the flat node arrays, comparing raw
// input values with the stored thresholds (no binning, no allocation per call).

import type { FeatureValues } from '../feature-values.js';
import type { LearnerTask, Scorer } from './contract.js';
import type { GbdtModel, TreeEnsemble } from './gbdt-format.js';
import { EncodingPlan, Vectorizer } from './preprocess.js';

/**
 * The vectorizer trees read: the plan's encoding (log scale, sine and cosine, one-hot, hashing,
 * missing indicators) without standardisation. Trees only compare values, so scaling would change
 * nothing, and raw values keep buffered training rows valid however much data arrives later.
 */
export function rawVectorizer(plan: EncodingPlan): Vectorizer {
  return new Vectorizer(plan, new Float64Array(plan.momentCount), new Float64Array(plan.momentCount).fill(1));
}

/** baseScore + Σ leaf values for the input vector `x`. */
export function ensembleMargin(e: TreeEnsemble, x: Float32Array): number {
  const { roots, feature, threshold, left, right, value } = e;
  let margin = e.baseScore;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t] as number;
    let f = feature[node] as number;
    while (f >= 0) {
      node = (x[f] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
      f = feature[node] as number;
    }
    margin += value[node] as number;
  }
  return margin;
}

export class GbdtScorer implements Scorer {
  readonly family: string;
  readonly task: LearnerTask;
  private readonly vectorizer: Vectorizer;
  private readonly input: Float32Array;
  private readonly ensemble: TreeEnsemble;

  constructor(model: GbdtModel) {
    this.family = model.family;
    this.task = model.task;
    const plan = new EncodingPlan(model.schema, model.hashBuckets);
    this.vectorizer = rawVectorizer(plan);
    this.input = new Float32Array(plan.width);
    this.ensemble = model.ensemble;
  }

  score(x: FeatureValues): number {
    this.vectorizer.vectorize(x, this.input);
    const margin = ensembleMargin(this.ensemble, this.input);
    return this.task === 'classification' ? 1 / (1 + Math.exp(-margin)) : margin;
  }
}
