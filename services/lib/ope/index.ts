// Off-policy evaluation: pure estimators of a target policy's value from logged bandit decisions.

export {
  doublyRobust,
  ips,
  PROBABILITY_TOLERANCE,
  snips,
  type LoggedDecision,
  type OffPolicyEstimate,
  type OffPolicyOptions,
} from './estimators.js';
