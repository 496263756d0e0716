// The joiner core: decisions ⨝ outcomes → examples, as pure steps over explicit state (no I/O).
export { onDecision, onOutcome, onEntityEvent, onTick, forgetExpired, pendingOf } from './join.js';
export type { DecisionState, EventOutcome, EntityEvent } from './join.js';
export { buildExample, buildExamples, labelValueOf, snapshotDecision } from './example.js';
export {
  encodePending,
  decodePending,
  encodeDone,
  decodeDone,
  encodeEarlyOutcome,
  decodeEarlyOutcome,
  encodeRecentEvent,
  decodeRecentEvent,
  type RecentEvent,
  type PendingDecision,
  type PendingLabel,
  type DecisionSnapshot,
  type DoneMarker,
  type EarlyOutcome,
} from './records.js';
export {
  joinerKeys,
  stateKeys,
  entityRange,
  recentEventRange,
  closeRange,
  forgetRange,
  prefixRange,
  parseCloseKey,
  parseEntityKey,
  parseForgetKey,
  forgottenKey,
  timeKey,
  timerOf,
  MAX_KEY_TIME,
  type KeyRange,
  type ForgetKind,
} from './keys.js';
export {
  addResult,
  emptyResult,
  EMPTY_VALUE,
  type Mutations,
  type JoinResult,
  type Ignored,
  type IgnoreReason,
} from './mutations.js';
export { compileJoinerOptions, joinerDefaults, type JoinerOptions } from './options.js';
export { JoinerInputError, JoinerStateError } from './errors.js';
export { MemoryJoiner } from './memory-joiner.js';
export { TimerFloor } from './timer-floor.js';
export { JoinerClock, CLOCK_GRACE_MS, UNREAD_HOLD_MS } from './joiner-clock.js';
