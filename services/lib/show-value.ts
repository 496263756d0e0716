// A value received from a caller, shown in an error message (pure). Bounded whatever it is: a
// string of 100 KB or a list nested 10,000 deep is shown in at most MAX_SHOWN characters, and
// nothing recurses deeper than MAX_SHOWN_DEPTH (JSON.stringify of a 10,000-deep value overflows the
// stack, so a refusal that quoted it would fail instead of answering).

/** The longest text a shown value takes in a message, the ellipsis aside. */
export const MAX_SHOWN = 80;
/** Lists and objects nested deeper than this are shown as […] and {…}. */
export const MAX_SHOWN_DEPTH = 3;

/** JSON-like text for `value`, numbers JSON cannot show (1e400 parses to Infinity) readable, cut at MAX_SHOWN with "…". */
export function showValue(value: unknown): string {
  const text = render(value, 0);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

function render(value: unknown, depth: number): string {
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_SHOWN ? value.slice(0, MAX_SHOWN) : value);
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) {
    if (depth >= MAX_SHOWN_DEPTH) return value.length === 0 ? '[]' : '[…]';
    return `[${joinBounded(value, (item) => render(item, depth + 1))}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (depth >= MAX_SHOWN_DEPTH) return keys.length === 0 ? '{}' : '{…}';
    const record = value as Record<string, unknown>;
    return `{${joinBounded(keys, (key) => `${render(key, MAX_SHOWN_DEPTH)}:${render(record[key], depth + 1)}`)}}`;
  }
  return typeof value;
}

/** The items' texts joined by commas until they pass MAX_SHOWN; the rest is "…" (showValue cuts the total). */
function joinBounded<T>(items: readonly T[], text: (item: T) => string): string {
  let joined = '';
  for (let i = 0; i < items.length; i++) {
    if (joined.length > MAX_SHOWN) return `${joined},…`;
    joined += (i === 0 ? '' : ',') + text(items[i]!);
  }
  return joined;
}
