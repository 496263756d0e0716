// The input of the softmax model: the features it reads, as a few hashed slots with values (sparse),
// written into preallocated buffers with no allocation per call. Slot 0 is the bias (value 1); every
// other slot is 1 + fnv1a32(text) % buckets, where `text` is (␟ = U+001F, items as item-hash.ts
// writes them, d = 1 for the newest item):
//
//   position d item    <seq>␟p<d>␟<item>                value 1   (the `positions` newest items)
//   pair               <seq>␟pair␟<older>␟<newest>     value 1   (the two newest: an order-2 context)
//   bag                <seq>␟bag␟<item>                 value 1/m (the m usable of the `bagSize` newest)
//   category extra     <name>␟=␟<value>                 value 1
//   numeric extra      <name>␟#                         value v, or sign(v)·log(1 + |v|) ("signed-log")
//
// The pair slot matters: a linear model over separate position slots can only add the effect of the
// last item to that of the one before, while the next item of an order-2 process depends on the two
// together. Missing items (null, NaN, ±Infinity) get no slot but keep their position; a sequence
// given as a scalar reads as a one-item sequence. Extra features that are arrays are ignored.

import type { FeatureValues } from '../feature-values.js';
import { FNV_OFFSET, fnv1aFold } from '../learners/hash.js';
import { MulticlassOptionsError } from './errors.js';
import { foldByte, foldItem, itemOf } from './item-hash.js';

const SEPARATOR = 0x1f;

export interface SequenceInputOptions {
  /** The `last_n` feature read as the sequence, newest item last; null for plain multi-class. Default null. */
  sequenceFeature?: string | null;
  /** How many of the newest items get a position-aware slot. Default 3. */
  positions?: number;
  /** Whether the two newest items get a joint slot. Default true. */
  pairs?: boolean;
  /** How many of the newest items go into the bag; 0 turns it off. Default 20. */
  bagSize?: number;
  /** Other features: strings hashed with their name, numbers as a value on their own slot. Default []. */
  extraFeatures?: readonly string[];
  /** How numbers are read: "raw" (default: give roughly unit-scale numbers) or "signed-log" (counts, sums). */
  numbers?: 'raw' | 'signed-log';
  /** Hashed slots; the input has buckets + 1 columns (the bias). Default 4096. */
  buckets?: number;
}

export type SequenceInputSpec = {
  readonly [K in keyof SequenceInputOptions]-?: Exclude<SequenceInputOptions[K], undefined>;
};

export const SEQUENCE_INPUT_DEFAULTS: SequenceInputSpec = {
  sequenceFeature: null,
  positions: 3,
  pairs: true,
  bagSize: 20,
  extraFeatures: [],
  numbers: 'raw',
  buckets: 4096,
};

export const SEQUENCE_INPUT_KEYS: readonly string[] = Object.keys(SEQUENCE_INPUT_DEFAULTS);

const LIMITS = { positions: 16, bagSize: 256, extraFeatures: 256, buckets: 1 << 22 } as const;

/** The checked, fully-defaulted input spec of `options` (MulticlassOptionsError listing every problem). */
export function compileSequenceInput(options: Readonly<Record<string, unknown>>): SequenceInputSpec {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !SEQUENCE_INPUT_KEYS.includes(key))
      problems.push(`unknown option "${key}": a sequence input knows ${SEQUENCE_INPUT_KEYS.join(', ')}`);
  }
  const spec = readSequenceInput(options, problems);
  if (problems.length > 0) throw new MulticlassOptionsError('sequence input', problems);
  return spec;
}

/** Checks the input options in `options` (other keys are left to the caller), pushing each problem. */
export function readSequenceInput(options: Readonly<Record<string, unknown>>, problems: string[]): SequenceInputSpec {
  const d = SEQUENCE_INPUT_DEFAULTS;
  const integer = (key: 'positions' | 'bagSize' | 'buckets', low: number, high: number): number => {
    const v = options[key];
    if (v === undefined) return d[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= low && v <= high) return v;
    problems.push(`${key} must be an integer from ${low} to ${high}, got ${JSON.stringify(v)}`);
    return d[key];
  };
  let sequenceFeature = d.sequenceFeature;
  const seq = options.sequenceFeature;
  if (typeof seq === 'string' && seq !== '') sequenceFeature = seq;
  else if (seq !== undefined && seq !== null)
    problems.push(`sequenceFeature must be the name of a last_n feature (or null), got ${JSON.stringify(seq)}`);
  const positions = integer('positions', 0, LIMITS.positions);
  const bagSize = integer('bagSize', 0, LIMITS.bagSize);
  const buckets = integer('buckets', 1, LIMITS.buckets);
  let pairs = d.pairs;
  if (typeof options.pairs === 'boolean') pairs = options.pairs;
  else if (options.pairs !== undefined)
    problems.push(`pairs must be true or false, got ${JSON.stringify(options.pairs)}`);
  let numbers = d.numbers;
  if (options.numbers === 'raw' || options.numbers === 'signed-log') numbers = options.numbers;
  else if (options.numbers !== undefined)
    problems.push(`numbers must be "raw" or "signed-log", got ${JSON.stringify(options.numbers)}`);
  let extraFeatures: readonly string[] = d.extraFeatures;
  const extras = options.extraFeatures;
  if (extras !== undefined) {
    const names = Array.isArray(extras) ? (extras as unknown[]) : [];
    const valid =
      Array.isArray(extras) &&
      names.length <= LIMITS.extraFeatures &&
      names.every((n) => typeof n === 'string' && n !== '') &&
      new Set(names).size === names.length;
    if (!valid)
      problems.push(
        `extraFeatures must list at most ${LIMITS.extraFeatures} distinct non-empty feature names, got ${JSON.stringify(extras)}`,
      );
    else if (sequenceFeature !== null && names.includes(sequenceFeature))
      problems.push(`"${sequenceFeature}" is the sequenceFeature: do not list it in extraFeatures too`);
    else extraFeatures = [...(names as string[])];
  }
  if (sequenceFeature === null && extraFeatures.length === 0)
    problems.push('the model reads nothing: give a sequenceFeature, extraFeatures, or both');
  if (sequenceFeature !== null && positions === 0 && !pairs && bagSize === 0)
    problems.push(`nothing reads "${sequenceFeature}": set positions, pairs or bagSize`);
  return { sequenceFeature, positions, pairs, bagSize, extraFeatures, numbers, buckets };
}

