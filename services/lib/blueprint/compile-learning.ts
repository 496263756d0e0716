// automl (the search space), training (continual learning) and rollout (shadow → canary → live).
import type {
  BlueprintAutoml,
  BlueprintModelFamily,
  BlueprintRollout,
  BlueprintTask,
  BlueprintTraining,
} from '../schemas/generated.js';
import { DEFAULT_PROPENSITY_FLOOR } from '../stats/weighted-metrics.js';
import { childPath } from './problem.js';
import type { Reader } from './reader.js';
import { describe, parseDuration } from './units.js';
import { FAMILY_MISFITS, MODEL_FAMILIES } from './vocabulary.js';

const AUTOML_KEYS = ['families', 'budget', 'schedule'] as const;
const TRAINING_KEYS = ['online', 'publish_every', 'retrain', 'propensity_clip', 'forget'] as const;
const FORGET_KEYS = ['half_life'] as const;
const ROLLOUT_KEYS = ['shadow', 'promote_if', 'canary', 'rollback_if'] as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** More candidates than this per search would take days to train; it also keeps the Avro int in range. */
const MAX_BUDGET = 10_000;

export const AUTOML_DEFAULTS = { budget: 30, scheduleMs: DAY_MS } as const;
/**
 * forget's default half-life, a day of decision time. What forgetting costs depends on how many
 * decisions a half-life holds: measured (bandits/forgetting.test.ts), a bandit keeps 99 % of its
 * lift in a steady world at 2,400 a half-life and 87.5 % at 300, while it follows an abrupt change
 * in about three half-lives whatever their length. A day costs a blueprint of a few thousand decisions a
 * day next to nothing, and lets it recover in days rather than never; the automl schedule and the
 * retrain are daily by default too. A busier blueprint can afford a shorter one and should take it
 * (docs/blueprints.md).
 */
export const DEFAULT_FORGET_HALF_LIFE_MS = DAY_MS;
export const TRAINING_DEFAULTS = {
  online: true,
  publishEveryMs: 30_000,
  retrainMs: DAY_MS,
  propensityClip: DEFAULT_PROPENSITY_FLOOR,
  forgetHalfLifeMs: DEFAULT_FORGET_HALF_LIFE_MS,
} as const;
export const ROLLOUT_DEFAULTS = { minExamples: 1000, metricGain: 0, canary: 0.1, metricDrop: 0.01 } as const;

/** The families searched when a blueprint names none: each can learn the task's labels. */
export function defaultFamilies(task: BlueprintTask): BlueprintModelFamily[] {
  return task === 'estimation' ? ['linear', 'mlp', 'gbdt'] : ['logistic', 'mlp', 'gbdt'];
}

function compileFamilies(
  r: Reader,
  list: unknown[],
  path: string,
  task: BlueprintTask | undefined,
): BlueprintModelFamily[] {
  if (list.length === 0) r.report(path, 'is empty', `list the families to search, e.g. [${MODEL_FAMILIES.join(', ')}]`);
  const families: BlueprintModelFamily[] = [];
  list.forEach((item, i) => {
    const family = r.oneOf(item, childPath(path, i), MODEL_FAMILIES);
    if (family === undefined) return;
    const misfit = FAMILY_MISFITS.find((m) => m.family === family && m.task === task);
    if (families.includes(family)) r.report(childPath(path, i), `"${family}" is listed twice`, 'list each family once');
    else if (misfit !== undefined)
      r.report(childPath(path, i), `"${family}" does not fit task ${misfit.task}`, `use ${misfit.instead}`);
    else families.push(family);
  });
  return families;
}

export function compileAutoml(
  r: Reader,
  value: unknown,
  path: string,
  task: BlueprintTask | undefined,
): BlueprintAutoml | undefined {
  const m = value === undefined ? {} : r.mapping(value, path, AUTOML_KEYS, 'automl');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const list = f.list('families', `[${MODEL_FAMILIES.join(', ')}]`);
  const families = list === undefined ? undefined : compileFamilies(r, list, f.at('families'), task);
  const budget =
    f.number('budget', { min: 1, max: MAX_BUDGET, integer: true, example: '30' }) ?? AUTOML_DEFAULTS.budget;
  const scheduleMs = f.duration('schedule', { unit: 'ms', whole: true, example: '6h' }) ?? AUTOML_DEFAULTS.scheduleMs;
  if (task === undefined) return undefined;
  return { families: families ?? defaultFamilies(task), budget, scheduleMs };
}

/** Why propensity_clip lies strictly between 0 and 1, told with every problem it has. */
const PROPENSITY_CLIP_WHY =
  'each example is learned with weight 1/propensity, and a propensity below propensity_clip weighs 1/propensity_clip: ' +
  'at 0 one rarely explored example could outweigh all the others, at 1 every example would weigh the same and the ' +
  "weights would no longer undo the live model's choice of what it learns from";

