// Logistic regression: one dense layer with a sigmoid output, trained on cross-entropy.

import type { LearnerFamily } from './contract.js';
import { DenseLearner } from './dense-learner.js';
import { compileDenseOptions, type DenseOptions } from './dense-options.js';
import { HyperParameterError } from './errors.js';
import type { FeatureSchema } from './feature-schema.js';

export type LogisticOptions = Omit<DenseOptions, 'hiddenSizes'>;

export class LogisticRegression extends DenseLearner {
  constructor(schema: FeatureSchema, options: LogisticOptions = {}) {
    super({
      family: 'logistic',
      task: 'classification',
      schema,
      hyperParameters: compileDenseOptions('logistic', { ...options }, false),
    });
  }
}

export const logisticFamily: LearnerFamily = {
  name: 'logistic',
  tasks: ['classification'],
  create(schema, task, options = {}) {
    if (task !== 'classification')
      throw new HyperParameterError('logistic', [`logistic learns classification, not ${task}: use linear or mlp`]);
    return new LogisticRegression(schema, options as LogisticOptions);
  },
  restore: (artifact) => DenseLearner.restore(artifact, 'logistic'),
};
