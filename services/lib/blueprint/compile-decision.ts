// decision (how scores become an action) and objective (what a better model means).
import type {
  BlueprintDecision,
  BlueprintMetric,
  BlueprintObjective,
  BlueprintPolicy,
  BlueprintTask,
} from '../schemas/generated.js';
import { taskPolicyProblem } from './compile-tasks.js';
import { childPath } from './problem.js';
import { requiredFor, type Fields, type Reader } from './reader.js';
import { closest } from './suggest.js';
import { describe } from './units.js';
import { DEFAULT_NDCG_AT, MAX_COUNT, METRICS, METRICS_BY_TASK, POLICIES } from './vocabulary.js';

const DECISION_KEYS = [
  'policy',
  'threshold',
  'k',
  'epsilon',
  'temperature',
  'alpha',
  'actions',
  'default',
  'deadline',
  'explore',
  'explore_on_shift',
] as const;
const OBJECTIVE_KEYS = ['metric', 'constraints'] as const;
const CONSTRAINT_KEYS = ['p99_inference', 'model_size'] as const;

export const DEFAULT_DEADLINE_MS = 20;
/** Without exploration a model never sees the outcomes of the actions it stops taking. */
export const DEFAULT_EXPLORE = 0.05;
/** The least exploration advised where a model learns only from its own actions (the fix of a 0 %). */
export const MIN_ADVISED_EXPLORE = 0.01;
/** The most exploration a shift raises to by default: a fifth of decisions taken at random is as
 * much of the product as Looper gives away unasked while it relearns. */
export const MAX_DEFAULT_EXPLORE_ON_SHIFT = 0.2;
export const DEFAULT_TEMPERATURE = 1;
export const DEFAULT_ALPHA = 1;
export const DEFAULT_P99_INFERENCE_US = 1000;
export const DEFAULT_MODEL_SIZE_BYTES = 1024 * 1024;

/** The policy parameters: each belongs to one policy and is reported when given to another. */
function compilePolicyParameters(f: Fields, policy: BlueprintPolicy | undefined) {
  const share = { min: 0, max: 1, example: '0.3' };
  const parameter = <T>(key: string, owner: BlueprintPolicy, read: () => T | undefined): T | undefined => {
    if (policy === owner) return read();
    if (policy !== undefined) f.unused(key, `policy ${owner}`);
    return undefined;
  };
  return {
    threshold: parameter('threshold', 'threshold', () =>
      f.number(
        'threshold',
        share,
        requiredFor(
          'policy threshold',
          'add threshold: the score from which the first action is taken, e.g. threshold: 0.3',
        ),
      ),
    ),
    k: parameter('k', 'top_k', () =>
      f.number(
        'k',
        { min: 1, max: MAX_COUNT, integer: true, example: '10' },
        requiredFor('policy top_k', 'add k: how many candidates to return, e.g. k: 10'),
      ),
    ),
    epsilon: parameter('epsilon', 'epsilon_greedy', () =>
      f.number(
        'epsilon',
        { ...share, example: '0.05' },
        requiredFor('policy epsilon_greedy', 'add epsilon: the share of random exploration, e.g. epsilon: 0.05'),
      ),
    ),
    temperature: parameter(
      'temperature',
      'softmax',
      () => f.number('temperature', { min: 0, minExclusive: true, example: '1' }) ?? DEFAULT_TEMPERATURE,
    ),
    alpha: parameter('alpha', 'linucb', () => f.number('alpha', { min: 0, example: '1' }) ?? DEFAULT_ALPHA),
  };
}

function nullParameters(p: ReturnType<typeof compilePolicyParameters>) {
  return {
    threshold: p.threshold ?? null,
    k: p.k ?? null,
    epsilon: p.epsilon ?? null,
    temperature: p.temperature ?? null,
    alpha: p.alpha ?? null,
  };
}

function compileActions(r: Reader, list: unknown[], path: string, policy: BlueprintPolicy | undefined): string[] {
  const actions: string[] = [];
  list.forEach((item, i) => {
    const action = r.string(item, childPath(path, i), 'send');
    if (action === undefined) return;
    if (actions.includes(action)) r.report(childPath(path, i), `"${action}" is listed twice`, 'list each action once');
    else actions.push(action);
  });
  if (list.length === 0) r.report(path, 'is empty', 'list the possible actions, e.g. [send, skip]');
  else if (policy === 'threshold' && list.length !== 2) {
    r.report(
      path,
      `has ${list.length} actions, not 2`,
      'policy threshold takes two: the first when the score passes, the second otherwise',
    );
  }
  return actions;
}

const describeShare = (share: number) => `${+(share * 100).toFixed(6)}%`;

/**
 * Why a blueprint's model learns only from the outcomes of its own actions, or null when it does
 * not (it learns every example's label, or its policy draws every action with some chance):
 * - policy threshold: its score learns only from decisions that took the first action;
 * - ranking: only candidates that were shown can be clicked;
 * - planning: a bandit sees the reward of the action it chose, and linucb, argmax and an
 *   epsilon_greedy with epsilon 0 choose deterministically (softmax, thompson and epsilon > 0 draw).
 * Apprentice blueprints are not spared: once the model takes over, it decides alone.
 */
