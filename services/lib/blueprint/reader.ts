// Reads untyped YAML values into typed ones, recording a problem (path, message, fix) for every
// value that does not fit instead of stopping at the first: the compiler reports all problems at
// once. Every reader returns undefined for a missing or bad value; the compiled blueprint is only
// built when no problem was recorded.
import { childPath, DOCUMENT_PATH, type BlueprintProblem } from './problem.js';
import { closest } from './suggest.js';
import { describe, parseDuration, parseDurationUs, parseShare, parseSize, type Parsed } from './units.js';

export type Mapping = Record<string, unknown>;

/** Blueprint, entity, feature, guardrail, experiment names: they become NATS subject tokens and topic keys. */
export const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
export const NAME_MAX_LENGTH = 64;
/** Kafka's legal topic names. */
const TOPIC_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;
/** An event or outcome field: a top-level key of the JSON or Avro value. */
const FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface NumberRange {
  min?: number;
  max?: number;
  /** Whether min itself is excluded (the value must be more than min). */
  minExclusive?: boolean;
  integer?: boolean;
  /** A valid value, shown in fixes. */
  example: string;
}

export interface DurationRule {
  /** The canonical unit: milliseconds, or microseconds for inference times. */
  unit: 'ms' | 'us';
  /** Whether 0 is allowed (lateness may be 0, windows may not). */
  allowZero?: boolean;
  /** Whether the result must be a whole number of the unit (it is stored as an Avro long). */
  whole?: boolean;
  /** A valid value, shown in fixes. */
  example: string;
}

/** A fix for an unlucky name: `Notification-Send` → `notification_send`. */
function nameLike(value: unknown, example: string): string {
  if (typeof value !== 'string') return example;
  const slug = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, NAME_MAX_LENGTH);
  return NAME_PATTERN.test(slug) ? slug : example;
}

export class Reader {
  readonly problems: BlueprintProblem[] = [];

  /** Records a problem; returns undefined so readers can `return this.report(...)`. */
  report(path: string, message: string, fix: string): undefined {
    this.problems.push({ path: path === '' ? DOCUMENT_PATH : path, message, fix });
    return undefined;
  }

