// features: context features given by the caller, stream features computed from product events,
// and for ranking the features each candidate of a request carries.
import type { BlueprintContextFeature, BlueprintFeatures, BlueprintStreamFeature } from '../schemas/generated.js';
import { childPath } from './problem.js';
import { requiredFor, type Reader } from './reader.js';
import { AGGREGATES, CONTEXT_TYPES, EVENT_FORMATS, MAX_COUNT, WINDOWED_AGGREGATES } from './vocabulary.js';

const FEATURES_KEYS = ['context', 'streams', 'candidates'] as const;
const CONTEXT_KEYS = ['name', 'type', 'values', 'period'] as const;
const STREAM_KEYS = [
  'name',
  'topic',
  'aggregate',
  'field',
  'window',
  'half_life',
  'n',
  'lateness',
  'entity_field',
  'format',
] as const;

/**
 * The lateness of a stream feature that declares none. Producers stamp an event when it happens and
 * send it a moment later (a JVM that starts before its first send, a batch that fills, a retry),
 * so a partition's events arrive a second or two out of event-time order; under a lateness of 0
 * every one of them behind the partition's newest event was dropped. Nothing here waits for the
 * lateness to pass: an event counts the moment it arrives and a value is read as of now, and a
 * window's buckets are dropped by the newest event time whatever the lateness. What a lateness
 * costs is that a value is final only once the partition's event time is past it by the
 * lateness (a late event may still add to it), and that an event stamped that far behind by a
 * wrong clock or a replay is counted rather than dropped. 5 s covers ordinary producer skew and
 * keeps that revision horizon short against windows of minutes to days.
 */
export const DEFAULT_LATENESS_MS = 5_000;

/** Where each feature name was first declared, to report duplicates across context and streams. */
type Declared = Map<string, string>;

function declare(r: Reader, declared: Declared, name: string | undefined, featurePath: string): void {
  if (name === undefined) return;
  const first = declared.get(name);
  if (first === undefined) declared.set(name, featurePath);
  else
    r.report(
      childPath(featurePath, 'name'),
      `"${name}" is already the name of ${first}`,
      'give every feature its own name',
    );
}

function compileContextFeature(
  r: Reader,
  value: unknown,
  path: string,
  declared: Declared,
  what = 'a context feature',
): BlueprintContextFeature | undefined {
  const m = r.mapping(value, path, CONTEXT_KEYS, what);
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const name = f.name('name', 'hour', 'add name: the key callers send in context, e.g. name: hour');
  declare(r, declared, name, path);
  const type = f.oneOf('type', CONTEXT_TYPES, `add type: one of ${CONTEXT_TYPES.join(', ')}`);
  let values: string[] = [];
  if (type === 'category') {
    const list = f.list(
      'values',
      '[ios, android, web]',
      requiredFor('type category', 'add values: the known categories, e.g. values: [ios, android, web]'),
    );
    if (list !== undefined) values = compileCategoryValues(r, list, f.at('values'));
  } else if (type !== undefined) {
    f.unused('values', 'type category');
  }
  let period: number | null = null;
  if (type === 'int' || type === 'float')
    period = f.number('period', { min: 0, minExclusive: true, example: '24' }) ?? null;
  else if (type !== undefined) f.unused('period', 'type int or float');
  if (name === undefined || type === undefined) return undefined;
  return { name, type, values, period };
}

function compileCategoryValues(r: Reader, list: unknown[], path: string): string[] {
  if (list.length === 0) r.report(path, 'is empty', 'list the known categories, e.g. [ios, android, web]');
  const values: string[] = [];
  list.forEach((item, i) => {
    const value =
      typeof item === 'number' || typeof item === 'boolean' ? String(item) : r.string(item, childPath(path, i), 'ios');
    if (value === undefined) return;
    if (values.includes(value)) r.report(childPath(path, i), `"${value}" is listed twice`, 'list each category once');
    else values.push(value);
  });
  return values;
}

