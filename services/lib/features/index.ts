// The feature aggregators: pure state machines for stream features, their byte codec, event
// extraction and the plan of what to consume. The features service wires them to Kafka and RocksDB.
export { applyEvent, createFeatureState, featureValue, newestEventTs, type ApplyResult } from './aggregator.js';
export {
  CODEC_VERSION,
  decodeEntityStates,
  decodeFeatureState,
  encodeEntityStates,
  encodeFeatureState,
} from './codec.js';
export { FeatureSpecError, FeatureStateDecodeError, FeatureStateMismatchError } from './errors.js';
export {
  EVENT_TIME_FIELD,
  EXTRACTION_FAILURES,
  describeValue,
  extractEntity,
  extractEventTime,
  extractValue,
  type Extraction,
  type ExtractionFailure,
} from './event.js';
export {
  ARRIVALS,
  ArrivalTally,
  arrivalOf,
  featureArrivals,
  judged,
  noArrivals,
  type Arrival,
  type ArrivalCounts,
  type FeatureArrivals,
} from './lateness.js';
export {
  planFeatureStreams,
  streamSpecId,
  type FeatureRef,
  type FeatureStreamPlan,
  type StreamSpec,
  type TopicPlan,
} from './registry.js';
export {
  BUCKETS_PER_WINDOW,
  DISTINCT_CAP,
  bucketStart,
  bucketWidthMs,
  type AggregatorSpec,
  type BucketState,
  type DistinctState,
  type EwmaBucketState,
  type EwmaState,
  type FeatureState,
  type FeatureStateKind,
  type KeptValue,
  type LastNState,
  type LastState,
} from './state.js';