export function learnsOnlyFromOwnActions(
  task: BlueprintTask | undefined,
  policy: BlueprintPolicy,
  epsilon: number | undefined,
): string | null {
  if (policy === 'threshold')
    return 'the score of policy threshold learns only from decisions that took the first action';
  if (task === 'ranking') return 'a ranking learns only from the candidates it showed';
  if (task === 'planning') {
    const draws = policy === 'softmax' || policy === 'thompson' || (policy === 'epsilon_greedy' && (epsilon ?? 0) > 0);
    if (!draws) return `a planning bandit with policy ${policy} learns only the rewards of the actions it chose`;
  }
  return null;
}

/** Reports decision.explore 0 % where the model learns only from its own actions (learnsOnlyFromOwnActions). */
function checkExploration(
  r: Reader,
  f: Fields,
  task: BlueprintTask | undefined,
  policy: BlueprintPolicy | undefined,
  epsilon: number | undefined,
  explore: number,
): void {
  if (explore > 0 || policy === undefined) return;
  const reason = learnsOnlyFromOwnActions(task, policy, epsilon);
  if (reason === null) return;
  const advised = describeShare(MIN_ADVISED_EXPLORE);
  r.report(
    f.at('explore'),
    `0% turns exploration off, but ${reason}`,
    `set explore to at least ${advised}, e.g. explore: ${describeShare(DEFAULT_EXPLORE)} (the default): without exploration the model never sees the outcomes of what it chose not to do, so neither its training nor the verdicts on its versions can be unbiased`,
  );
}

/**
 * decision.explore_on_shift when not given: twice explore, at most MAX_DEFAULT_EXPLORE_ON_SHIFT,
 * never below explore. Doubling halves the time a shift needs to show every action's new outcomes
 * (a planning model relearns from them; the verdicts on its versions rest on them), while the
 * cap bounds what the random decisions cost during the alert.
 */
export function defaultExploreOnShift(explore: number): number {
  return Math.max(explore, Math.min(2 * explore, MAX_DEFAULT_EXPLORE_ON_SHIFT));
}

/** The explore share that applies while a quality_shift alert is open: the blueprint's, or for a
 * record written before explore_on_shift existed (null), the default. */
export function exploreOnShiftOf(decision: Pick<BlueprintDecision, 'explore' | 'exploreOnShift'>): number {
  return decision.exploreOnShift ?? defaultExploreOnShift(decision.explore);
}

/** decision.explore_on_shift: a share no smaller than explore (undefined after a problem). An
 * explore with a problem of its own (`exploreInvalid`) is not compared with: that one is to fix. */
function compileExploreOnShift(r: Reader, f: Fields, explore: number, exploreInvalid: boolean): number | undefined {
  const share = f.share('explore_on_shift');
  if (share === undefined) return f.has('explore_on_shift') ? undefined : defaultExploreOnShift(explore);
  if (share >= explore || exploreInvalid) return share;
  return r.report(
    f.at('explore_on_shift'),
    `${describeShare(share)} is less than explore (${describeShare(explore)})`,
    `set it to at least explore, e.g. explore_on_shift: ${describeShare(defaultExploreOnShift(explore))} (the default): it replaces explore while a quality_shift alert is raised, to learn the changed world sooner, and never explores less`,
  );
}

/**
 * Ranking answers with the request's candidates and sequence with the items it has seen: neither
 * declares actions, and without a model ranking keeps the request's order (default "").
 */
const TASKS_WITHOUT_ACTIONS: readonly BlueprintTask[] = ['ranking', 'sequence'];

/**
 * The policy when it fits the task, else undefined after reporting why: refused here, before its
 * parameters and actions are read, so that only the policy is reported (a threshold of 50 on an
 * estimate's scale would otherwise be reported as out of 0..1, and fixing that keeps the policy).
 */
function policyFor(
  r: Reader,
  f: Fields,
  task: BlueprintTask | undefined,
  policy: BlueprintPolicy | undefined,
): BlueprintPolicy | undefined {
  if (task === undefined || policy === undefined) return policy;
  const problem = taskPolicyProblem(task, policy);
  if (problem === null) return policy;
  return r.report(f.at('policy'), problem.message, problem.fix);
}

