/* global uPlot */
// What each chart draws: which series of /api/series, on which axis, in which color.
// Each builder returns { signature, opts, data } for Chart.render, plus what the titles need.

import { PSI_DRIFTED, bytes, clock, isNum, metricLabel, micros, num, pct } from './format.js';

const PALETTE = [
  '#2563eb',
  '#d97706',
  '#059669',
  '#7c3aed',
  '#db2777',
  '#0891b2',
  '#65a30d',
  '#9333ea',
  '#ea580c',
  '#0d9488',
];
const INK = '#374151';
const MUTED = '#6b7280';
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Several [ts, value] lists → uPlot's columns on one shared, sorted time axis. */
export function align(seriesMap, keys) {
  const times = new Set();
  for (const key of keys) for (const point of seriesMap?.[key] ?? []) if (isNum(point?.[0])) times.add(point[0]);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const columns = keys.map((key) => {
    const column = new Array(xs.length).fill(null);
    for (const point of seriesMap?.[key] ?? [])
      if (index.has(point?.[0]) && isNum(point[1])) column[index.get(point[0])] = point[1];
    return column;
  });
  return [xs, ...columns];
}

const hasData = (seriesMap, key) => Array.isArray(seriesMap?.[key]) && seriesMap[key].length > 0;

function axis(extra) {
  return {
    stroke: MUTED,
    font: FONT,
    grid: { stroke: '#eef0f3', width: 1 },
    ticks: { stroke: '#e5e7eb', width: 1, size: 4 },
    ...extra,
  };
}

const axisValues = (fmt) => (_u, splits) => splits.map((v) => (v === null || v === undefined ? '' : fmt(v)));

/** A y range from 0 that stays readable when every value is 0 or there is no data yet. */
const fromZero = (minTop) => (_u, _min, max) => [0, Math.max(minTop, isNum(max) ? max * 1.15 : minTop)];

function latest(column) {
  for (let i = (column?.length ?? 0) - 1; i >= 0; i--) if (isNum(column[i])) return column[i];
  return null;
}

// The legend shows the hovered point, and the latest value while the cursor is elsewhere
// (uPlot then passes idx null), so it doubles as a readout of "now".
const legendValue = (fmt) => (u, v, sidx, idx) => {
  const value = idx === null || idx === undefined ? latest(u.data[sidx]) : v;
  return isNum(value) ? fmt(value) : '—';
};

function line(label, color, { scale = 'y', fmt = num, width = 1.75, dash } = {}) {
  return { label, stroke: color, width, scale, dash, spanGaps: true, value: legendValue(fmt) };
}

const pad2 = (n) => String(n).padStart(2, '0');

/** Time ticks as 14:05:30, 14:05 or 29 Nov, depending on the spacing uPlot chose (ms). */
function timeTicks(_u, splits, _axisIdx, _space, incr) {
  return splits.map((ts) => {
    const d = new Date(ts);
    if (incr >= 86_400_000) return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    return incr >= 60_000 ? hm : `${hm}:${pad2(d.getSeconds())}`;
  });
}

/** Shared options of the time charts: epoch-ms x axis, no drag-zoom (the next tick would undo it). */
function timeOpts({ series, axes, scales, hooks }) {
  return {
    ms: 1,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: { x: { time: true }, ...scales },
    series: [{ label: 'at', value: legendValue(clock) }, ...series],
    axes: [axis({ grid: { show: false }, values: timeTicks, space: 60, size: 32 }), ...axes],
    hooks,
  };
}

// Metrics on one scale share an axis: shares and scores in 0..1 (AUC, accuracies, NDCG, MRR),
// losses, and errors in the label's units (RMSE, MAE); reward has its own.
const SCALE_FAMILY = {
  auc: 'score',
  ndcg: 'score',
  mrr: 'score',
  judged_share: 'score',
  top1_accuracy: 'score',
  topk_accuracy: 'score',
  logloss: 'loss',
  calibration_error: 'loss',
  rmse: 'error',
  mae: 'error',
};
const QUALITY_KEYS = [
  'auc',
  'logloss',
  'calibration_error',
  'rmse',
  'mae',
  'ndcg',
  'mrr',
  'reward',
  'top1_accuracy',
  'topk_accuracy',
];