function compileStreamFeature(
  r: Reader,
  value: unknown,
  path: string,
  declared: Declared,
): BlueprintStreamFeature | undefined {
  const m = r.mapping(value, path, STREAM_KEYS, 'a stream feature');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const name = f.name('name', 'opens_1d', 'add name: the feature name, e.g. name: opens_1d');
  declare(r, declared, name, path);
  const topic = f.topic('topic', 'add topic: the product event topic to read, e.g. topic: app.opens');
  const aggregate = f.oneOf('aggregate', AGGREGATES, `add aggregate: one of ${AGGREGATES.join(', ')}`);

  let field: string | undefined;
  if (aggregate === 'count') f.unused('field', 'aggregates other than count', 'remove it: count counts events');
  else
    field = f.field(
      'field',
      aggregate === undefined
        ? undefined
        : requiredFor(`aggregate ${aggregate}`, `add field: the event field to ${aggregate}, e.g. field: amount`),
    );

  const windowed = aggregate !== undefined && WINDOWED_AGGREGATES.includes(aggregate);
  const windowMs = f.duration(
    'window',
    { unit: 'ms', whole: true, example: '1d' },
    windowed
      ? requiredFor(`aggregate ${aggregate}`, `add window: how far back to ${aggregate}, e.g. window: 1d`)
      : undefined,
  );

  let halfLifeMs: number | undefined;
  if (aggregate === 'ewma')
    halfLifeMs = f.duration(
      'half_life',
      { unit: 'ms', whole: true, example: '1h' },
      requiredFor('aggregate ewma', 'add half_life: how fast old events fade, e.g. half_life: 1h'),
    );
  else if (aggregate !== undefined) f.unused('half_life', 'aggregate ewma');

  let n: number | undefined;
  if (aggregate === 'last_n')
    n = f.number(
      'n',
      { min: 1, max: MAX_COUNT, integer: true, example: '10' },
      requiredFor('aggregate last_n', 'add n: how many values to keep, e.g. n: 10'),
    );
  else if (aggregate !== undefined) f.unused('n', 'aggregate last_n');

  const latenessMs =
    f.duration('lateness', { unit: 'ms', whole: true, allowZero: true, example: '5m' }) ?? DEFAULT_LATENESS_MS;
  const entityField = f.field('entity_field') ?? null;
  const format = f.oneOf('format', EVENT_FORMATS) ?? 'json';

  if (name === undefined || topic === undefined || aggregate === undefined) return undefined;
  return {
    name,
    topic,
    aggregate,
    field: field ?? null,
    windowMs: windowMs ?? null,
    halfLifeMs: halfLifeMs ?? null,
    n: n ?? null,
    latenessMs,
    entityField,
    format,
  };
}

/** The compiled features, and the names declared (also by features with other problems) for references. */
export function compileFeatures(
  r: Reader,
  value: unknown,
  path: string,
): { features: BlueprintFeatures; names: string[] } {
  const features: BlueprintFeatures = { context: [], streams: [], candidates: [] };
  const declared: Declared = new Map();
  const m = value === undefined ? {} : r.mapping(value, path, FEATURES_KEYS, 'features');
  if (m === undefined) return { features, names: [] };
  const f = r.fields(m, path);
  const context = f.list('context', '[{ name: hour, type: int }]') ?? [];
  context.forEach((item, i) => {
    const feature = compileContextFeature(r, item, childPath(f.at('context'), i), declared);
    if (feature !== undefined) features.context.push(feature);
  });
  const streams = f.list('streams', '[{ name: opens_1d, topic: app.opens, aggregate: count, window: 1d }]') ?? [];
  streams.forEach((item, i) => {
    const feature = compileStreamFeature(r, item, childPath(f.at('streams'), i), declared);
    if (feature !== undefined) features.streams.push(feature);
  });
  const candidates = f.list('candidates', '[{ name: price, type: float }]') ?? [];
  candidates.forEach((item, i) => {
    const feature = compileContextFeature(r, item, childPath(f.at('candidates'), i), declared, 'a candidate feature');
    if (feature !== undefined) features.candidates.push(feature);
  });
  return { features, names: [...declared.keys()] };
}
