// Feature states as bytes for RocksDB and the changelog: compact (varints, delta-coded times,
// integer columns without float64) and exact (every number and string round-trips bit for bit).
//
// Format version 1, all integers little-endian base-128 varints (zig-zag where they may be
// negative), times in whole ms:
//   state   = version:u8(1) body
//   body    = kind:u8 fields...                                  (kinds in STATE_CODES)
//     buckets (count 1, sum 2, mean 3, min 4, max 5):
//               width newest buckets:n startsᵢ countsᵢ [valuesᵢ as a number column, not for count]
//     distinct 6: width newest buckets:n startsᵢ (values:m valueⱼ...)ᵢ   (each value in one bucket only)
//     last 7:   newest [value, when newest is set]
//     last_n 8: items:n tsᵢ valueᵢ...
//     ewma 9:   newest [weightedSum weight, when newest is set]
//     ewma_buckets 10: width newest buckets:n startsᵢ (refTs - start)ᵢ weightedSumsᵢ weightsᵢ
//   newest  = 0 (none) | 1 zigzag(ts)
//   starts  = zigzag(first / width), then (startᵢ - startᵢ₋₁) / width  (bucket starts are multiples of width)
//   number  = 0 zigzag(int) | 1 float64;  a column is one such tag for all its numbers
//   value   = 0 utf8 string | 1 utf16 string (lone surrogates) | 2 zigzag(int) | 3 float64
//   entity  = version:u8(1) 0x80 features:n (name:string body-length body)...
// A new version gets a new version byte; decoders keep reading every older one.
import { ByteReader, ByteWriter, isVarintInt } from './bytes.js';
import { FeatureStateDecodeError } from './errors.js';
import type { BucketAggregate, DistinctState, EwmaBucketState, FeatureState, KeptValue } from './state.js';

/** The format version this build writes. */
export const CODEC_VERSION = 1;

const STATE_CODES = {
  count: 1,
  sum: 2,
  mean: 3,
  min: 4,
  max: 5,
  distinct: 6,
  last: 7,
  last_n: 8,
  ewma: 9,
  ewma_buckets: 10,
} as const;
const ENTITY_CODE = 0x80;
const BUCKET_AGGREGATES: Record<number, BucketAggregate> = { 1: 'count', 2: 'sum', 3: 'mean', 4: 'min', 5: 'max' };

/** A feature's state as bytes (version byte first). */
export function encodeFeatureState(state: FeatureState): Uint8Array {
  const w = new ByteWriter();
  w.byte(CODEC_VERSION);
  writeBody(w, state);
  return w.finish();
}

/** The state encodeFeatureState wrote. Throws FeatureStateDecodeError for corrupt, truncated or unknown-version bytes. */
export function decodeFeatureState(bytes: Uint8Array): FeatureState {
  const r = new ByteReader(bytes);
  readVersion(r);
  if (r.peek() === ENTITY_CODE)
    r.fail('these bytes hold the feature states of an entity: read them with decodeEntityStates');
  const state = readBody(r);
  expectEnd(r);
  return state;
}

/** All of one entity's feature states (e.g. of one topic) under one key: name → state, in map order. */
export function encodeEntityStates(states: ReadonlyMap<string, FeatureState>): Uint8Array {
  const w = new ByteWriter();
  w.byte(CODEC_VERSION);
  w.byte(ENTITY_CODE);
  w.uvarint(states.size);
  for (const [name, state] of states) {
    w.string(name);
    const body = new ByteWriter();
    writeBody(body, state);
    const bytes = body.finish();
    w.uvarint(bytes.length);
    w.bytes(bytes);
  }
  return w.finish();
}

