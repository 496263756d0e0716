// monitoring (guardrails and alerts) and experiment (an A/B test between blueprints).
import type {
  BlueprintAlert,
  BlueprintExperiment,
  BlueprintGuardrail,
  BlueprintMonitoring,
} from '../schemas/generated.js';
import { childPath } from './problem.js';
import { requiredFor, type Fields, type Need, type Reader } from './reader.js';
import { closest } from './suggest.js';
import { describe } from './units.js';
import { ALERT_KINDS, ALERT_RULES, EVENT_FORMATS, LABEL_MATCHES, type AlertThresholdKey } from './vocabulary.js';

const MONITORING_KEYS = ['guardrails', 'alerts'] as const;
const GUARDRAIL_KEYS = ['name', 'topic', 'match', 'window', 'field', 'entity_field', 'format'] as const;
const ALERT_KEYS = ['on', 'psi', 'above', 'below', 'feature', 'guardrail'] as const;
const EXPERIMENT_KEYS = ['name', 'arms'] as const;
const THRESHOLD_KEYS: readonly AlertThresholdKey[] = ['psi', 'above', 'below'];

/** Shares are compared with this tolerance, so 33.3% + 33.3% + 33.4% adds up to 100%. */
const SHARE_TOLERANCE = 1e-9;

function compileGuardrail(r: Reader, value: unknown, path: string, seen: Set<string>): BlueprintGuardrail | undefined {
  const m = r.mapping(value, path, GUARDRAIL_KEYS, 'a guardrail');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const name = f.name(
    'name',
    'unsubscribes',
    'add name: what the side effect is, e.g. name: unsubscribes',
    'it names a metric',
  );
  if (name !== undefined && seen.has(name))
    r.report(f.at('name'), `"${name}" is already the name of a guardrail`, 'give every guardrail its own name');
  if (name !== undefined) seen.add(name);
  const topic = f.topic(
    'topic',
    'add topic: the product topic whose events are the side effect, e.g. topic: app.unsubscribes',
  );
  const match = f.oneOf('match', LABEL_MATCHES) ?? 'entity';
  const windowMs = f.duration(
    'window',
    { unit: 'ms', whole: true, example: '1d' },
    'add window: how long after a decision an event still counts, e.g. window: 1d',
  );
  const field = f.field('field') ?? null;
  let entityField: string | undefined;
  if (match === 'entity') entityField = f.field('entity_field');
  else f.unused('entity_field', 'match entity', 'remove it: the event is matched by its decisionId field');
  const format = f.oneOf('format', EVENT_FORMATS) ?? 'json';
  if (name === undefined || topic === undefined || windowMs === undefined) return undefined;
  return { name, topic, match, windowMs, field, entityField: entityField ?? null, format };
}

/** A reference to a declared feature or guardrail, with a did-you-mean for near misses. */
function reference(
  r: Reader,
  f: Fields,
  key: 'feature' | 'guardrail',
  declared: readonly string[],
  need?: Need,
): string | undefined {
  const name = f.string(key, declared[0] ?? key, need);
  if (name === undefined || declared.includes(name)) return name;
  const near = closest(name, declared);
  const fix =
    near !== undefined
      ? `did you mean ${near}?`
      : declared.length > 0
        ? `use one of ${declared.join(', ')}`
        : `declare the ${key} first`;
  return r.report(f.at(key), `"${name}" is not a ${key} of this blueprint`, fix);
}