/** Reusable buffers for one encoded input: entries 0..length−1 are (slot, value) pairs. */
export class SparseInput {
  readonly indices: Int32Array;
  readonly values: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.indices = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
  }
}

export class SequenceEncoder {
  /** Input columns: the bias and the hashed slots. */
  readonly width: number;
  /** The most entries one input can have: what a SparseInput must hold. */
  readonly maxEntries: number;
  private readonly positionStates: Int32Array;
  private readonly pairState: number;
  private readonly bagState: number;
  private readonly categoryStates: Int32Array;
  private readonly numericSlots: Int32Array;

  constructor(readonly spec: SequenceInputSpec) {
    const seq = spec.sequenceFeature ?? '';
    const prefix = (text: string) => fnv1aFold(FNV_OFFSET, text) | 0;
    this.width = spec.buckets + 1;
    this.maxEntries =
      1 +
      (spec.sequenceFeature === null ? 0 : spec.positions + (spec.pairs ? 1 : 0) + spec.bagSize) +
      spec.extraFeatures.length;
    this.positionStates = Int32Array.from({ length: spec.positions }, (_, i) => prefix(`${seq}\u001fp${i + 1}\u001f`));
    this.pairState = prefix(`${seq}\u001fpair\u001f`);
    this.bagState = prefix(`${seq}\u001fbag\u001f`);
    this.categoryStates = Int32Array.from(spec.extraFeatures, (name) => prefix(`${name}\u001f=\u001f`));
    this.numericSlots = Int32Array.from(spec.extraFeatures, (name) => this.slot(prefix(`${name}\u001f#`)));
  }

  /** Buffers that fit any input of this encoder. */
  createInput(): SparseInput {
    return new SparseInput(this.maxEntries);
  }

  /** Writes the entries of `x` into `into` (bias first) and returns their count. `x` is only read. */
  encode(x: FeatureValues, into: SparseInput): number {
    const { indices, values } = into;
    if (indices.length < this.maxEntries)
      throw new RangeError(
        `the input buffer holds ${indices.length} entries, this encoder writes up to ${this.maxEntries}`,
      );
    indices[0] = 0;
    values[0] = 1;
    let n = 1;
    const spec = this.spec;
    if (spec.sequenceFeature !== null) {
      const sequence: unknown = x[spec.sequenceFeature];
      const length = Array.isArray(sequence) ? sequence.length : itemOf(sequence) === null ? 0 : 1;
      for (let d = 1; d <= spec.positions && d <= length; d++) {
        const item = itemAt(sequence, length - d);
        if (item === null) continue;
        indices[n] = this.slot(foldItem(this.positionStates[d - 1] as number, item));
        values[n++] = 1;
      }
      if (spec.pairs && length >= 2) {
        const newest = itemAt(sequence, length - 1);
        const older = itemAt(sequence, length - 2);
        if (newest !== null && older !== null) {
          indices[n] = this.slot(foldItem(foldByte(foldItem(this.pairState, older), SEPARATOR), newest));
          values[n++] = 1;
        }
      }
      const from = Math.max(0, length - spec.bagSize);
      const start = n;
      for (let i = from; i < length; i++) {
        const item = itemAt(sequence, i);
        if (item !== null) indices[n++] = this.slot(foldItem(this.bagState, item));
      }
      for (let i = start; i < n; i++) values[i] = 1 / (n - start);
    }
    const extras = spec.extraFeatures;
    for (let e = 0; e < extras.length; e++) {
      const value: unknown = x[extras[e] as string];
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) continue;
        indices[n] = this.numericSlots[e] as number;
        values[n++] = spec.numbers === 'raw' ? value : value < 0 ? -Math.log1p(-value) : Math.log1p(value);
      } else {
        const text = itemOf(value);
        if (text === null) continue;
        indices[n] = this.slot(foldItem(this.categoryStates[e] as number, text));
        values[n++] = 1;
      }
    }
    into.length = n;
    return n;
  }

  private slot(state: number): number {
    return 1 + ((state >>> 0) % this.spec.buckets);
  }
}

function itemAt(sequence: unknown, i: number): string | number | null {
  return Array.isArray(sequence) ? itemOf(sequence[i]) : itemOf(sequence);
}
