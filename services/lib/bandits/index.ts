// Contextual bandits: pure cores (no I/O) that choose among a blueprint's actions, log the
// propensity of each choice, and learn from delayed rewards.

export { LinearArm, type ArmEstimate, type LinearArmState } from './linear-arm.js';
export {
  createPolicy,
  DEFAULT_PROPENSITY_DRAWS,
  EpsilonGreedy,
  LinUcb,
  Softmax,
  ThompsonSampling,
  type Policy,
  type PolicyChoice,
  type PolicyKind,
  type PolicySpec,
} from './policies.js';
export {
  BANDIT_STATE_FORMAT,
  BANDIT_STATE_VERSION,
  compileBanditOptions,
  ContextualBandit,
  decayFactor,
  type BanditChoice,
  type CompiledBanditOptions,
  type ContextualBanditOptions,
  type ContextualBanditState,
  type ImportanceWeighting,
} from './contextual-bandit.js';
export type { RandomSource } from './random-source.js';
