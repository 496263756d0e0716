// The learners package: pure model code behind one contract (contract.ts). The predictor imports
// serving.js alone, which loads no TensorFlow.js; the trainer and AutoML use the rest.

export type { HyperParameterValue, Learner, LearnerFamily, LearnerTask, Scorer } from './contract.js';
export { featureSchema, featureSchemaFromBlueprint, type FeatureSchema, type InputFeature } from './feature-schema.js';
export { DEFAULT_HASH_BUCKETS, Preprocessor, Vectorizer } from './preprocess.js';
export { createLearner, learnerFamily, LEARNER_FAMILIES, restoreLearner } from './families.js';
export { LogisticRegression, type LogisticOptions } from './logistic.js';
export { LinearRegression, type LinearOptions } from './linear.js';
export { MultiLayerPerceptron, type MlpOptions } from './mlp.js';
export type { DenseOptions } from './dense-options.js';
export { GradientBoostedTrees } from './gbdt.js';
export type { GbdtOptions } from './gbdt-options.js';
export { loadScorer } from './serving.js';
export { initBackend, BACKEND_ORDER, type BackendName, type InitBackendOptions } from './backend.js';
export { benchScoring, benchTraining, type BenchTrainingOptions, type ScoringFigures } from './bench.js';
export { ArtifactError, BackendError, FeatureSchemaError, HyperParameterError, TrainingInputError } from './errors.js';