/** training.propensity_clip: a probability strictly between 0 and 1, written as a number. */
function compilePropensityClip(r: Reader, value: unknown, path: string): number | undefined {
  const example = `e.g. ${DEFAULT_PROPENSITY_FLOOR} (the default)`;
  const percent = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value) : null;
  if (percent !== null)
    return r.report(
      path,
      `${describe(value)} is a share, not a propensity`,
      `write it as a number, e.g. ${+(Number(percent[1]) / 100).toFixed(6)}`,
    );
  if (typeof value !== 'number' || !Number.isFinite(value))
    return r.report(path, `${describe(value)} is not a number`, `use a propensity between 0 and 1, ${example}`);
  if (value <= 0 || value >= 1)
    return r.report(
      path,
      `${value} is not between 0 and 1 (both excluded)`,
      `use a small propensity, ${example}: ${PROPENSITY_CLIP_WHY}`,
    );
  return value;
}

/** Why a learner forgets, told with every problem of training.forget. */
const FORGET_WHY =
  "an example's weight halves every half_life of decision time, so what the world taught long ago fades and a " +
  'changed world is learned; never (or forget: none) keeps every example at full weight forever';

/**
 * training.forget: none, or { half_life: <duration> | never }: the half-life in ms, null for never;
 * undefined after a problem.
 */
function compileForget(r: Reader, value: unknown, path: string): number | null | undefined {
  const fix = `write forget: { half_life: 1d } (the default), or forget: none: ${FORGET_WHY}`;
  if (value === 'none') return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return r.report(path, `${describe(value)} is neither none nor a mapping`, fix);
  const m = r.mapping(value, path, FORGET_KEYS, 'forget');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  if (!f.present('half_life', `add half_life: a duration like 1d, or never: ${FORGET_WHY}`)) return undefined;
  const halfLife = f.raw('half_life');
  if (halfLife === 'never') return null;
  if (typeof halfLife === 'string' && !parseDuration(halfLife).ok)
    return r.report(
      f.at('half_life'),
      `${describe(halfLife)} is neither a duration like 1d nor never`,
      `write half_life: 1d, or half_life: never: ${FORGET_WHY}`,
    );
  return f.duration('half_life', { unit: 'ms', whole: true, example: '1d' });
}

export function compileTraining(r: Reader, value: unknown, path: string): BlueprintTraining | undefined {
  const m = value === undefined ? {} : r.mapping(value, path, TRAINING_KEYS, 'training');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const propensityClip = f.has('propensity_clip')
    ? compilePropensityClip(r, f.raw('propensity_clip'), f.at('propensity_clip'))
    : TRAINING_DEFAULTS.propensityClip;
  return {
    online: f.boolean('online') ?? TRAINING_DEFAULTS.online,
    publishEveryMs:
      f.duration('publish_every', { unit: 'ms', whole: true, example: '30s' }) ?? TRAINING_DEFAULTS.publishEveryMs,
    retrainMs: f.duration('retrain', { unit: 'ms', whole: true, example: '1d' }) ?? TRAINING_DEFAULTS.retrainMs,
    propensityClip: propensityClip ?? TRAINING_DEFAULTS.propensityClip,
    forgetHalfLifeMs: f.has('forget')
      ? (compileForget(r, f.raw('forget'), f.at('forget')) ?? null)
      : TRAINING_DEFAULTS.forgetHalfLifeMs,
  };
}

export function compileRollout(r: Reader, value: unknown, path: string): BlueprintRollout | undefined {
  const m = value === undefined ? {} : r.mapping(value, path, ROLLOUT_KEYS, 'a rollout');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const shadow = r.fields(f.mappingAt('shadow', ['min_examples'], 'shadow') ?? {}, f.at('shadow'));
  const promoteIf = r.fields(f.mappingAt('promote_if', ['metric_gain'], 'promote_if') ?? {}, f.at('promote_if'));
  const canary = f.share('canary') ?? ROLLOUT_DEFAULTS.canary;
  const rollbackIf = r.fields(f.mappingAt('rollback_if', ['metric_drop'], 'rollback_if') ?? {}, f.at('rollback_if'));
  return {
    shadow: {
      minExamples:
        shadow.number('min_examples', { min: 0, integer: true, example: '2000' }) ?? ROLLOUT_DEFAULTS.minExamples,
    },
    promoteIf: {
      metricGain: promoteIf.number('metric_gain', { min: 0, example: '0.002' }) ?? ROLLOUT_DEFAULTS.metricGain,
    },
    canary,
    rollbackIf: {
      metricDrop: rollbackIf.number('metric_drop', { min: 0, example: '0.02' }) ?? ROLLOUT_DEFAULTS.metricDrop,
    },
  };
}