  /** A mapping naming only `keys`; every other key is reported, with the key it most likely meant. */
  mapping(value: unknown, path: string, keys: readonly string[], what: string): Mapping | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.report(
        path,
        `${describe(value)} is not a mapping`,
        `write ${what} as key: value pairs, e.g. { ${keys[0]}: ... }`,
      );
    }
    for (const key of Object.keys(value)) {
      if (keys.includes(key)) continue;
      const near = closest(key, keys);
      const fix = near === undefined ? `remove it; ${what} has ${keys.join(', ')}` : `did you mean ${near}?`;
      this.report(childPath(path, key), `is not a key of ${what}`, fix);
    }
    return value as Mapping;
  }

  list(value: unknown, path: string, example: string): unknown[] | undefined {
    if (Array.isArray(value)) return value;
    const fix = typeof value === 'string' ? `write a list, e.g. [${value}]` : `write a list, e.g. ${example}`;
    return this.report(path, `${describe(value)} is not a list`, fix);
  }

  string(value: unknown, path: string, example: string): string | undefined {
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'string') return this.report(path, 'is empty', `write some text, e.g. ${example}`);
    return this.report(path, `${describe(value)} is not text`, `write text, e.g. ${example}`);
  }

  name(
    value: unknown,
    path: string,
    example: string,
    why = 'names are used as keys and subject tokens',
  ): string | undefined {
    if (typeof value === 'string' && NAME_PATTERN.test(value) && value.length <= NAME_MAX_LENGTH) return value;
    return this.report(
      path,
      `${describe(value)} is not a name like ${example}`,
      `use lower-case letters, digits and _, starting with a letter, at most ${NAME_MAX_LENGTH} characters (${why}), e.g. ${nameLike(value, example)}`,
    );
  }

  topic(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' && TOPIC_PATTERN.test(value)) return value;
    return this.report(
      path,
      `${describe(value)} is not a Kafka topic name`,
      'use letters, digits, ., _ and -, e.g. app.opens',
    );
  }

  field(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' && FIELD_PATTERN.test(value)) return value;
    return this.report(
      path,
      `${describe(value)} is not a field name`,
      'name a top-level field of the event, e.g. amount',
    );
  }

  oneOf<T extends string>(
    value: unknown,
    path: string,
    symbols: readonly T[],
    listed: string = symbols.join(', '),
  ): T | undefined {
    if (typeof value === 'string' && (symbols as readonly string[]).includes(value)) return value as T;
    const near = typeof value === 'string' ? closest(value, symbols) : undefined;
    return this.report(
      path,
      `${describe(value)} is not one of ${listed}`,
      near === undefined ? 'use one of the values listed' : `did you mean ${near}?`,
    );
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (typeof value === 'boolean') return value;
    return this.report(path, `${describe(value)} is not true or false`, 'write true or false');
  }

  number(value: unknown, path: string, range: NumberRange): number | undefined {
    const { min, max, minExclusive = false, integer = false, example } = range;
    const wanted = [
      integer ? 'a whole number' : 'a number',
      min !== undefined && max !== undefined ? `between ${min} and ${max}` : '',
      min !== undefined && max === undefined ? (minExclusive ? `more than ${min}` : `of at least ${min}`) : '',
    ]
      .filter((s) => s !== '')
      .join(' ');
    const fix = `use ${wanted}, e.g. ${example}`;
    if (typeof value !== 'number' || !Number.isFinite(value))
      return this.report(path, `${describe(value)} is not a number`, fix);
    if (integer && !Number.isInteger(value)) return this.report(path, `${value} is not a whole number`, fix);
    if (integer && !Number.isSafeInteger(value)) return this.report(path, `${value} is too large`, fix);
    const belowMin = min !== undefined && (minExclusive ? value <= min : value < min);
    const aboveMax = max !== undefined && value > max;
    if (min !== undefined && max !== undefined && (belowMin || aboveMax)) {
      return this.report(path, `${value} is not between ${min} and ${max}`, fix);
    }
    if (belowMin)
      return this.report(path, minExclusive ? `${value} is not more than ${min}` : `${value} is less than ${min}`, fix);
    if (aboveMax) return this.report(path, `${value} is more than ${max}`, fix);
    return value;
  }

  duration(value: unknown, path: string, rule: DurationRule): number | undefined {
    const parsed = rule.unit === 'us' ? parseDurationUs(value) : parseDuration(value);
    if (!parsed.ok) {
      const fix =
        typeof value === 'number'
          ? `add a unit (us, ms, s, m, h or d), e.g. ${value}s`
          : `write a number and a unit (us, ms, s, m, h or d), e.g. ${rule.example}`;
      return this.report(path, parsed.message, fix);
    }
    if (!Number.isSafeInteger(Math.round(parsed.value))) {
      return this.report(path, `${describe(value)} is too long`, `use a shorter duration, e.g. ${rule.example}`);
    }
    if (rule.whole === true && !Number.isInteger(parsed.value)) {
      const unitName = rule.unit === 'us' ? 'microseconds' : 'milliseconds';
      return this.report(
        path,
        `${describe(value)} is not a whole number of ${unitName}`,
        `round it to whole ${unitName}, e.g. ${rule.example}`,
      );
    }
    if (parsed.value === 0 && rule.allowZero !== true) {
      return this.report(
        path,
        `${describe(value)} is not longer than 0`,
        `use a positive duration, e.g. ${rule.example}`,
      );
    }
    return parsed.value;
  }

  share(value: unknown, path: string): number | undefined {
    const parsed: Parsed = parseShare(value);
    if (parsed.ok) return parsed.value;
    let fix = 'write a percentage between 0% and 100%, e.g. 10%';
    if (typeof value === 'number' && value >= 0 && value <= 1)
      fix = `write it as a percentage, e.g. ${+(value * 100).toFixed(6)}%`;
    else if (typeof value === 'number' && value > 1 && value <= 100) fix = `write it as a percentage, e.g. ${value}%`;
    return this.report(path, parsed.message, fix);
  }

  size(value: unknown, path: string): number | undefined {
    const parsed = parseSize(value);
    const fix = 'write a number and a unit (b, kb, mb or gb), e.g. 256kb';
    if (!parsed.ok) return this.report(path, parsed.message, fix);
    if (parsed.value === 0) return this.report(path, `${describe(value)} is not larger than 0`, fix);
    if (!Number.isSafeInteger(parsed.value)) return this.report(path, `${describe(value)} is too large`, fix);
    return parsed.value;
  }

  /** Key-by-key access to one mapping, with paths worked out. */
  fields(mapping: Mapping, path: string): Fields {
    return new Fields(this, mapping, path);
  }
}

