// Multi-class classification and next-item (sequence) prediction: pure model code, no Kafka, NATS or
// fs (CONTRIBUTING.md habit 1). The trainer learns online through MulticlassLearner; the predictor loads an
// artifact with loadMulticlassScorer and scores each request through MulticlassScorer.
//
// Models
// - softmax (softmax-regression.ts): online multinomial logistic regression over sparse hashed
//   inputs (sequence-input.ts: the last items of a `last_n` feature by position, the pair of the two
//   newest, a bag of recent items, extra features hashed with their name, a bias), AdaGrad per weight
//   and a lazy L2. Tasks: sequence and classification. Artifact looper-softmax/1: LPRM container,
//   JSON header (task, input spec, vocabulary, hyper-parameters) and the f32 weight matrix,
//   input-major; checkpoint() adds AdaGrad's accumulators so a restored learner goes on exactly.
// - ngram (markov.ts): next-item counts after the newest item and the two newest, add-k smoothing
//   that backs off to the shorter context and to unigram frequencies, pair contexts capped with
//   least-used eviction. Task: sequence. Artifact looper-ngram/1: everything in the JSON header.
// Both predict over the rows of a ClassVocabulary (vocabulary.ts): row 0 is "__other__", then a
// declared list or up to `capacity` classes learned by frequency (space-saving). Rows are allocated
// once; a class admitted later takes a row whose parameters are reset.
//
// Scoring, allocation-free: allocate once per scorer
//   const proba = new Float64Array(scorer.rows); const rows = new Int32Array(k); const p = new Float64Array(k);
// then per request
//   const n = scorer.topK(features, k, rows, p);   // rows[0..n) best first, p their probabilities
//   scorer.classNameAt(rows[0])                    // the class name (a stored string, not a copy)
// or scorer.predictProba(features, proba) for the whole distribution. No TensorFlow.js, no per-call
// allocation (except String() of a numeric item an ngram model looks up). A learner serves through
// the same code as its artifact's scorer, so what the trainer evaluates is what the predictor serves.
// Quality online: WindowedClassMetrics (class-metrics.ts): top-1/top-k accuracy, MRR, log-loss over
// the last W examples.
//
// Hand-written, and why: no maintained JS library offers a sparse, online multinomial learner or an
// n-gram model with bounded memory, and TensorFlow.js's per-call overhead is far above the few
// hundred multiply-adds a sparse example needs. Hashing is FNV-1a (learners/hash.ts) over
// documented texts, so a scorer in another language can reproduce every input slot.

export type {
  ClassLabel,
  MulticlassHyperParameter,
  MulticlassLearner,
  MulticlassScorer,
  MulticlassTask,
} from './contract.js';
export {
  ClassVocabulary,
  DEFAULT_VOCABULARY_CAPACITY,
  OTHER_CLASS,
  OTHER_ROW,
  type RowListener,
  type VocabularyEntry,
  type VocabularyJson,
} from './vocabulary.js';
export type { ClassOptions } from './class-options.js';
export {
  compileSequenceInput,
  SEQUENCE_INPUT_DEFAULTS,
  SequenceEncoder,
  SparseInput,
  type SequenceInputOptions,
  type SequenceInputSpec,
} from './sequence-input.js';
export { SoftmaxRegression } from './softmax-regression.js';
export {
  compileSoftmaxOptions,
  MAX_SOFTMAX_WEIGHTS,
  type SoftmaxHyperParameters,
  type SoftmaxOptions,
} from './softmax-options.js';
export { loadSoftmaxScorer, SoftmaxScorer } from './softmax-scorer.js';
export { SOFTMAX_FORMAT } from './softmax-format.js';
export { loadNGramScorer, NGRAM_FORMAT, NGramModel } from './markov.js';
export { compileNGramOptions, type NGramHyperParameters, type NGramOptions } from './ngram-options.js';
export { loadMulticlassScorer, MULTICLASS_FORMATS, restoreMulticlassLearner } from './scorers.js';
export { WindowedClassMetrics, type ClassMetricsOptions, type ClassMetricsSummary } from './class-metrics.js';
export { ArtifactError, MulticlassInputError, MulticlassOptionsError, ScoringArgumentError } from './errors.js';
export { classOfExample, multiclassLearnersFor, multiclassTaskOf } from './blueprint.js';