/** The map encodeEntityStates wrote. Throws FeatureStateDecodeError, naming the feature whose state is broken. */
export function decodeEntityStates(bytes: Uint8Array): Map<string, FeatureState> {
  const r = new ByteReader(bytes);
  readVersion(r);
  const at = r.position;
  if (r.byte() !== ENTITY_CODE)
    r.fail('these bytes hold a single feature state: read them with decodeFeatureState', at);
  const states = new Map<string, FeatureState>();
  const count = r.count();
  for (let i = 0; i < count; i++) {
    const name = r.string();
    const length = r.count();
    const start = r.position;
    const body = new ByteReader(bytes.subarray(start, start + length));
    try {
      states.set(name, readBody(body));
      expectEnd(body);
    } catch (error) {
      if (!(error instanceof FeatureStateDecodeError)) throw error;
      throw new FeatureStateDecodeError(start + error.offset, `feature "${name}": ${error.reason}`, { cause: error });
    }
    r.skip(length);
  }
  expectEnd(r);
  return states;
}

function readVersion(r: ByteReader): void {
  const version = r.byte();
  if (version !== CODEC_VERSION)
    r.fail(`format version ${version} is not known (this build reads version ${CODEC_VERSION})`, 0);
}

function expectEnd(r: ByteReader): void {
  if (!r.done) r.fail('unexpected bytes after the end of the state');
}

function writeNewest(w: ByteWriter, ts: number): void {
  if (ts === -Infinity) {
    w.byte(0);
  } else {
    w.byte(1);
    w.zigzag(ts);
  }
}

function readNewest(r: ByteReader): number {
  const at = r.position;
  const flag = r.byte();
  if (flag === 0) return -Infinity;
  if (flag !== 1) r.fail(`unknown newest-time flag ${flag}`, at);
  return r.zigzag();
}

function writeStarts(w: ByteWriter, starts: readonly number[], widthMs: number): void {
  w.uvarint(starts.length);
  starts.forEach((start, i) => {
    if (start % widthMs !== 0)
      throw new RangeError(`bucket start ${start} is not a multiple of the bucket width ${widthMs}`);
    if (i === 0) w.zigzag(start / widthMs);
    else w.uvarint((start - (starts[i - 1] as number)) / widthMs);
  });
}

function readStarts(r: ByteReader, widthMs: number): number[] {
  const starts = new Array<number>(r.count());
  let index = 0;
  for (let i = 0; i < starts.length; i++) {
    const at = r.position;
    const step = i === 0 ? r.zigzag() : r.uvarint();
    if (i > 0 && step === 0) r.fail('bucket starts are not ascending', at);
    index += step;
    starts[i] = index * widthMs;
  }
  return starts;
}

function readWidth(r: ByteReader): number {
  const at = r.position;
  const width = r.uvarint();
  if (width < 1) r.fail('bucket width 0', at);
  return width;
}

function writeValue(w: ByteWriter, value: KeptValue): void {
  if (typeof value === 'string') {
    w.string(value);
  } else if (isVarintInt(value)) {
    w.byte(2);
    w.zigzag(value);
  } else {
    w.byte(3);
    w.float64(value);
  }
}

function readValue(r: ByteReader): KeptValue {
  const tag = r.peek();
  if (tag === 0 || tag === 1) return r.string();
  r.byte();
  if (tag === 2) return r.zigzag();
  if (tag === 3) return r.float64();
  return r.fail(`unknown value tag ${tag}`, r.position - 1);
}

function writeBody(w: ByteWriter, state: FeatureState): void {
  switch (state.kind) {
    case 'buckets':
      w.byte(STATE_CODES[state.aggregate]);
      w.uvarint(state.widthMs);
      writeNewest(w, state.newestTs);
      writeStarts(w, state.starts, state.widthMs);
      for (const count of state.counts) w.uvarint(count);
      if (state.aggregate !== 'count') w.numbers(state.values);
      return;
    case 'distinct':
      return writeDistinct(w, state);
    case 'last':
      w.byte(STATE_CODES.last);
      if (state.value === null || state.ts === -Infinity) {
        writeNewest(w, -Infinity);
      } else {
        writeNewest(w, state.ts);
        writeValue(w, state.value);
      }
      return;
    case 'last_n':
      w.byte(STATE_CODES.last_n);
      w.uvarint(state.ts.length);
      state.ts.forEach((ts, i) => (i === 0 ? w.zigzag(ts) : w.uvarint(ts - (state.ts[i - 1] as number))));
      for (const value of state.values) writeValue(w, value);
      return;
    case 'ewma':
      w.byte(STATE_CODES.ewma);
      writeNewest(w, state.weight === 0 ? -Infinity : state.refTs);
      if (state.weight !== 0) {
        w.number(state.weightedSum);
        w.number(state.weight);
      }
      return;
    case 'ewma_buckets':
      return writeEwmaBuckets(w, state);
  }
}

