// Linear regression: one dense layer with an identity output, trained on squared error against
// standardised labels (so the default learning rate suits labels of any scale).

import type { LearnerFamily } from './contract.js';
import { DenseLearner } from './dense-learner.js';
import { compileDenseOptions, type DenseOptions } from './dense-options.js';
import { HyperParameterError } from './errors.js';
import type { FeatureSchema } from './feature-schema.js';

export type LinearOptions = Omit<DenseOptions, 'hiddenSizes'>;

export class LinearRegression extends DenseLearner {
  constructor(schema: FeatureSchema, options: LinearOptions = {}) {
    super({
      family: 'linear',
      task: 'estimation',
      schema,
      hyperParameters: compileDenseOptions('linear', { ...options }, false),
    });
  }
}

export const linearFamily: LearnerFamily = {
  name: 'linear',
  tasks: ['estimation'],
  create(schema, task, options = {}) {
    if (task !== 'estimation')
      throw new HyperParameterError('linear', [`linear learns estimation, not ${task}: use logistic or mlp`]);
    return new LinearRegression(schema, options as LinearOptions);
  },
  restore: (artifact) => DenseLearner.restore(artifact, 'linear'),
};
