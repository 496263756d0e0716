// label: where outcomes come from, how they find their decision, and what label they make.
// `source` is written short (`looper.outcomes`, or a product topic name) or long
// (`{ topic, match, entity_field, format }`); both compile to the same normalised record.
import type { BlueprintEventFormat, BlueprintLabel, BlueprintLabelMatch, BlueprintTask } from '../schemas/generated.js';
import type { Reader } from './reader.js';
import { describe } from './units.js';
import { EVENT_FORMATS, LABEL_MATCHES, OUTCOMES_TOPIC } from './vocabulary.js';

const LABEL_KEYS = ['source', 'window', 'value', 'missing'] as const;
const SOURCE_KEYS = ['topic', 'match', 'entity_field', 'format'] as const;
const VALUE_KEYS = ['field'] as const;

interface Source {
  topic: string | null;
  match: BlueprintLabelMatch;
  entityField: string | null;
  format: BlueprintEventFormat;
}

const OUTCOMES_SOURCE: Source = { topic: null, match: 'decisionId', entityField: null, format: 'json' };

function compileSource(r: Reader, value: unknown, path: string): Source | undefined {
  if (value === undefined) return OUTCOMES_SOURCE;
  if (typeof value === 'string') {
    const topic = r.topic(value, path);
    if (topic === undefined) return undefined;
    return topic === OUTCOMES_TOPIC ? OUTCOMES_SOURCE : { topic, match: 'entity', entityField: null, format: 'json' };
  }
  const m = r.mapping(value, path, SOURCE_KEYS, 'a label source');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const topic = f.topic(
    'topic',
    `add topic: ${OUTCOMES_TOPIC} or the product topic whose events are outcomes, e.g. topic: app.opens`,
  );
  const isOutcomes = topic === OUTCOMES_TOPIC;
  const match = f.oneOf('match', LABEL_MATCHES) ?? (isOutcomes ? 'decisionId' : 'entity');
  if (isOutcomes) {
    if (match === 'entity')
      r.report(
        f.at('match'),
        `"entity" does not fit ${OUTCOMES_TOPIC}`,
        `remove it: ${OUTCOMES_TOPIC} is matched by decisionId`,
      );
    f.unused('entity_field', 'a product topic source', `remove it: ${OUTCOMES_TOPIC} is keyed by decision id`);
    f.unused('format', 'a product topic source', `remove it: Looper knows the format of ${OUTCOMES_TOPIC}`);
    return OUTCOMES_SOURCE;
  }
  let entityField: string | undefined;
  if (match === 'entity') entityField = f.field('entity_field');
  else f.unused('entity_field', 'match entity', 'remove it: the event is matched by its decisionId field');
  const format = f.oneOf('format', EVENT_FORMATS) ?? 'json';
  if (topic === undefined) return undefined;
  return { topic, match, entityField: entityField ?? null, format };
}

/** The label value: a constant for any outcome, or a field of the outcome. */
function compileValue(
  r: Reader,
  value: unknown,
  path: string,
  source: Source | undefined,
): { constant: number | null; field: string | null } | undefined {
  if (value === undefined) {
    // looper.outcomes records carry their own value; an event on a product topic is a positive.
    return source?.topic === null ? { constant: null, field: 'value' } : { constant: 1, field: null };
  }
  if (typeof value === 'number' && Number.isFinite(value)) return { constant: value, field: null };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const m = r.mapping(value, path, VALUE_KEYS, 'a label value');
    const field =
      m === undefined
        ? undefined
        : r.fields(m, path).field('field', 'add field: the outcome field holding the label, e.g. { field: amount }');
    return field === undefined ? undefined : { constant: null, field };
  }
  return r.report(
    path,
    `${describe(value)} is not a number or { field: name }`,
    'write value: 1 for a constant label, or value: { field: amount } to read it from the outcome',
  );
}

/** Binary classification and ranking learn a probability: their labels are 0 or 1. */
function checkBinary(r: Reader, label: number | null | undefined, path: string, task: BlueprintTask | undefined): void {
  if (
    (task !== 'classification' && task !== 'ranking') ||
    label === null ||
    label === undefined ||
    label === 0 ||
    label === 1
  )
    return;
  r.report(
    path,
    `${label} is not 0 or 1`,
    task === 'ranking'
      ? 'ranking labels are 1 for the candidate acted on and 0 for the others shown'
      : 'classification labels are 0 (no) or 1 (yes)',
  );
}

/** `multiClass`: the label names one of several classes (checked with the actions, in compile-tasks.ts). */
export function compileLabel(
  r: Reader,
  value: unknown,
  path: string,
  task: BlueprintTask | undefined,
  multiClass = false,
): BlueprintLabel | undefined {
  const m = r.mapping(value, path, LABEL_KEYS, 'a label');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const source = compileSource(r, f.raw('source'), f.at('source'));
  const windowMs = f.duration(
    'window',
    { unit: 'ms', whole: true, example: '30m' },
    'add window: how long after a decision an outcome still counts, e.g. window: 30m',
  );
  const labelValue = compileValue(r, f.raw('value'), f.at('value'), source);
  const missing = f.number('missing', { example: '0' });
  if (!multiClass) {
    checkBinary(r, labelValue?.constant, f.at('value'), task);
    checkBinary(r, missing, f.at('missing'), task);
  }
  if (source === undefined || windowMs === undefined || labelValue === undefined) return undefined;
  return {
    topic: source.topic,
    match: source.match,
    windowMs,
    valueConstant: labelValue.constant,
    valueField: labelValue.field,
    missing: missing ?? null,
    entityField: source.entityField,
    format: source.format,
  };
}