export function compileDecision(
  r: Reader,
  value: unknown,
  path: string,
  task: BlueprintTask | undefined,
): BlueprintDecision | undefined {
  const m = r.mapping(value, path, DECISION_KEYS, 'a decision');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const policy = policyFor(r, f, task, f.oneOf('policy', POLICIES, `add policy: one of ${POLICIES.join(', ')}`));
  const parameters = compilePolicyParameters(f, policy);
  if (task !== undefined && TASKS_WITHOUT_ACTIONS.includes(task)) {
    f.unused(
      'actions',
      'classification, estimation and planning',
      task === 'ranking'
        ? "remove it: a ranking's actions are the candidates of each request"
        : 'remove it: the next items are learned from the events',
    );
    const fallback = task === 'sequence' ? (f.string('default', 'home') ?? '') : '';
    if (task === 'ranking')
      f.unused(
        'default',
        'classification, estimation, planning and sequence',
        'remove it: before any model the candidates keep the order they came in',
      );
    const deadlineMs = f.duration('deadline', { unit: 'ms', whole: true, example: '20ms' }) ?? DEFAULT_DEADLINE_MS;
    const given = f.share('explore');
    const explore = given ?? DEFAULT_EXPLORE;
    checkExploration(r, f, task, policy, parameters.epsilon, explore);
    const exploreOnShift = compileExploreOnShift(r, f, explore, given === undefined && f.has('explore'));
    if (policy === undefined || exploreOnShift === undefined) return undefined;
    return {
      policy,
      ...nullParameters(parameters),
      actions: [],
      default: fallback,
      deadlineMs,
      explore,
      exploreOnShift,
    };
  }
  const list = f.list('actions', '[send, skip]', 'add actions: the possible answers, e.g. actions: [send, skip]');
  const actions = list === undefined ? undefined : compileActions(r, list, f.at('actions'), policy);
  let fallback = f.string(
    'default',
    'skip',
    'add default: the action before any model and past the deadline, e.g. default: skip',
  );
  if (fallback !== undefined && actions !== undefined && actions.length > 0 && !actions.includes(fallback)) {
    const near = closest(fallback, actions);
    r.report(
      f.at('default'),
      `${describe(fallback)} is not one of the actions ${actions.join(', ')}`,
      near === undefined ? 'use one of the actions' : `did you mean ${near}?`,
    );
    fallback = undefined;
  }
  const deadlineMs = f.duration('deadline', { unit: 'ms', whole: true, example: '20ms' }) ?? DEFAULT_DEADLINE_MS;
  const given = f.share('explore');
  const explore = given ?? DEFAULT_EXPLORE;
  checkExploration(r, f, task, policy, parameters.epsilon, explore);
  const exploreOnShift = compileExploreOnShift(r, f, explore, given === undefined && f.has('explore'));
  if (policy === undefined || actions === undefined || fallback === undefined || exploreOnShift === undefined)
    return undefined;
  return {
    policy,
    ...nullParameters(parameters),
    actions,
    default: fallback,
    deadlineMs,
    explore,
    exploreOnShift,
  };
}

const METRIC_NAMES = 'auc, logloss, rmse, mae, ndcg@k, reward';

function metricName(metric: BlueprintMetric): string {
  return metric === 'ndcg' ? 'ndcg@k' : metric;
}

/** `auc` → auc; `ndcg@10` → ndcg at 10. */
function compileMetric(
  r: Reader,
  f: Fields,
  task: BlueprintTask | undefined,
): { metric: BlueprintMetric; ndcgAt: number | null } | undefined {
  if (!f.has('metric')) {
    if (task === undefined) return undefined;
    const metric = METRICS_BY_TASK[task][0]!;
    return { metric, ndcgAt: metric === 'ndcg' ? DEFAULT_NDCG_AT : null };
  }
  const raw = f.raw('metric');
  const path = f.at('metric');
  let compiled: { metric: BlueprintMetric; ndcgAt: number | null } | undefined;
  const ndcg = typeof raw === 'string' ? /^ndcg(?:@(.*))?$/.exec(raw) : null;
  if (ndcg !== null) {
    const cutoff = ndcg[1] ?? '';
    if (/^[1-9]\d{0,3}$/.test(cutoff)) compiled = { metric: 'ndcg', ndcgAt: Number(cutoff) };
    else return r.report(path, `${describe(raw)} does not give k as a whole number`, 'write the cut-off, e.g. ndcg@10');
  } else {
    const names = METRICS.filter((m) => m !== 'ndcg');
    const metric = r.oneOf(raw, path, [...names, 'ndcg@10'], METRIC_NAMES);
    if (metric === undefined) return undefined;
    compiled = { metric: metric as BlueprintMetric, ndcgAt: null };
  }
  if (task !== undefined && !METRICS_BY_TASK[task].includes(compiled.metric)) {
    const fitting = METRICS_BY_TASK[task].map(metricName);
    return r.report(path, `${describe(raw)} does not fit task ${task}`, `use ${fitting.join(' or ')} for ${task}`);
  }
  return compiled;
}

export function compileObjective(
  r: Reader,
  value: unknown,
  path: string,
  task: BlueprintTask | undefined,
): BlueprintObjective | undefined {
  const m = value === undefined ? {} : r.mapping(value, path, OBJECTIVE_KEYS, 'an objective');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const metric = compileMetric(r, f, task);
  const c = f.mappingAt('constraints', CONSTRAINT_KEYS, 'constraints') ?? {};
  const constraints = r.fields(c, f.at('constraints'));
  const p99InferenceUs =
    constraints.duration('p99_inference', { unit: 'us', whole: true, example: '500us' }) ?? DEFAULT_P99_INFERENCE_US;
  const modelSizeBytes = constraints.size('model_size') ?? DEFAULT_MODEL_SIZE_BYTES;
  if (metric === undefined) return undefined;
  return { metric: metric.metric, ndcgAt: metric.ndcgAt, constraints: { p99InferenceUs, modelSizeBytes } };
}
