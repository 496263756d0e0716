// The records the joiner keeps between calls, and their compact encodings. Each is a versioned
// JSON array (positional, so field names are not repeated in every stored record). Numbers JSON
// cannot carry (NaN, ±Infinity, -0) are tagged, so feature values round-trip exactly.
import type { FeatureValue, FeatureValues } from '../feature-values.js';
import type { BlueprintLabel, BlueprintLabelMatch } from '../schemas/generated.js';
import { JoinerStateError } from './errors.js';

/** The parts of a blueprint's label a pending decision keeps: the blueprint may change while it waits. */
export type PendingLabel = Pick<
  BlueprintLabel,
  'topic' | 'match' | 'windowMs' | 'valueConstant' | 'valueField' | 'missing'
> & {
  /** The label names a class (multi-class classification, sequence): a string value is kept as Example.labelClass. */
  classes: boolean;
};

/** The fields of a Decision that its Example copies, as logged (shadow scores already collected). */
export interface DecisionSnapshot {
  decisionId: string;
  blueprint: string;
  blueprintVersion: number;
  entity: string;
  ts: number;
  features: FeatureValues;
  action: string;
  propensity: number;
  modelVersion: string | null;
  score: number | null;
  shadowScores: Record<string, number> | null;
  fallback: boolean;
  experimentArm: string | null;
  /** Ranking: the candidates returned, in the order shown (each becomes an example); null for other tasks. */
  shown: ShownCandidate[] | null;
  /** Multi-class and sequence: the classes returned, best first (Decision.ranking); null otherwise. */
  ranking: string[] | null;
}

/** A candidate a ranking decision returned: its id, 0-based position, features as logged and score. */
export interface ShownCandidate {
  id: string;
  position: number;
  features: FeatureValues;
  score: number | null;
}

/** A decision waiting for its label, stored under keys.pending(decisionId). */
export interface PendingDecision {
  decision: DecisionSnapshot;
  label: PendingLabel;
  /** decision.ts + label.windowMs: outcomes later than this are ignored; at this time the window closes. */
  closesAt: number;
}

/** A decision that has had its example (or was closed without one), stored under keys.done(decisionId). */
export interface DoneMarker {
  /** When the marker may be forgotten: closesAt + doneRetentionMs. */
  forgetAt: number;
}

/** An outcome read before its decision, stored under keys.earlyOutcome(decisionId). */
export interface EarlyOutcome {
  decisionId: string;
  ts: number;
  /** null for looper.outcomes; the product topic for an event carrying a decisionId. */
  topic: string | null;
  /** The outcome's fields the label value may be read from (looper.outcomes: value, candidateId). */
  fields: Record<string, unknown>;
  /** When it may be forgotten: ts + earlyOutcomeRetentionMs. */
  forgetAt: number;
}

const VERSION = 1;
const NUMBER_TAG = '~n';
const QUOTED_NUMBER_TAG = `"${NUMBER_TAG}"`;

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { [NUMBER_TAG]: Object.is(value, -0) ? '-0' : String(value) };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const tagged = (value as Record<string, unknown>)[NUMBER_TAG];
    if (keys.length === 1 && typeof tagged === 'string') return tagged === '-0' ? -0 : Number(tagged);
  }
  return value;
}

/** Whether a value holds a number JSON cannot carry (the replacer tags those; most records have none). */
function hasUnsafeNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value) || Object.is(value, -0);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasUnsafeNumber);
  for (const key in value) if (hasUnsafeNumber((value as Record<string, unknown>)[key])) return true;
  return false;
}

// A replacer or reviver is a call back into JavaScript for every value of the record, several
// times the cost of the plain JSON call: they are used only for a record that needs them.
function toBytes(tuple: unknown[]): Buffer {
  return Buffer.from(hasUnsafeNumber(tuple) ? JSON.stringify(tuple, replacer) : JSON.stringify(tuple), 'utf8');
}

function parseRecord(text: string): unknown {
  return text.includes(QUOTED_NUMBER_TAG) ? JSON.parse(text, reviver) : JSON.parse(text);
}

