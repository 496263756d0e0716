// Every learner family by name: what the trainer, AutoML and the check suite (contract.test.ts)
// iterate. A new family is its file plus one line here.

import type { Learner, LearnerFamily, LearnerTask } from './contract.js';
import { decodeArtifact } from './artifact.js';
import { ArtifactError, HyperParameterError } from './errors.js';
import type { FeatureSchema } from './feature-schema.js';
import { gbdtFamily } from './gbdt.js';
import { linearFamily } from './linear.js';
import { logisticFamily } from './logistic.js';
import { mlpFamily } from './mlp.js';

export const LEARNER_FAMILIES: readonly LearnerFamily[] = [logisticFamily, linearFamily, mlpFamily, gbdtFamily];

export function learnerFamily(name: string): LearnerFamily {
  const family = LEARNER_FAMILIES.find((f) => f.name === name);
  if (family === undefined)
    throw new HyperParameterError(name, [
      `unknown model family "${name}": known are ${LEARNER_FAMILIES.map((f) => f.name).join(', ')}`,
    ]);
  return family;
}

/** A new learner of `family` for `task`, its hyper-parameters checked. */
export function createLearner(
  family: string,
  schema: FeatureSchema,
  task: LearnerTask,
  options?: Readonly<Record<string, unknown>>,
): Learner {
  return learnerFamily(family).create(schema, task, options);
}

/** A learner that goes on from an artifact, whatever its family. */
export function restoreLearner(artifact: Uint8Array): Learner {
  const { header } = decodeArtifact(artifact);
  const family = LEARNER_FAMILIES.find((f) => f.name === header.family);
  if (family === undefined)
    throw new ArtifactError(`family "${header.family}" is unknown to this version: upgrade the trainer`);
  return family.restore(artifact);
}
