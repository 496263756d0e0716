// The selected blueprint at a glance: title, current numbers, deployment and features.
// Every function fills one container from the overview; they run on every tick.

import { empty, fill, h, small, table } from './dom.js';
import {
  DASH,
  ago,
  count,
  durationParts,
  isNum,
  metricHint,
  metricLabel,
  num,
  pctNumber,
  psiLevel,
  pct,
} from './format.js';

/** Which alert rule concerns which current number, so that number can be marked. */
const RULE_METRIC = {
  decide_p99: 'decideP99Ms',
  fallback_rate: 'fallbackRate',
  label_rate: 'labelRate',
  model_age: 'modelAgeS',
  metric_drop: 'quality',
};

const openAlerts = (bp) => (bp.alerts ?? []).filter((a) => a.state !== 'cleared');

export function renderHead(el, bp) {
  const cur = bp.current ?? {};
  const alerts = openAlerts(bp);
  fill(
    el,
    h(
      'div',
      { class: 'bp-title' },
      h('h1', null, bp.name),
      h(
        'span',
        { class: 'bp-meta' },
        [
          isNum(bp.version) ? `version ${bp.version}` : null,
          bp.task,
          bp.metric ? `judged by ${metricLabel(bp.metric)}` : null,
          bp.experiment ? `in experiment ${bp.experiment.name}` : null,
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
    cur.modelVersion
      ? null
      : h(
          'p',
          { class: 'hint' },
          h('strong', null, 'No model yet: the default decision answers. '),
          'Quality and drift appear once a model is trained from the outcomes that arrive.',
        ),
    bp.qualityPlan?.note
      ? h('p', { class: 'note', 'data-quality-note': '' }, `Quality: ${bp.qualityPlan.note}.`)
      : null,
    alerts.length === 0
      ? null
      : h(
          'div',
          { class: 'bp-alerts' },
          h('strong', null, alerts.length === 1 ? '1 open alert: ' : `${alerts.length} open alerts: `),
          alerts.map((a, i) => [
            i > 0 ? ' · ' : null,
            h('span', { class: `sev-${a.severity ?? 'warning'}` }, a.message ?? a.rule),
          ]),
        ),
  );
}

function stat({ metric, label, keyName, raw, value, unit, sub, flagged }) {
  return h(
    'div',
    { class: `stat${flagged ? ' flagged' : ''}` },
    h('div', { class: 'stat-label' }, label, ' ', small(keyName)),
    h(
      'div',
      { class: 'stat-value' },
      h('span', { 'data-metric': metric, 'data-value': isNum(raw) ? raw : null }, value),
      unit && value !== DASH ? h('span', { class: 'unit' }, unit) : null,
    ),
    h('div', { class: 'stat-sub' }, sub),
  );
}

export function renderNumbers(el, bp) {
  const cur = bp.current ?? {};
  const quality = cur.quality ?? {};
  // The objective when the monitor measures it online, else its stand-in (see the quality note).
  const main = bp.qualityPlan?.headline ?? bp.metric ?? Object.keys(quality)[0] ?? 'auc';
  const flagged = new Set(
    openAlerts(bp)
      .map((a) => RULE_METRIC[a.rule])
      .filter(Boolean),
  );
  const others = Object.entries(quality).filter(([k, v]) => k !== main && isNum(v));
  const age = durationParts(cur.modelAgeS);
  fill(
    el,
    stat({
      metric: 'requestRate',
      label: 'Requests / s',
      keyName: 'request_rate',
      raw: cur.requestRate,
      value: num(cur.requestRate),
      sub: isNum(cur.decisions) ? `${count(cur.decisions)} decisions so far` : 'no decisions yet',
    }),
    stat({
      metric: 'decideP99Ms',
      label: 'Decide latency p99',
      keyName: 'decide_p99_ms',
      raw: cur.decideP99Ms,
      value: num(cur.decideP99Ms),
      unit: 'ms',
      sub: isNum(cur.decideP50Ms) ? `typical (p50): ${num(cur.decideP50Ms)} ms` : 'slowest 1% of decisions',
      flagged: flagged.has('decideP99Ms'),
    }),
    stat({
      metric: 'fallbackRate',
      label: 'Share that fell back to the default',
      keyName: 'fallback_rate',
      raw: cur.fallbackRate,
      value: pctNumber(cur.fallbackRate),
      unit: '%',
      sub: 'answered without the model',
      flagged: flagged.has('fallbackRate'),
    }),
    stat({
      metric: 'labelRate',
      label: 'Share with an outcome',
      keyName: 'label_rate',
      raw: cur.labelRate,
      value: pctNumber(cur.labelRate),
      unit: '%',
      sub: isNum(cur.examples) ? `${count(cur.examples)} labelled examples` : 'no outcomes yet',
      flagged: flagged.has('labelRate'),
    }),
    stat({
      metric: 'quality',
      label: `Quality (${metricLabel(main)})`,
      keyName: `quality.${main}`,
      raw: quality[main],
      value: num(quality[main]),
      flagged: flagged.has('quality'),
      sub:
        others.length > 0
          ? others.map(([k, v]) => `${metricLabel(k)} ${num(v)}`).join(' · ')
          : cur.modelVersion
            ? metricHint(main)
            : 'no model yet',
    }),
    stat({
      metric: 'modelAgeS',
      label: 'Model age',
      keyName: 'model_age_s',
      raw: cur.modelAgeS,
      value: age.value,
      unit: age.unit,
      sub: cur.modelVersion ?? 'no model yet',
      flagged: flagged.has('modelAgeS'),
    }),
  );
}

function role(label, keyName, value, note) {
  return h(
    'div',
    { class: 'role' },
    h('div', { class: 'role-label' }, label, ' ', small(keyName)),
    h('div', { class: 'role-value' }, value),
    note ? h('div', { class: 'role-note' }, note) : null,
  );
}

const modelName = (v) => (v ? h('code', null, v) : h('span', { class: 'muted' }, 'none'));

export function renderDeployment(el, bp, now) {
  const d = bp.deployment;
  const title = h('h2', null, 'Deployment ', small('deployment'));
  if (!d || (!d.live && !d.served && !d.canary && (d.shadows ?? []).length === 0)) {
    fill(el, title, empty('No model deployed yet: the default decision answers every request.'));
    return;
  }
  const shadows = d.shadows ?? [];
  const transitions = [...(d.transitions ?? [])].sort((a, b) => (b.ts ?? 0) - (a.ts ?? 0)).slice(0, 5);
  fill(
    el,
    title,
    h(
      'div',
      { class: 'roles' },
      role('Live model', 'live', modelName(d.live), 'the model that won its rollout'),
      role(
        'Answering now',
        'served',
        modelName(d.served),
        d.served && d.live && d.served !== d.live
          ? 'the live model, kept learning from new outcomes'
          : 'the version that decides',
      ),
      role('Canary', 'canary', modelName(d.canary), d.canary ? 'tried on a share of entities' : 'no model on trial'),
      role(
        'Shadows',
        'shadows',
        shadows.length > 0 ? shadows.map((s) => h('div', null, modelName(s))) : modelName(null),
        'score every request, but never answer',
      ),
    ),
    transitions.length === 0
      ? null
      : [
          h('h3', null, 'Recent changes ', small('transitions')),
          table(
            [
              {
                title: 'When',
                cell: (t) => h('span', { title: isNum(t.ts) ? new Date(t.ts).toLocaleString() : null }, ago(t.ts, now)),
              },
              { title: 'Model', cell: (t) => modelName(t.modelVersion) },
              { title: 'Change', cell: (t) => `${t.from ?? DASH} → ${t.to ?? DASH}` },
              { title: 'Why', cell: (t) => t.reason ?? DASH },
            ],
            transitions,
          ),
        ],
  );
}

function psiBadge(psi) {
  const { level, text } = psiLevel(psi);
  return h('span', { class: `badge ${level}` }, text);
}

export function renderFeatures(el, bp) {
  const cur = bp.current ?? {};
  const features = cur.features ?? [];
  const title = h('h2', null, 'Features ', small('current.features'));
  const legend = h(
    'p',
    { class: 'note' },
    'Drift (PSI) compares recent values with the ones the model learned from: under 0.1 stable, 0.1–0.2 shifting, above 0.2 drifted.',
  );
  const late = lateEvents(bp);
  if (features.length === 0) {
    fill(el, title, empty('No features measured yet.'), late);
    return;
  }
  fill(
    el,
    title,
    table(
      [
        { title: 'Feature', cell: (f) => h('code', null, f.name) },
        { title: 'Drift (PSI)', num: true, cell: (f) => num(f.psi) },
        { title: 'Status', cell: (f) => psiBadge(f.psi) },
        { title: 'Missing share', num: true, cell: (f) => pct(f.missingRate) },
      ],
      features,
      (f) => ({ 'data-feature': f.name }),
    ),
    h(
      'p',
      { class: 'note' },
      'Model score drift ',
      small('prediction_psi'),
      `: ${num(cur.predictionPsi)} `,
      psiBadge(cur.predictionPsi),
    ),
    cur.driftReference ? h('p', { class: 'note', 'data-drift-reference': '' }, `Drift: ${cur.driftReference}.`) : null,
    legend,
    late,
  );
}

/** Over 1% of a feature's events dropped as too late: the features service warns, the monitor alerts. */
function lateBadge(f) {
  if (!isNum(f.droppedShare)) return h('span', { class: 'badge unknown' }, 'no events');
  return f.tooMany ? h('span', { class: 'badge bad' }, 'losing events') : h('span', { class: 'badge ok' }, 'ok');
}

/** Lateness in the blueprint's own words: 5s, 2m, 250ms. */
function latenessText(ms) {
  if (!isNum(ms)) return DASH;
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ]) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function lateEvents(bp) {
  const rows = bp.lateness ?? [];
  if (rows.length === 0) return null;
  return [
    h('h3', null, 'Late events, last 2 min ', small('lateness')),
    table(
      [
        { title: 'Feature', cell: (f) => h('code', null, f.feature) },
        { title: 'Topic', cell: (f) => h('code', null, f.topic) },
        { title: 'Lateness', cell: (f) => latenessText(f.latenessMs) },
        { title: 'Events', num: true, cell: (f) => count(f.events) },
        { title: 'Late, applied', num: true, cell: (f) => count(f.lateApplied) },
        { title: 'Too late, dropped', num: true, cell: (f) => count(f.lateDropped) },
        { title: 'Dropped share', num: true, cell: (f) => pct(f.droppedShare) },
        { title: 'Status', cell: lateBadge },
      ],
      rows,
      (f) => ({ 'data-late-feature': f.feature }),
    ),
    h(
      'p',
      { class: 'note' },
      "An event behind the newest event time of its partition is late: within the feature's lateness it still counts, beyond it it is dropped.",
    ),
  ];
}
