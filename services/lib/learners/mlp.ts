// A small multi-layer perceptron: relu hidden layers (hiddenSizes, default [32]), then a sigmoid
// output (classification) or an identity output on standardised labels (estimation).

import type { LearnerFamily, LearnerTask } from './contract.js';
import { DenseLearner } from './dense-learner.js';
import { compileDenseOptions, type DenseOptions } from './dense-options.js';
import type { FeatureSchema } from './feature-schema.js';

export type MlpOptions = DenseOptions;

export class MultiLayerPerceptron extends DenseLearner {
  constructor(schema: FeatureSchema, task: LearnerTask, options: MlpOptions = {}) {
    super({ family: 'mlp', task, schema, hyperParameters: compileDenseOptions('mlp', { ...options }, true) });
  }
}

export const mlpFamily: LearnerFamily = {
  name: 'mlp',
  tasks: ['classification', 'estimation'],
  create: (schema, task, options = {}) => new MultiLayerPerceptron(schema, task, options as MlpOptions),
  restore: (artifact) => DenseLearner.restore(artifact, 'mlp'),
};