/**
 * Quality: the blueprint's headline bold on the left axis, the others thin on the right. The
 * headline is the objective when the monitor measures it online, else its stand-in (top-1 accuracy
 * for a multi-class or sequence blueprint whose decisions cannot give the objective).
 */
export function qualityChart(blueprint, seriesMap) {
  const plan = blueprint?.qualityPlan;
  const main = plan?.headline ?? blueprint?.metric ?? 'auc';
  let keys = [...new Set([main, ...(plan?.metrics ?? QUALITY_KEYS)])].filter((k) => hasData(seriesMap, k));
  if (keys.length === 0) keys = [main];
  const family = (k) => SCALE_FAMILY[k] ?? k;
  const scaleOf = (k) => (family(k) === family(main) ? 'y' : 'y2');
  const hasRight = keys.some((k) => scaleOf(k) === 'y2');
  const series = keys.map((k, i) =>
    line(metricLabel(k), PALETTE[i], {
      scale: scaleOf(k),
      width: k === main ? 2.25 : 1.25,
      dash: k === main ? undefined : [4, 3],
    }),
  );
  const axes = [axis({ scale: 'y', values: axisValues(num), size: 52 })];
  if (hasRight) axes.push(axis({ scale: 'y2', side: 1, grid: { show: false }, values: axisValues(num), size: 52 }));
  return {
    keys,
    signature: `quality|${keys.map((k) => `${k}:${scaleOf(k)}`).join(',')}`,
    opts: timeOpts({ series, axes, scales: { y: {}, y2: {} } }),
    data: align(seriesMap, keys),
  };
}

export function latencyChart(seriesMap) {
  const keys = ['decide_p50_ms', 'decide_p99_ms'];
  const ms = (v) => `${num(v)} ms`;
  return {
    signature: 'latency',
    opts: timeOpts({
      series: [line('p50 (typical)', PALETTE[0], { fmt: ms }), line('p99 (slowest 1%)', PALETTE[1], { fmt: ms })],
      axes: [axis({ scale: 'y', values: axisValues(ms), size: 60 })],
      scales: { y: { range: fromZero(0.1) } },
    }),
    data: align(seriesMap, keys),
  };
}

export function trafficChart(seriesMap) {
  const keys = ['request_rate', 'fallback_rate'];
  return {
    signature: 'traffic',
    opts: timeOpts({
      series: [
        line('requests / s', PALETTE[0], { fmt: (v) => `${num(v)} /s` }),
        line('fell back to default', PALETTE[4], { scale: 'share', fmt: pct, width: 1.5 }),
      ],
      axes: [
        axis({ scale: 'y', values: axisValues(num), size: 52 }),
        axis({ scale: 'share', side: 1, grid: { show: false }, values: axisValues((v) => pct(v)), size: 56 }),
      ],
      scales: { y: { range: fromZero(1) }, share: { range: fromZero(0.01) } },
    }),
    data: align(seriesMap, keys),
  };
}