/** Reads one stored tuple field by field, naming the field that is wrong. */
class TupleReader {
  private readonly tuple: unknown[];

  constructor(
    private readonly kind: JoinerStateError['kind'],
    bytes: Uint8Array,
    private readonly names: readonly string[],
    /** Fewer fields an older record may have: the missing trailing ones read as null. */
    fewest = names.length,
  ) {
    let parsed: unknown;
    try {
      parsed = parseRecord(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (cause) {
      throw new JoinerStateError(kind, 'is not JSON', { cause });
    }
    if (!Array.isArray(parsed)) throw new JoinerStateError(kind, 'is not an array');
    if (parsed[0] !== VERSION)
      throw new JoinerStateError(
        kind,
        `has version ${JSON.stringify(parsed[0])}; this joiner reads version ${VERSION}`,
      );
    if (parsed.length > names.length + 1 || parsed.length < fewest + 1) {
      throw new JoinerStateError(
        kind,
        `has ${parsed.length - 1} fields, expected ${fewest === names.length ? names.length : `${fewest} to ${names.length}`}`,
      );
    }
    this.tuple = parsed;
  }

  private fail(i: number, expected: string): never {
    throw new JoinerStateError(
      this.kind,
      `${this.names[i]}: expected ${expected}, got ${JSON.stringify(this.tuple[i + 1])}`,
    );
  }

  raw(i: number): unknown {
    return i + 1 < this.tuple.length ? this.tuple[i + 1] : null;
  }

  string(i: number): string {
    const v = this.raw(i);
    return typeof v === 'string' ? v : this.fail(i, 'a string');
  }

  stringOrNull(i: number): string | null {
    const v = this.raw(i);
    return v === null || typeof v === 'string' ? v : this.fail(i, 'a string or null');
  }

  number(i: number): number {
    const v = this.raw(i);
    return typeof v === 'number' ? v : this.fail(i, 'a number');
  }

  numberOrNull(i: number): number | null {
    const v = this.raw(i);
    return v === null || typeof v === 'number' ? v : this.fail(i, 'a number or null');
  }

  boolean(i: number): boolean {
    const v = this.raw(i);
    return typeof v === 'boolean' ? v : this.fail(i, 'true or false');
  }

  object(i: number): Record<string, unknown> {
    const v = this.raw(i);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : this.fail(i, 'an object');
  }

  features(i: number): FeatureValues {
    const v = this.object(i);
    const scalar = (x: unknown) => x === null || typeof x === 'number' || typeof x === 'string';
    for (const value of Object.values(v)) {
      if (!scalar(value) && !(Array.isArray(value) && value.every(scalar))) this.fail(i, 'feature values');
    }
    return v as Record<string, FeatureValue>;
  }

  scores(i: number): Record<string, number> | null {
    const v = this.raw(i);
    if (v === null) return null;
    const o = this.object(i);
    return Object.values(o).every((x) => typeof x === 'number')
      ? (o as Record<string, number>)
      : this.fail(i, 'scores by model version');
  }

  stringsOrNull(i: number): string[] | null {
    const v = this.raw(i);
    if (v === null) return null;
    return Array.isArray(v) && v.every((x) => typeof x === 'string')
      ? (v as string[])
      : this.fail(i, 'a list of strings or null');
  }

  shown(i: number): ShownCandidate[] | null {
    const v = this.raw(i);
    if (v === null) return null;
    if (!Array.isArray(v)) return this.fail(i, 'a list of shown candidates');
    return v.map((c: unknown) => {
      const o = c as Record<string, unknown> | null;
      const ok =
        o !== null &&
        typeof o === 'object' &&
        typeof o['id'] === 'string' &&
        typeof o['position'] === 'number' &&
        typeof o['features'] === 'object' &&
        o['features'] !== null &&
        (o['score'] === null || typeof o['score'] === 'number');
      return ok ? (o as unknown as ShownCandidate) : this.fail(i, 'shown candidates { id, position, features, score }');
    });
  }

  match(i: number): BlueprintLabelMatch {
    const v = this.raw(i);
    return v === 'decisionId' || v === 'entity' ? v : this.fail(i, 'decisionId or entity');
  }
}

const PENDING_FIELDS = [
  'decisionId',
  'blueprint',
  'blueprintVersion',
  'entity',
  'ts',
  'features',
  'action',
  'propensity',
  'modelVersion',
  'score',
  'shadowScores',
  'fallback',
  'experimentArm',
  'label.topic',
  'label.match',
  'label.windowMs',
  'label.valueConstant',
  'label.valueField',
  'label.missing',
  'closesAt',
  'shown',
  'label.classes',
  'ranking',
] as const;
/** Records written before ranking and class labels end at closesAt: read without the last three fields. */
const PENDING_FIELDS_BEFORE_RANKING = PENDING_FIELDS.length - 3;

export function encodePending(p: PendingDecision): Buffer {
  const d = p.decision;
  const l = p.label;
  return toBytes([
    VERSION,
    d.decisionId,
    d.blueprint,
    d.blueprintVersion,
    d.entity,
    d.ts,
    d.features,
    d.action,
    d.propensity,
    d.modelVersion,
    d.score,
    d.shadowScores,
    d.fallback,
    d.experimentArm,
    l.topic,
    l.match,
    l.windowMs,
    l.valueConstant,
    l.valueField,
    l.missing,
    p.closesAt,
    d.shown,
    l.classes,
    d.ranking,
  ]);
}

/** Throws JoinerStateError when the bytes are not a pending decision this joiner wrote. */
export function decodePending(bytes: Uint8Array): PendingDecision {
  const r = new TupleReader('pending', bytes, PENDING_FIELDS, PENDING_FIELDS_BEFORE_RANKING);
  return {
    decision: {
      decisionId: r.string(0),
      blueprint: r.string(1),
      blueprintVersion: r.number(2),
      entity: r.string(3),
      ts: r.number(4),
      features: r.features(5),
      action: r.string(6),
      propensity: r.number(7),
      modelVersion: r.stringOrNull(8),
      score: r.numberOrNull(9),
      shadowScores: r.scores(10),
      fallback: r.boolean(11),
      experimentArm: r.stringOrNull(12),
      shown: r.shown(20),
      ranking: r.stringsOrNull(22),
    },
    label: {
      topic: r.stringOrNull(13),
      match: r.match(14),
      windowMs: r.number(15),
      valueConstant: r.numberOrNull(16),
      valueField: r.stringOrNull(17),
      missing: r.numberOrNull(18),
      classes: r.raw(21) === true,
    },
    closesAt: r.number(19),
  };
}

export function encodeDone(d: DoneMarker): Buffer {
  return toBytes([VERSION, d.forgetAt]);
}

export function decodeDone(bytes: Uint8Array): DoneMarker {
  const r = new TupleReader('done', bytes, ['forgetAt']);
  return { forgetAt: r.number(0) };
}

export function encodeEarlyOutcome(o: EarlyOutcome): Buffer {
  return toBytes([VERSION, o.decisionId, o.ts, o.topic, o.fields, o.forgetAt]);
}

export function decodeEarlyOutcome(bytes: Uint8Array): EarlyOutcome {
  const r = new TupleReader('early outcome', bytes, ['decisionId', 'ts', 'topic', 'fields', 'forgetAt']);
  return {
    decisionId: r.string(0),
    ts: r.number(1),
    topic: r.stringOrNull(2),
    fields: r.object(3),
    forgetAt: r.number(4),
  };
}

/** An event of a topic labels match by entity, kept for decisions read after it (keys.recentEvent). */
export interface RecentEvent {
  ts: number;
  /** The decoded event; a label's valueField is read from it. */
  fields: Record<string, unknown>;
}

export function encodeRecentEvent(e: RecentEvent): Buffer {
  return toBytes([VERSION, e.ts, e.fields]);
}

export function decodeRecentEvent(bytes: Uint8Array): RecentEvent {
  const r = new TupleReader('recent event', bytes, ['ts', 'fields']);
  return { ts: r.number(0), fields: r.object(1) };
}
