// The AutoML search space, declared as data, not code (CONTRIBUTING.md habit 3): per
// model family, the hyper-parameters searched and their ranges. Samplers (tpe.ts) and grids read the
// same declaration; everything a trial needs beyond it comes from the learners' named defaults.
//
// The default ranges are chosen so that one trial stays cheap: a trial trains on at most a few tens
// of thousands of rows on 2 CPU cores (tfjs WASM backend), so no wide networks and at most 200 trees.

import { LooperError } from '../errors.js';
import type { HyperParameterValue, LearnerTask } from '../learners/contract.js';

/** How one hyper-parameter varies; `log` searches the range on a log scale (low must be > 0). */
export type ParamSpec =
  | { kind: 'float'; low: number; high: number; log?: boolean }
  | { kind: 'int'; low: number; high: number; log?: boolean }
  | { kind: 'choice'; values: readonly HyperParameterValue[] };

/** The hyper-parameters searched for one family; the others keep the learner's defaults. */
export interface FamilySpace {
  readonly family: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
}

/** The families searched, each with its own (conditional) hyper-parameters. */
export type SearchSpace = readonly FamilySpace[];

/** One point of a search space: what createLearner(family, schema, task, params) receives. */
export interface TrialConfig {
  readonly family: string;
  readonly params: Readonly<Record<string, HyperParameterValue>>;
}