function writeDistinct(w: ByteWriter, state: DistinctState): void {
  w.byte(STATE_CODES.distinct);
  w.uvarint(state.widthMs);
  writeNewest(w, state.newestTs);
  writeStarts(w, state.starts, state.widthMs);
  for (const set of state.sets) {
    w.uvarint(set.size);
    for (const value of set) writeValue(w, value);
  }
}

function writeEwmaBuckets(w: ByteWriter, state: EwmaBucketState): void {
  w.byte(STATE_CODES.ewma_buckets);
  w.uvarint(state.widthMs);
  writeNewest(w, state.newestTs);
  writeStarts(w, state.starts, state.widthMs);
  state.refTs.forEach((ref, i) => w.uvarint(ref - (state.starts[i] as number)));
  w.numbers(state.weightedSums);
  w.numbers(state.weights);
}

function readBody(r: ByteReader): FeatureState {
  const at = r.position;
  const code = r.byte();
  const aggregate = BUCKET_AGGREGATES[code];
  if (aggregate !== undefined) {
    const widthMs = readWidth(r);
    const newestTs = readNewest(r);
    const starts = readStarts(r, widthMs);
    const counts = starts.map(() => r.uvarint());
    const values = aggregate === 'count' ? [] : r.numbers(starts.length);
    return { kind: 'buckets', aggregate, widthMs, newestTs, starts, counts, values };
  }
  switch (code) {
    case STATE_CODES.distinct: {
      const widthMs = readWidth(r);
      const newestTs = readNewest(r);
      const starts = readStarts(r, widthMs);
      const lastSeen = new Map<KeptValue, number>();
      const sets = starts.map((start) => {
        const at = r.position;
        const count = r.count();
        if (count === 0) r.fail('an empty distinct bucket', at);
        const set = new Set<KeptValue>();
        for (let i = 0; i < count; i++) {
          const valueAt = r.position;
          const value = readValue(r);
          if (lastSeen.has(value)) r.fail('a distinct value kept twice', valueAt);
          set.add(value);
          lastSeen.set(value, start);
        }
        return set;
      });
      return { kind: 'distinct', widthMs, newestTs, starts, sets, lastSeen };
    }
    case STATE_CODES.last: {
      const ts = readNewest(r);
      return { kind: 'last', ts, value: ts === -Infinity ? null : readValue(r) };
    }
    case STATE_CODES.last_n: {
      const ts = new Array<number>(r.count());
      for (let i = 0; i < ts.length; i++) ts[i] = i === 0 ? r.zigzag() : (ts[i - 1] as number) + r.uvarint();
      const values = ts.map(() => readValue(r));
      return { kind: 'last_n', ts, values };
    }
    case STATE_CODES.ewma: {
      const refTs = readNewest(r);
      if (refTs === -Infinity) return { kind: 'ewma', refTs, weightedSum: 0, weight: 0 };
      return { kind: 'ewma', refTs, weightedSum: r.number(), weight: r.number() };
    }
    case STATE_CODES.ewma_buckets: {
      const widthMs = readWidth(r);
      const newestTs = readNewest(r);
      const starts = readStarts(r, widthMs);
      const refTs = starts.map((start) => start + r.uvarint());
      const weightedSums = r.numbers(starts.length);
      const weights = r.numbers(starts.length);
      return { kind: 'ewma_buckets', widthMs, newestTs, starts, refTs, weightedSums, weights };
    }
    default:
      return r.fail(`unknown state kind ${code}`, at);
  }
}
