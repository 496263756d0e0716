// The known-answer simulator: a push-notification product whose click probabilities are known.
export {
  createSimulator,
  compileSimulatorOptions,
  simulatorDefaults,
  type Simulator,
  type SimulatorOptions,
} from './simulator.js';
export { simulationModel, localHour, clickLogit, sigmoid, type UserTraits } from './model.js';
export * from './product.js';
export {
  summarizePolicy,
  oracleSummary,
  defaultSummary,
  sendAllSummary,
  sampleDecideRequests,
  weightedAuc,
  auc,
  bayesAuc,
  type PolicySummary,
} from './summary.js';
export { observedStreamFeatures, eventsByUser, type ObservedStreamFeatures } from './observed.js';
export { createRandom, mulberry32, deriveSeed, type Random } from './random.js';
export { UnknownUserError } from './errors.js';