/** A search space cannot be searched; `problems` lists each one as `family.param: why`. */
export class SearchSpaceError extends LooperError {
  constructor(readonly problems: string[]) {
    super('invalid_search_space', `invalid search space:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SearchSpaceError';
  }
}

const logFloat = (low: number, high: number): ParamSpec => ({ kind: 'float', low, high, log: true });

const LINEAR_PARAMS = { learningRate: logFloat(0.001, 0.1), l2: logFloat(1e-6, 1e-2) };

/**
 * The default space of each family and the tasks it learns. The tasks repeat LearnerFamily.tasks so
 * that this pure module does not load TensorFlow.js; space.test.ts checks that the two agree.
 */
export const DEFAULT_FAMILY_SPACES: Readonly<
  Record<string, { readonly tasks: readonly LearnerTask[]; readonly params: Readonly<Record<string, ParamSpec>> }>
> = {
  logistic: { tasks: ['classification'], params: LINEAR_PARAMS },
  linear: { tasks: ['estimation'], params: LINEAR_PARAMS },
  mlp: {
    tasks: ['classification', 'estimation'],
    params: {
      learningRate: logFloat(0.001, 0.03),
      l2: logFloat(1e-6, 1e-3),
      hiddenSizes: { kind: 'choice', values: [[16], [32], [64], [32, 16]] },
    },
  },
  gbdt: {
    tasks: ['classification', 'estimation'],
    params: {
      nTrees: { kind: 'int', low: 20, high: 200, log: true },
      learningRate: logFloat(0.03, 0.3),
      maxDepth: { kind: 'int', low: 2, high: 6 },
      minChildWeight: logFloat(0.5, 20),
      lambda: logFloat(0.1, 10),
      subsample: { kind: 'float', low: 0.6, high: 1 },
      colsample: { kind: 'float', low: 0.6, high: 1 },
    },
  },
};

/** The default space of `families` (in the order given) for `task`; a family that cannot learn the task is refused. */
export function defaultSearchSpace(families: readonly string[], task: LearnerTask): SearchSpace {
  const known = Object.keys(DEFAULT_FAMILY_SPACES);
  const problems: string[] = [];
  const space: FamilySpace[] = [];
  for (const family of families) {
    const entry = Object.hasOwn(DEFAULT_FAMILY_SPACES, family) ? DEFAULT_FAMILY_SPACES[family] : undefined;
    if (entry === undefined)
      problems.push(`unknown model family "${family}": the default search space knows ${known.join(', ')}`);
    else if (!entry.tasks.includes(task))
      problems.push(`model family "${family}" does not fit task ${task}: it learns ${entry.tasks.join(', ')}`);
    else space.push({ family, params: entry.params });
  }
  if (problems.length > 0) throw new SearchSpaceError(problems);
  checkSearchSpace(space);
  return space;
}

/** Throws SearchSpaceError listing every range that cannot be searched. */
export function checkSearchSpace(space: SearchSpace): void {
  const problems: string[] = [];
  if (space.length === 0) problems.push('no families: list at least one family to search');
  const seen = new Set<string>();
  for (const { family, params } of space) {
    if (seen.has(family)) problems.push(`family "${family}" is listed twice: merge its params into one entry`);
    seen.add(family);
    for (const [name, spec] of Object.entries(params)) {
      const why = specProblem(spec);
      if (why !== null) problems.push(`${family}.${name}: ${why}`);
    }
  }
  if (problems.length > 0) throw new SearchSpaceError(problems);
}

function specProblem(spec: ParamSpec): string | null {
  if (spec.kind === 'choice') {
    if (spec.values.length === 0) return 'choice has no values: list at least one';
    const keys = spec.values.map((v) => JSON.stringify(v));
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    return twice === undefined ? null : `choice lists ${twice} twice`;
  }
  if (spec.kind !== 'float' && spec.kind !== 'int')
    return `unknown kind ${JSON.stringify((spec as { kind: unknown }).kind)}: use float, int or choice`;
  const { low, high } = spec;
  if (!Number.isFinite(low) || !Number.isFinite(high))
    return `bounds must be finite numbers, got low ${low}, high ${high}`;
  if (spec.kind === 'int' && (!Number.isInteger(low) || !Number.isInteger(high)))
    return `int bounds must be integers, got low ${low}, high ${high}`;
  if (low >= high) return `low ${low} must be below high ${high} (a fixed value is a choice of one)`;
  if (spec.log === true && low <= 0) return `log scale needs low > 0, got low ${low}`;
  return null;
}

/** Interior grid points keep 12 significant digits: log grids then print and repeat cleanly (0.01, not 0.010000000000000002). */
const GRID_DIGITS = 12;

/** The values a grid takes for one param: see gridOf. */
export function gridValues(spec: ParamSpec, points: number): HyperParameterValue[] {
  if (spec.kind === 'choice') return spec.values.map(copyValue);
  const { low, high } = spec;
  const at = (t: number): number => {
    if (t === 0) return low;
    if (t === 1) return high;
    const x =
      spec.log === true ? Math.exp(Math.log(low) + t * (Math.log(high) - Math.log(low))) : low + t * (high - low);
    return Number(x.toPrecision(GRID_DIGITS));
  };
  const ts = points === 1 ? [0.5] : Array.from({ length: points }, (_, i) => i / (points - 1));
  const values = ts.map(at);
  return spec.kind === 'int' ? [...new Set(values.map((v) => Math.round(v)))] : values;
}

/**
 * The full grid of `space`: each float or int takes `pointsPerParam` evenly spaced points, both ends
 * included (log-spaced when `log`; one point is the (geometric) middle), ints rounded and repeats
 * dropped; a choice takes each of its values. Per family, the cartesian product with the first param
 * varying slowest; families in the space's order.
 */
export function gridOf(space: SearchSpace, pointsPerParam: number): TrialConfig[] {
  if (!Number.isInteger(pointsPerParam) || pointsPerParam < 1)
    throw new RangeError(`pointsPerParam must be an integer ≥ 1, got ${pointsPerParam}`);
  checkSearchSpace(space);
  return space.flatMap((family) => product(family, (spec) => gridValues(spec, pointsPerParam)));
}

/**
 * Every point of a family whose params are all ints or choices, when there are at most `limit`
 * (the order of gridOf); null when a float makes them endless, or when they are too many to list.
 */
export function discretePoints(family: FamilySpace, limit: number): TrialConfig[] | null {
  let size = 1;
  for (const spec of Object.values(family.params)) {
    if (spec.kind === 'float') return null;
    size *= spec.kind === 'choice' ? spec.values.length : spec.high - spec.low + 1;
  }
  if (size > limit) return null;
  return product(family, (spec) =>
    spec.kind === 'choice'
      ? spec.values
      : spec.kind === 'int'
        ? Array.from({ length: spec.high - spec.low + 1 }, (_, i) => spec.low + i)
        : [],
  );
}

/** The cartesian product of each param's values, the first param varying slowest. */
function product(family: FamilySpace, valuesOf: (spec: ParamSpec) => readonly HyperParameterValue[]): TrialConfig[] {
  let partial: Array<Record<string, HyperParameterValue>> = [{}];
  for (const [name, spec] of Object.entries(family.params)) {
    const values = valuesOf(spec);
    partial = partial.flatMap((p) => values.map((v) => ({ ...p, [name]: copyValue(v) })));
  }
  return partial.map((params) => ({ family: family.family, params }));
}

/** A canonical string for `config` (family, then params sorted by name): equal configurations, equal keys. */
export function configKey(config: TrialConfig): string {
  const names = Object.keys(config.params).sort();
  return `${config.family} ${JSON.stringify(Object.fromEntries(names.map((n) => [n, config.params[n]])))}`;
}

/** A copy of a value, so that configurations handed out never share an array with the space. */
export function copyValue(value: HyperParameterValue): HyperParameterValue {
  return Array.isArray(value) ? [...(value as readonly number[])] : value;
}
