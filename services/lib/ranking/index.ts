// The pure core of the ranking task: ordering candidates by score, the training-only position
// feature, and ranking quality (NDCG@k, MRR) for one list and over a window of decisions.
export {
  dcgAt,
  ndcgAt,
  reciprocalRank,
  gainsInShownOrder,
  checkCutoff,
  RankingWindow,
  MAX_SHOWN_POSITION,
  type ShownCandidate,
  type RankingWindowOptions,
  type RankingSnapshot,
} from './metrics.js';
export {
  selectTopK,
  topK,
  defaultOrder,
  withPosition,
  servingFeatures,
  POSITION_FEATURE,
  servingPosition,
} from './order.js';
export {
  CutoffError,
  ScoreError,
  DuplicateCandidateError,
  GainError,
  PositionError,
  ReservedFeatureError,
  WindowSizeError,
} from './errors.js';
export { rankingCrosses, writeCrosses, type Cross } from './crosses.js';
