// The check every learner runs on a training batch before any update (Learner.learnMany): the whole
// batch is refused with a TrainingInputError naming the first unusable example.

import type { FeatureValues } from '../feature-values.js';
import type { LearnerTask } from './contract.js';
import { TrainingInputError } from './errors.js';

export function checkTrainingBatch(
  family: string,
  task: LearnerTask,
  xs: readonly FeatureValues[],
  ys: readonly number[],
  weights?: readonly number[],
): void {
  if (xs.length !== ys.length)
    throw new TrainingInputError(family, `${xs.length} examples but ${ys.length} labels`, null);
  if (weights !== undefined && weights.length !== xs.length)
    throw new TrainingInputError(family, `${xs.length} examples but ${weights.length} weights`, null);
  for (let i = 0; i < xs.length; i++) {
    const x: unknown = xs[i];
    if (typeof x !== 'object' || x === null || Array.isArray(x))
      throw new TrainingInputError(family, `example ${i} is not an object of feature values`, i);
    const y = ys[i];
    if (typeof y !== 'number' || !Number.isFinite(y))
      throw new TrainingInputError(family, `label ${i} is ${String(y)}, not a finite number`, i);
    if (task === 'classification' && (y < 0 || y > 1))
      throw new TrainingInputError(family, `label ${i} is ${y}: classification labels are 0..1`, i);
    const w = weights?.[i] ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw new TrainingInputError(family, `weight ${i} is ${String(w)}: weights are finite and ≥ 0`, i);
  }
}