/**
 * Whether a key is required: the fix shown when it is absent, and for keys that another key makes
 * required, `when` (e.g. `policy threshold`) so the message says why. Undefined for optional keys.
 */
export type Need = string | { fix: string; when: string } | undefined;

/** `fix` required because of `when`, e.g. requiredFor('aggregate mean', 'add field: ...'). */
export function requiredFor(when: string, fix: string): Need {
  return { fix, when };
}

/** The keys of one mapping. Null counts as absent, as YAML writes `key:` with no value. */
export class Fields {
  constructor(
    readonly reader: Reader,
    readonly mapping: Mapping,
    readonly path: string,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.mapping, key) && this.mapping[key] !== null;
  }

  at(key: string): string {
    return childPath(this.path, key);
  }

  raw(key: string): unknown {
    return this.has(key) ? this.mapping[key] : undefined;
  }

  /** Reports `is required` with `fix` when the key is absent; says whether it is present. */
  present(key: string, need: Need): boolean {
    if (this.has(key)) return true;
    if (typeof need === 'string') this.reader.report(this.at(key), 'is required', need);
    else if (need !== undefined) this.reader.report(this.at(key), `is required for ${need.when}`, need.fix);
    return false;
  }

  /** Reports a key that means nothing here, e.g. `threshold` under policy top_k. */
  unused(key: string, onlyFor: string, fix = 'remove it'): void {
    if (this.has(key)) this.reader.report(this.at(key), `is only used by ${onlyFor}`, fix);
  }

  private read<T>(key: string, need: Need, check: (value: unknown, path: string) => T | undefined): T | undefined {
    return this.present(key, need) ? check(this.mapping[key], this.at(key)) : undefined;
  }

  list(key: string, example: string, need?: Need): unknown[] | undefined {
    return this.read(key, need, (v, p) => this.reader.list(v, p, example));
  }

  mappingAt(key: string, keys: readonly string[], what: string, need?: Need): Mapping | undefined {
    return this.read(key, need, (v, p) => this.reader.mapping(v, p, keys, what));
  }

  string(key: string, example: string, need?: Need): string | undefined {
    return this.read(key, need, (v, p) => this.reader.string(v, p, example));
  }

  name(key: string, example: string, need?: Need, why?: string): string | undefined {
    return this.read(key, need, (v, p) => this.reader.name(v, p, example, why));
  }

  topic(key: string, need?: Need): string | undefined {
    return this.read(key, need, (v, p) => this.reader.topic(v, p));
  }

  field(key: string, need?: Need): string | undefined {
    return this.read(key, need, (v, p) => this.reader.field(v, p));
  }

  oneOf<T extends string>(key: string, symbols: readonly T[], need?: Need, listed?: string): T | undefined {
    return this.read(key, need, (v, p) => this.reader.oneOf(v, p, symbols, listed));
  }

  boolean(key: string, need?: Need): boolean | undefined {
    return this.read(key, need, (v, p) => this.reader.boolean(v, p));
  }

  number(key: string, range: NumberRange, need?: Need): number | undefined {
    return this.read(key, need, (v, p) => this.reader.number(v, p, range));
  }

  duration(key: string, rule: DurationRule, need?: Need): number | undefined {
    return this.read(key, need, (v, p) => this.reader.duration(v, p, rule));
  }

  share(key: string, need?: Need): number | undefined {
    return this.read(key, need, (v, p) => this.reader.share(v, p));
  }

  size(key: string, need?: Need): number | undefined {
    return this.read(key, need, (v, p) => this.reader.size(v, p));
  }
}
