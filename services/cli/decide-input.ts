// What `looper decide` and `looper outcome` read from their command line (pure): a decide
// request's context from JSON objects and key=value words, and an outcome's value. A mistake is a
// UsageError that quotes the word and says how to write it.
import { UsageError } from '../lib/errors.js';
import { parseDuration } from '../lib/blueprint/units.js';

/**
 * A key=value word's value: JSON when it reads as JSON (9, 2.5, true, null, "123"), the text
 * itself otherwise (ios), so `hour=9 platform=ios` needs no quoting; quote a number to send it as
 * a string (`zip='"01234"'`).
 */
function pairValue(key: string, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  // JSON.stringify would send 1e400 (Infinity) as null: a silent change of the caller's value.
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new UsageError(`--context: ${key}=${text} is not a finite number`, 'bad_context');
  return value;
}

/**
 * The context of a decide request from its words, in order: each a JSON object (`{"hour": 9}`) or
 * a key=value pair (`hour=9`). A key given twice is refused rather than one silently winning.
 */
export function parseDecideContext(words: readonly string[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  const set = (key: string, value: unknown, word: string) => {
    if (Object.hasOwn(context, key))
      throw new UsageError(
        `--context: ${key} is given twice (${JSON.stringify(context[key])}, then ${word}): give each feature once`,
        'bad_context',
      );
    context[key] = value;
  };
  for (const word of words) {
    if (word.trimStart().startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(word);
      } catch (error) {
        throw new UsageError(
          `--context: ${word} is not JSON (${error instanceof Error ? error.message : String(error)}); write an object like '{"hour": 9, "platform": "ios"}'`,
          'bad_context',
        );
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new UsageError(`--context: ${word} is not a JSON object`, 'bad_context');
      for (const [key, value] of Object.entries(parsed)) set(key, value, `${key} in ${word}`);
      continue;
    }
    const equals = word.indexOf('=');
    if (equals <= 0)
      throw new UsageError(
        `--context: "${word}" is neither key=value nor a JSON object; write hour=9 platform=ios or '{"hour": 9, "platform": "ios"}'`,
        'bad_context',
      );
    const key = word.slice(0, equals);
    set(key, pairValue(key, word.slice(equals + 1)), word);
  }
  return context;
}

/** An outcome's value from its word: a finite number (1 for a click, 12.5 for an amount, -1). */
export function parseOutcomeValue(word: string): number {
  const value = word.trim() === '' ? Number.NaN : Number(word);
  if (!Number.isFinite(value))
    throw new UsageError(
      `value "${word}" is not a finite number: write the outcome as a number, e.g. 1 for a click or 12.5 for an amount`,
      'bad_value',
    );
  return value;
}

/**
 * The decide request `looper decide` sends: the entity, the context from the --context words then
 * the positional ones, and the --deadline (a duration like 50ms) when given.
 */
export function decideRequest(
  entity: string,
  words: readonly string[],
  options: { context?: readonly string[]; deadline?: string },
): Record<string, unknown> {
  const request: Record<string, unknown> = {
    entity,
    context: parseDecideContext([...(options.context ?? []), ...words]),
  };
  if (options.deadline !== undefined) {
    const deadline = parseDuration(options.deadline);
    if (!deadline.ok || deadline.value <= 0)
      throw new UsageError(
        `--deadline: ${deadline.ok ? `"${options.deadline}" is not a positive duration` : deadline.message}, e.g. 50ms`,
      );
    request['deadlineMs'] = deadline.value;
  }
  return request;
}
