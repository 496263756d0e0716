// Online preprocessing, learned from the data and saved with the model:
// - numeric: standardised by a running mean and variance (Welford), plus a missing indicator
//   (null, NaN, ±Infinity or a non-number → value 0, indicator 1);
// - category with declared values: one-hot plus an "unknown" slot (null → all zeros);
// - strings without declared values: one-hot over `hashBuckets` buckets by FNV-1a (hash.ts);
// - mixed (`last` of unknown type): numeric slot + missing indicator + hashed string buckets.
// Training reads the running statistics through a frozen snapshot (`freeze`) — the same snapshot,
// computed by the same function, that a scorer rebuilds from the artifact — so the vector a model
// learns from and the vector it is served are made by one code path.

import type { FeatureValues } from '../feature-values.js';
import type { FeatureSchema } from './feature-schema.js';
import { fnv1a32 } from './hash.js';

export const DEFAULT_HASH_BUCKETS = 16;

const NUMERIC = 0;
const ONE_HOT = 1;
const HASHED = 2;
const MIXED = 3;
const CYCLIC = 4;

/** Where one feature lands in the input vector. */
interface Slot {
  readonly name: string;
  readonly code: typeof NUMERIC | typeof ONE_HOT | typeof HASHED | typeof MIXED | typeof CYCLIC;
  /** First column of this feature in the input vector. */
  readonly offset: number;
  /** Index into the running moments (numeric and mixed features); -1 otherwise. */
  readonly moment: number;
  /** Category value → column offset within the feature (one-hot); null otherwise. */
  readonly lookup: ReadonlyMap<string, number> | null;
  /** Offset within the feature of the unknown slot (one-hot) or of the first bucket (hashed, mixed). */
  readonly extra: number;
  /** Numeric values are read on a signed log scale. */
  readonly log?: boolean;
  /** Cyclic values: the period of the circle. */
  readonly period?: number;
}

/** The layout of the input vector for a schema and a bucket count; no learned state. */
export class EncodingPlan {
  readonly slots: readonly Slot[];
  /** Length of the input vector. */
  readonly width: number;
  /** How many features keep running moments (numeric and mixed). */
  readonly momentCount: number;

  constructor(
    readonly schema: FeatureSchema,
    readonly hashBuckets: number,
  ) {
    const slots: Slot[] = [];
    let offset = 0;
    let moment = 0;
    for (const f of schema.features) {
      if (f.kind === 'numeric') {
        slots.push({
          name: f.name,
          code: NUMERIC,
          offset,
          moment: moment++,
          lookup: null,
          extra: 0,
          log: f.log === true,
        });
        offset += 2;
      } else if (f.kind === 'cyclic') {
        slots.push({ name: f.name, code: CYCLIC, offset, moment: -1, lookup: null, extra: 0, period: f.period });
        offset += 3;
      } else if (f.kind === 'mixed') {
        slots.push({ name: f.name, code: MIXED, offset, moment: moment++, lookup: null, extra: 2 });
        offset += 2 + hashBuckets;
      } else if (f.values.length > 0) {
        slots.push({
          name: f.name,
          code: ONE_HOT,
          offset,
          moment: -1,
          lookup: new Map(f.values.map((v, i) => [v, i])),
          extra: f.values.length,
        });
        offset += f.values.length + 1;
      } else {
        slots.push({ name: f.name, code: HASHED, offset, moment: -1, lookup: null, extra: 0 });
        offset += hashBuckets;
      }
    }
    this.slots = slots;
    this.width = offset;
    this.momentCount = moment;
  }

  /** A readable name per input column, e.g. `hour`, `hour:missing`, `platform=ios`, `country#3`. */
  columnNames(): string[] {
    const names: string[] = [];
    const buckets = (name: string) => Array.from({ length: this.hashBuckets }, (_, b) => `${name}#${b}`);
    for (const s of this.slots) {
      if (s.code === NUMERIC) names.push(s.name, `${s.name}:missing`);
      else if (s.code === CYCLIC) names.push(`${s.name}:sin`, `${s.name}:cos`, `${s.name}:missing`);
      else if (s.code === MIXED) names.push(s.name, `${s.name}:missing`, ...buckets(s.name));
      else if (s.code === HASHED) names.push(...buckets(s.name));
      else names.push(...[...(s.lookup?.keys() ?? [])].map((v) => `${s.name}=${v}`), `${s.name}=?`);
    }
    return names;
  }
}

/** The running (unweighted) count, mean and sum of squared deviations of each numeric feature. */
export interface Moments {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
}

export function emptyMoments(size: number): Moments {
  return { count: new Float64Array(size), mean: new Float64Array(size), m2: new Float64Array(size) };
}

/**
 * The standardisation a model is trained and served with: center = mean, scale = 1/std; a feature
 * seen fewer than twice, or constant, is only centred. Both the learner and the scorer call this.
 */
export function freezeMoments(moments: Moments, center: Float64Array, scale: Float64Array): void {
  for (let i = 0; i < center.length; i++) {
    const n = moments.count[i] ?? 0;
    const variance = n >= 2 ? (moments.m2[i] ?? 0) / n : 0;
    center[i] = n > 0 ? (moments.mean[i] ?? 0) : 0;
    scale[i] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1;
  }
}

