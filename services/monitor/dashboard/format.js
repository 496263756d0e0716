// Formatting for the dashboard: every value the API may leave null or empty becomes "—",
// so the page never shows "NaN" or "undefined" before a model or data exists.

export const DASH = '—';

/** True for a finite number; null, undefined, NaN and strings are "not known yet". */
export function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

// Three significant digits read well for values spanning decades (0.41 ms, 41.2 req/s),
// where a fixed number of decimals would print 0.00 or 41.20000.
export function num(v, digits = 3) {
  if (!isNum(v)) return DASH;
  if (v === 0) return '0';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(digits)));
}

/** A whole count with thousands separators. */
export function count(v) {
  return isNum(v) ? Math.round(v).toLocaleString('en-US') : DASH;
}

/** A share (0..1) as a percentage without the sign, e.g. 0.012 → "1.2". */
export function pctNumber(share, digits = 2) {
  return isNum(share) ? num(share * 100, digits) : DASH;
}

/** A share (0..1) as "1.2%". */
export function pct(share, digits = 2) {
  return isNum(share) ? `${pctNumber(share, digits)}%` : DASH;
}

/** A signed relative change, e.g. 0.8 → "+80%". */
export function signedPct(rel) {
  if (!isNum(rel)) return DASH;
  return `${rel > 0 ? '+' : ''}${num(rel * 100, 2)}%`;
}

/** Seconds as a value and a unit that suits its size: 12.5 s, 3.2 min, 2.1 h, 4 d. */
export function durationParts(seconds) {
  if (!isNum(seconds)) return { value: DASH, unit: '' };
  const abs = Math.abs(seconds);
  if (abs < 60) return { value: num(seconds, 3), unit: 's' };
  if (abs < 3600) return { value: num(seconds / 60, 2), unit: 'min' };
  if (abs < 86400) return { value: num(seconds / 3600, 2), unit: 'h' };
  return { value: num(seconds / 86400, 2), unit: 'd' };
}

export function duration(seconds) {
  const { value, unit } = durationParts(seconds);
  return unit ? `${value} ${unit}` : value;
}

/** How long before `now` something happened, both epoch ms (the server's clock, so skew does not matter). */
export function ago(ts, now) {
  if (!isNum(ts) || !isNum(now)) return DASH;
  const s = Math.max(0, (now - ts) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${num(s / 3600, 2)} h ago`;
  return `${num(s / 86400, 2)} d ago`;
}

/** Local time of day, with the date when it is not today. */
export function clock(ts) {
  if (!isNum(ts)) return DASH;
  const d = new Date(ts);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${time}`;
}

export function bytes(v) {
  if (!isNum(v)) return DASH;
  if (v < 1024) return `${Math.round(v)} B`;
  if (v < 1024 * 1024) return `${num(v / 1024, 2)} kB`;
  return `${num(v / 1024 / 1024, 2)} MB`;
}

export function micros(v) {
  return isNum(v) ? `${num(v)} µs` : DASH;
}

/** Plain names for metric keys; the key itself is shown in small print next to them. */
const METRIC_LABELS = {
  auc: 'AUC',
  logloss: 'log loss',
  calibration_error: 'calibration error',
  rmse: 'RMSE',
  mae: 'MAE',
  ndcg: 'NDCG',
  mrr: 'MRR',
  judged_share: 'judged share',
  reward: 'reward',
  top1_accuracy: 'top-1 accuracy',
  topk_accuracy: 'top-k accuracy',
};

export function metricLabel(key) {
  return METRIC_LABELS[key] ?? String(key ?? DASH);
}

const HIGHER_IS_BETTER = new Set(['auc', 'ndcg', 'mrr', 'reward', 'accuracy', 'top1_accuracy', 'topk_accuracy']);

/** Whether a larger value of the metric means a better model (AUC) or a worse one (log loss, RMSE). */
export function higherIsBetter(metric) {
  return HIGHER_IS_BETTER.has(metric);
}

/** One line for a product engineer on how to read the metric. */
export function metricHint(metric) {
  switch (metric) {
    case 'auc':
      return 'higher is better · 0.5 is guessing, 1 is perfect';
    case 'logloss':
      return 'lower is better';
    case 'rmse':
      return 'typical size of an error · lower is better';
    case 'mae':
      return 'average size of an error · lower is better';
    case 'top1_accuracy':
      return 'share answered with the right class first · higher is better';
    case 'topk_accuracy':
      return 'share with the right class among those returned · higher is better';
    default:
      return higherIsBetter(metric) ? 'higher is better' : 'lower is better';
  }
}

/** PSI bands used across the industry: under 0.1 stable, 0.1–0.2 shifting, above 0.2 drifted. */
export const PSI_DRIFTED = 0.2;
const PSI_SHIFTING = 0.1;

export function psiLevel(psi) {
  if (!isNum(psi)) return { level: 'unknown', text: 'not measured yet' };
  if (psi > PSI_DRIFTED) return { level: 'bad', text: 'drifted' };
  if (psi > PSI_SHIFTING) return { level: 'warn', text: 'shifting' };
  return { level: 'ok', text: 'stable' };
}

/** Compact hyper-parameters, e.g. { hidden: 16, lr: 0.01 } → "hidden 16 · lr 0.01". */
export function params(p) {
  if (p === null || typeof p !== 'object') return DASH;
  const parts = Object.entries(p).map(([k, v]) => `${k} ${isNum(v) ? num(v) : String(v)}`);
  return parts.length > 0 ? parts.join(' · ') : DASH;
}
