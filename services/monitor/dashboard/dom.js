/* global document, Node */
// A tiny element builder. Text always goes in as text nodes, never as HTML, so names and
// alert messages from the API cannot inject markup.

/**
 * h('td', { class: 'num', 'data-metric': 'x' }, 'text', child, null)
 * Props starting with "on" become listeners; false/null/undefined props and children are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Small print next to a plain label: the metric's name in the API. */
export function small(text) {
  return h('small', { class: 'key' }, text);
}

/**
 * A table from column definitions: [{ title, key?, num?, cell(row) }].
 * rowProps(row) adds attributes (class, data-*) to each row.
 */
export function table(columns, rows, rowProps = () => ({})) {
  return h(
    'table',
    { class: 'table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        columns.map((c) => h('th', { class: c.num ? 'num' : null }, c.title)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((row) =>
        h(
          'tr',
          rowProps(row),
          columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.cell(row))),
        ),
      ),
    ),
  );
}

/** A short, calm sentence for a section that has nothing to show yet. */
export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/** Replace a container's content; accepts the same children as h(). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}