/** A number, or NaN when the value is missing or not a usable number. */
export function readNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return NaN;
}

/** Writes input vectors with a fixed standardisation: the serving half of preprocessing. */
export class Vectorizer {
  readonly width: number;

  constructor(
    readonly plan: EncodingPlan,
    /** Per moment index: the value subtracted. */
    readonly center: Float64Array,
    /** Per moment index: the factor applied after centring. */
    readonly scale: Float64Array,
  ) {
    this.width = plan.width;
  }

  /**
   * Writes the input vector of `x` into `out` from `offset` (all `width` columns are written, so the
   * buffer may be reused). Extra features in `x` are ignored, missing ones encode as missing; `x`
   * is only read. No allocation, except String() of a number given for a category feature.
   */
  vectorize(x: FeatureValues, out: Float32Array, offset = 0): void {
    out.fill(0, offset, offset + this.width);
    const slots = this.plan.slots;
    const buckets = this.plan.hashBuckets;
    for (let s = 0; s < slots.length; s++) {
      const slot = slots[s] as Slot;
      const at = offset + slot.offset;
      const value: unknown = x[slot.name];
      switch (slot.code) {
        case NUMERIC: {
          const v = slot.log ? signedLog(readNumber(value)) : readNumber(value);
          if (Number.isNaN(v)) out[at + 1] = 1;
          else out[at] = (v - (this.center[slot.moment] as number)) * (this.scale[slot.moment] as number);
          break;
        }
        case CYCLIC: {
          const v = readNumber(value);
          if (Number.isNaN(v)) out[at + 2] = 1;
          else {
            const angle = (2 * Math.PI * v) / (slot.period as number);
            out[at] = Math.sin(angle);
            out[at + 1] = Math.cos(angle);
          }
          break;
        }
        case MIXED: {
          if (typeof value === 'string') {
            out[at + 1] = 1; // no number: the numeric half reads as missing
            out[at + 2 + (fnv1a32(value) % buckets)] = 1;
          } else {
            const v = readNumber(value);
            if (Number.isNaN(v)) out[at + 1] = 1;
            else out[at] = (v - (this.center[slot.moment] as number)) * (this.scale[slot.moment] as number);
          }
          break;
        }
        case ONE_HOT: {
          const text = categoryText(value);
          if (text !== null) out[at + (slot.lookup?.get(text) ?? slot.extra)] = 1;
          break;
        }
        case HASHED: {
          const text = categoryText(value);
          if (text !== null) out[at + (fnv1a32(text) % buckets)] = 1;
          break;
        }
      }
    }
  }
}

/** sign(v)·log(1 + |v|); NaN stays NaN (missing). */
function signedLog(v: number): number {
  return v < 0 ? -Math.log1p(-v) : Math.log1p(v);
}

function categoryText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return null;
}

/** Preprocessing that learns: running moments, frozen on demand into the vectorizer it serves with. */
export class Preprocessor {
  readonly plan: EncodingPlan;
  readonly vectorizer: Vectorizer;
  private readonly moments: Moments;

  constructor(schema: FeatureSchema, hashBuckets: number = DEFAULT_HASH_BUCKETS, moments?: Moments) {
    this.plan = new EncodingPlan(schema, hashBuckets);
    const size = this.plan.momentCount;
    if (
      moments !== undefined &&
      (moments.count.length !== size || moments.mean.length !== size || moments.m2.length !== size)
    ) {
      throw new RangeError(`moments have ${moments.count.length} entries, the schema needs ${size}`);
    }
    this.moments =
      moments === undefined
        ? emptyMoments(size)
        : { count: moments.count.slice(), mean: moments.mean.slice(), m2: moments.m2.slice() };
    this.vectorizer = new Vectorizer(this.plan, new Float64Array(size), new Float64Array(size).fill(1));
    this.freeze();
  }

  get width(): number {
    return this.plan.width;
  }

  /** Updates the running moments with the numeric values of `x` (Welford's algorithm). */
  observe(x: FeatureValues): void {
    const { count, mean, m2 } = this.moments;
    for (const slot of this.plan.slots) {
      if (slot.moment < 0) continue;
      const v = slot.log ? signedLog(readNumber(x[slot.name])) : readNumber(x[slot.name]);
      if (Number.isNaN(v)) continue;
      const i = slot.moment;
      const n = (count[i] as number) + 1;
      const delta = v - (mean[i] as number);
      const m = (mean[i] as number) + delta / n;
      count[i] = n;
      mean[i] = m;
      m2[i] = (m2[i] as number) + delta * (v - m);
    }
  }

  /** Takes a snapshot of the running moments into the vectorizer. */
  freeze(): void {
    freezeMoments(this.moments, this.vectorizer.center, this.vectorizer.scale);
  }

  vectorize(x: FeatureValues, out: Float32Array, offset = 0): void {
    this.vectorizer.vectorize(x, out, offset);
  }

  /** A copy of the running moments, for the artifact. */
  snapshot(): Moments {
    return { count: this.moments.count.slice(), mean: this.moments.mean.slice(), m2: this.moments.m2.slice() };
  }
}