function compileAlert(
  r: Reader,
  value: unknown,
  path: string,
  features: readonly string[],
  guardrails: readonly string[],
): BlueprintAlert | undefined {
  const m = r.mapping(value, path, ALERT_KEYS, 'an alert');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const on = f.oneOf('on', ALERT_KINDS, `add on: one of ${ALERT_KINDS.join(', ')}`);
  if (on === undefined) return undefined;
  const rule = ALERT_RULES[on];
  const alert: BlueprintAlert = {
    on,
    psi: null,
    aboveMs: null,
    above: null,
    below: null,
    feature: null,
    guardrail: null,
  };
  const notUsed = (key: string): void => {
    if (f.has(key)) r.report(f.at(key), `is not used by alert ${on}`, `remove it; alert ${on} takes ${rule.example}`);
  };
  for (const key of THRESHOLD_KEYS) if (key !== rule.threshold) notUsed(key);
  const need = requiredFor(`alert ${on}`, `add ${rule.example}`);
  const key = rule.threshold;
  let threshold: number | undefined;
  switch (rule.unit) {
    case 'psi':
      threshold = f.number(key, { min: 0, minExclusive: true, example: '0.2' }, need);
      break;
    case 'number':
      threshold = f.number(key, { min: 0, minExclusive: true, example: '0.02' }, need);
      break;
    case 'share':
      threshold = f.share(key, need);
      break;
    case 'duration':
      threshold = f.duration(key, { unit: 'ms', example: rule.example.replace(/^\w+: /, '') }, need);
      break;
  }
  if (rule.unit === 'duration') alert.aboveMs = threshold ?? null;
  else alert[key] = threshold ?? null;

  if (rule.reference === 'feature') alert.feature = reference(r, f, 'feature', features) ?? null;
  else notUsed('feature');
  if (rule.reference === 'guardrail') {
    alert.guardrail =
      reference(
        r,
        f,
        'guardrail',
        guardrails,
        requiredFor(
          'alert guardrail',
          `add guardrail: the name of the guardrail watched, e.g. guardrail: ${guardrails[0] ?? 'unsubscribes'}`,
        ),
      ) ?? null;
  } else notUsed('guardrail');
  return alert;
}

export function compileMonitoring(
  r: Reader,
  value: unknown,
  path: string,
  features: readonly string[],
): BlueprintMonitoring | undefined {
  const m = value === undefined ? {} : r.mapping(value, path, MONITORING_KEYS, 'monitoring');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const monitoring: BlueprintMonitoring = { guardrails: [], alerts: [] };
  const seen = new Set<string>();
  (f.list('guardrails', '[{ name: unsubscribes, topic: app.unsubscribes, window: 1d }]') ?? []).forEach((item, i) => {
    const guardrail = compileGuardrail(r, item, childPath(f.at('guardrails'), i), seen);
    if (guardrail !== undefined) monitoring.guardrails.push(guardrail);
  });
  (f.list('alerts', '[{ on: decide_p99, above: 10ms }]') ?? []).forEach((item, i) => {
    const alert = compileAlert(r, item, childPath(f.at('alerts'), i), features, [...seen]);
    if (alert !== undefined) monitoring.alerts.push(alert);
  });
  return monitoring;
}

function percent(share: number): string {
  return `${+(share * 100).toFixed(4)}%`;
}

export function compileExperiment(
  r: Reader,
  value: unknown,
  path: string,
  blueprint: string | undefined,
): BlueprintExperiment | null | undefined {
  if (value === undefined) return null;
  const m = r.mapping(value, path, EXPERIMENT_KEYS, 'an experiment');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const name = f.name(
    'name',
    'notif_v2',
    'add name: the experiment name shared by its arms, e.g. name: notif_v2',
    'it names metrics and reports',
  );
  const example = `{ ${blueprint ?? 'notification_send'}: 50%, ${blueprint ?? 'notification_send'}_v2: 50% }`;
  if (!f.present('arms', `add arms: the blueprints compared and their shares, e.g. arms: ${example}`)) return undefined;
  const armsValue = f.raw('arms');
  if (typeof armsValue !== 'object' || armsValue === null || Array.isArray(armsValue)) {
    return r.report(
      f.at('arms'),
      `${describe(armsValue)} is not a mapping`,
      `write each arm's blueprint and share, e.g. arms: ${example}`,
    );
  }
  const arms: Record<string, number> = {};
  let complete = true;
  for (const [arm, share] of Object.entries(armsValue)) {
    const armPath = childPath(f.at('arms'), arm);
    const armName = r.name(arm, armPath, blueprint ?? 'notification_send');
    const armShare = r.share(share, armPath);
    if (armName === undefined || armShare === undefined) complete = false;
    else arms[armName] = armShare;
  }
  const total = Object.values(arms).reduce((sum, share) => sum + share, 0);
  if (complete && Math.abs(total - 1) > SHARE_TOLERANCE) {
    r.report(f.at('arms'), `shares add up to ${percent(total)}, not 100%`, "make the arms' shares add up to 100%");
  }
  if (blueprint !== undefined && !Object.hasOwn(armsValue, blueprint)) {
    r.report(f.at('arms'), `does not include this blueprint, ${blueprint}`, `add ${blueprint}: its share of traffic`);
  }
  if (name === undefined) return undefined;
  return { name, arms };
}
