// The left column: everything that is not about one blueprint — the list of blueprints,
// all alerts, and how far behind the consumers are.

import { empty, fill, h, small, table } from './dom.js';
import { DASH, ago, count, isNum } from './format.js';

export const hashFor = (name) => `#bp=${encodeURIComponent(name)}`;

const openCount = (bp) => (bp.alerts ?? []).filter((a) => a.state !== 'cleared').length;

export function renderBlueprintList(el, blueprints, selected) {
  if (blueprints.length === 0) {
    fill(el, empty('No blueprints yet. Declare one and it appears here.'));
    return;
  }
  fill(
    el,
    blueprints.map((bp) => {
      const alerts = openCount(bp);
      return h(
        'a',
        {
          class: 'bp-item',
          href: hashFor(bp.name),
          'data-blueprint': bp.name,
          'aria-current': bp.name === selected ? 'page' : null,
        },
        h('span', { class: 'bp-name' }, bp.name),
        alerts > 0
          ? h(
              'span',
              { class: 'badge alert-count', title: `${alerts} open alert${alerts === 1 ? '' : 's'}` },
              String(alerts),
            )
          : null,
        h(
          'span',
          { class: 'bp-sub' },
          [isNum(bp.version) ? `v${bp.version}` : null, bp.task].filter(Boolean).join(' · ') || DASH,
        ),
      );
    }),
  );
}

const SEVERITY_ORDER = { critical: 0, error: 0, warning: 1, info: 2 };

/** Raised before cleared; within raised the most severe first; newest first otherwise. */
function alertOrder(a, b) {
  const cleared = (x) => (x.state === 'cleared' ? 1 : 0);
  return (
    cleared(a) - cleared(b) ||
    (cleared(a) ? 0 : (SEVERITY_ORDER[a.severity] ?? 1) - (SEVERITY_ORDER[b.severity] ?? 1)) ||
    (b.ts ?? 0) - (a.ts ?? 0)
  );
}

/** Cleared alerts are history; a few are enough to see what just recovered. */
const CLEARED_SHOWN = 10;

function alertItem(a, now) {
  const cleared = a.state === 'cleared';
  return h(
    'li',
    {
      class: `alert sev-${a.severity ?? 'warning'}${cleared ? ' cleared' : ''}`,
      'data-alert-rule': a.rule,
      'data-alert-state': a.state,
      'data-alert-id': a.alertId,
    },
    h('div', { class: 'alert-message' }, a.message ?? a.rule ?? 'alert'),
    h(
      'div',
      { class: 'alert-meta' },
      a.blueprint ? h('a', { href: hashFor(a.blueprint) }, a.blueprint) : null,
      ` · ${cleared ? 'cleared' : (a.severity ?? 'warning')} · ${ago(a.ts, now)} `,
      small(a.rule),
    ),
  );
}

export function renderAlerts(el, alerts, now) {
  const raised = alerts.filter((a) => a.state !== 'cleared').sort(alertOrder);
  const cleared = alerts
    .filter((a) => a.state === 'cleared')
    .sort(alertOrder)
    .slice(0, CLEARED_SHOWN);
  fill(
    el,
    raised.length === 0
      ? empty(cleared.length === 0 ? 'No alerts. All quiet.' : 'No open alerts. Recently cleared:')
      : null,
    raised.length + cleared.length === 0
      ? null
      : h(
          'ul',
          { class: 'alerts' },
          [...raised, ...cleared].map((a) => alertItem(a, now)),
        ),
  );
}

export function renderLag(el, lag) {
  if (lag.length === 0) {
    fill(el, empty('No consumer groups reported.'));
    return;
  }
  fill(
    el,
    table(
      [
        {
          title: 'Consumer · topic',
          cell: (r) => [h('code', null, r.group), h('div', null, h('small', { class: 'key' }, r.topic))],
        },
        { title: 'Behind', num: true, cell: (r) => (isNum(r.lag) ? count(r.lag) : DASH) },
      ],
      lag,
      (r) => ({ 'data-lag-group': r.group, 'data-lag-topic': r.topic }),
    ),
  );
}