/** Draws the "drifted" line across the plot, in canvas pixels. */
function thresholdLine(value, text) {
  return (u) => {
    const y = Math.round(u.valToPos(value, 'y', true));
    if (!Number.isFinite(y) || y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
    const ratio = uPlot.pxRatio;
    const { ctx } = u;
    ctx.save();
    ctx.strokeStyle = '#dc2626';
    ctx.globalAlpha = 0.7;
    ctx.lineWidth = ratio;
    ctx.setLineDash([6 * ratio, 4 * ratio]);
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.fillStyle = '#b91c1c';
    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.textAlign = 'right';
    ctx.fillText(text, u.bbox.left + u.bbox.width - 4 * ratio, y - 4 * ratio);
    ctx.restore();
  };
}

/** Drift: PSI of the model's score and of each feature, with the 0.2 "drifted" line. */
export function driftChart(seriesMap) {
  const features = Object.keys(seriesMap ?? {})
    .filter((k) => k.startsWith('psi:'))
    .sort();
  const keys = ['prediction_psi', ...features];
  const series = [
    line('model score', INK, { width: 2.25 }),
    ...features.map((k, i) => line(k.slice(4), PALETTE[i % PALETTE.length], { width: 1.25 })),
  ];
  return {
    signature: `drift|${keys.join(',')}`,
    opts: timeOpts({
      series,
      axes: [axis({ scale: 'y', values: axisValues(num), size: 48 })],
      scales: { y: { range: fromZero(PSI_DRIFTED * 1.25) } },
      hooks: { draw: [thresholdLine(PSI_DRIFTED, `${PSI_DRIFTED} = drifted`)] },
    }),
    data: align(seriesMap, keys),
  };
}

/**
 * AutoML trade-offs: every trial as a dot (x = p99 latency, or size when latency is unknown;
 * y = the search metric), the Pareto front joined by a line, the chosen trial ringed.
 */
export function paretoChart(automl) {
  const trials = (automl?.leaderboard ?? []).filter((t) => !t.error && isNum(t.metric));
  const byLatency = trials.some((t) => isNum(t.p99Us));
  const xKey = byLatency ? 'p99Us' : 'sizeBytes';
  const xFmt = byLatency ? micros : bytes;
  const points = trials.filter((t) => isNum(t[xKey])).sort((a, b) => a[xKey] - b[xKey]);
  const front = new Set(automl?.front ?? []);
  const chosen = automl?.chosenTrial;
  const dots = (size, fill, stroke, width = 1) => ({ show: true, size, fill, stroke, width });
  // Hovered: the trial under the cursor. Otherwise: how many trials, and the chosen one.
  const valueWithTrial = (summary) => (_u, v, _s, idx) => {
    if (idx === null || idx === undefined) return summary;
    return isNum(v) ? `${num(v)} (trial ${points[idx].trial})` : '—';
  };
  const onFront = points.filter((t) => front.has(t.trial)).length;
  const chosenPoint = points.find((t) => t.trial === chosen);
  const metric = metricLabel(automl?.metric);
  return {
    byLatency,
    signature: `pareto|${xKey}|${points.map((t) => `${t.trial}${front.has(t.trial) ? '*' : ''}`).join(',')}|${chosen}`,
    opts: {
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: false } },
      series: [
        {
          label: byLatency ? 'p99 latency' : 'model size',
          value: (_u, v, _s, idx) => (idx === null || idx === undefined ? 'hover a dot' : xFmt(v)),
        },
        {
          label: `trials (${metric})`,
          stroke: '#9ca3af',
          paths: () => null,
          points: dots(7, '#e5e7eb', '#6b7280'),
          value: valueWithTrial(`${points.length}`),
        },
        {
          label: 'best trade-offs',
          stroke: PALETTE[0],
          width: 1.5,
          spanGaps: true,
          points: dots(8, PALETTE[0], PALETTE[0]),
          value: valueWithTrial(`${onFront} trials`),
        },
        {
          label: 'chosen',
          stroke: '#059669',
          paths: () => null,
          points: dots(14, 'rgba(0,0,0,0)', '#059669', 2.5),
          value: valueWithTrial(
            chosenPoint ? `trial ${chosenPoint.trial}, ${num(chosenPoint.metric)} at ${xFmt(chosenPoint[xKey])}` : '—',
          ),
        },
      ],
      axes: [axis({ values: axisValues(xFmt), size: 36 }), axis({ values: axisValues(num), size: 52 })],
    },
    data: [
      points.map((t) => t[xKey]),
      points.map((t) => t.metric),
      points.map((t) => (front.has(t.trial) ? t.metric : null)),
      points.map((t) => (t.trial === chosen ? t.metric : null)),
    ],
    emptyText: 'No finished trials to compare',
  };
}
