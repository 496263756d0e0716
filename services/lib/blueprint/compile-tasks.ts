// What each task asks of the other sections: ranking needs candidates and top_k; sequence needs a
// last_n feature to read and a label that names the next item; multi-class classification (policy
// argmax or top_k over several actions) needs labels that name a class; estimation takes argmax.
import type {
  BlueprintDecision,
  BlueprintFeatures,
  BlueprintLabel,
  BlueprintPolicy,
  BlueprintSequence,
  BlueprintTask,
} from '../schemas/generated.js';
import type { Reader } from './reader.js';

const SEQUENCE_KEYS = ['feature', 'vocabulary'] as const;
/** Distinct next items a sequence model tells apart unless the blueprint says otherwise. */
export const DEFAULT_VOCABULARY = 1000;
/** A vocabulary's output layer is vocabulary × inputs weights: this keeps a model within memory. */
export const MAX_VOCABULARY = 100_000;

/** Classification over several classes: a policy that picks among the actions rather than thresholding one score. */
export function isMultiClass(task: BlueprintTask | undefined, rawDecision: unknown): boolean {
  if (task !== 'classification' || rawDecision === null || typeof rawDecision !== 'object') return false;
  const policy = (rawDecision as Record<string, unknown>)['policy'];
  return policy === 'argmax' || policy === 'top_k';
}

/**
 * The one policy an estimation blueprint takes. Its model predicts one number per request, which
 * the reply carries as its score; no policy turns that number into an action (decide/policy.ts
 * answers the default, or a random action for the explored share), and every example teaches the
 * estimate whatever its action (teaches-score.ts), each weighing 1 (training-weight.ts).
 */
export const ESTIMATION_POLICY: BlueprintPolicy = 'argmax';

/** The parameter each policy reads, which goes with the policy when it is replaced. */
const POLICY_PARAMETER: Partial<Record<BlueprintPolicy, string>> = {
  threshold: 'threshold',
  top_k: 'k',
  epsilon_greedy: 'epsilon',
  softmax: 'temperature',
  linucb: 'alpha',
};

/** The fix's common part: what to write instead, and what it gives. */
function estimateInstead(replaced: BlueprintPolicy): string {
  const parameter = POLICY_PARAMETER[replaced];
  const without = parameter === undefined ? '' : ` without ${parameter}`;
  return `use policy: ${ESTIMATION_POLICY}${without}: the reply's score is the estimate, learned from every example whatever its action, and its action is the default (a random one of the actions in the explored share)`;
}

/**
 * Why a policy cannot decide an estimation blueprint, as a problem's message and fix; null for the
 * one it takes. Each of the others would validate and then fail quietly: threshold's score learns
 * only from the decisions that took the first action, so a model acting on its own estimates can
 * stop learning altogether; the others choose among one score per action or candidate, which an
 * estimate is not, so their parameters (k, epsilon, temperature, alpha) would never be applied.
 */
export function estimationPolicyProblem(policy: BlueprintPolicy): { message: string; fix: string } | null {
  if (policy === ESTIMATION_POLICY) return null;
  if (policy === 'threshold')
    return {
      message:
        'threshold does not fit task estimation: its score learns only from the decisions that took the first action, so an estimate kept below the threshold stops learning',
      fix: `${estimateInstead(policy)}; to act on the estimate, compare the reply's score with your cut-off where you call decide`,
    };
  const ranks = policy === 'top_k';
  return {
    message: `${policy} does not fit task estimation: it ${ranks ? 'returns the k best-scored candidates' : 'chooses among the actions by a score of each'}, and an estimation model predicts one number per request`,
    fix: `${estimateInstead(policy)}; ${ranks ? 'to order candidates, use task: ranking with policy: top_k' : `to choose the action with the best predicted reward, use task: planning with policy: ${policy}`}`,
  };
}

/** The policies that choose an action by a predicted reward of each: planning's bandits. */
const BANDIT_POLICIES: readonly BlueprintPolicy[] = ['epsilon_greedy', 'softmax', 'thompson', 'linucb', 'argmax'];

/**
 * Why a policy cannot decide a blueprint of `task`, as a problem's message and fix; null when it
 * fits (or when another rule owns the pair: ranking's and sequence's policies are checked with
 * their other sections). Each refused pair used to validate and then fail: a classifier under a
 * bandit policy answered the default on every request (decide/policy.ts applies only threshold to
 * one score), and a planning blueprint under threshold or top_k failed when its first bandit was
 * built (planning/bandit-model.ts).
 */
export function taskPolicyProblem(
  task: BlueprintTask,
  policy: BlueprintPolicy,
): { message: string; fix: string } | null {
  if (task === 'estimation') return estimationPolicyProblem(policy);
  if (task === 'classification' && BANDIT_POLICIES.includes(policy) && policy !== 'argmax')
    return {
      message: `${policy} does not fit task classification: it chooses among the actions by a predicted reward of each, and a classifier predicts one probability`,
      fix: `use policy: threshold with threshold (the first action when the probability reaches it), or task: planning with policy: ${policy} to learn each action's reward`,
    };
  if (task === 'planning' && !BANDIT_POLICIES.includes(policy))
    return {
      message: `${policy} does not fit task planning: a planning blueprint learns a reward for each action and chooses by it`,
      fix: `use a bandit policy: ${BANDIT_POLICIES.join(', ')} (epsilon_greedy with epsilon); ${policy === 'threshold' ? 'to act on one probability, use task: classification with policy: threshold' : 'to order candidates, use task: ranking with policy: top_k'}`,
    };
  return null;
}

/** null when the blueprint has no sequence section (and needs none); undefined after a reported problem. */
export function compileSequence(
  r: Reader,
  value: unknown,
  path: string,
  task: BlueprintTask | undefined,
  features: BlueprintFeatures,
): BlueprintSequence | null | undefined {
  if (value === undefined) {
    if (task === 'sequence')
      return r.report(
        path,
        'is missing',
        'add sequence: { feature: recent_pages }, the last_n stream feature whose next item is predicted',
      );
    return null;
  }
  if (task !== undefined && task !== 'sequence')
    return r.report(path, `is given for task ${task}`, 'remove it: only task sequence reads it');
  const m = r.mapping(value, path, SEQUENCE_KEYS, 'a sequence');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const feature = f.name(
    'feature',
    'recent_pages',
    'add feature: the last_n stream feature holding the recent items, e.g. feature: recent_pages',
  );
  const vocabulary =
    f.number('vocabulary', { min: 2, max: MAX_VOCABULARY, integer: true, example: '1000' }) ?? DEFAULT_VOCABULARY;
  if (feature === undefined) return undefined;
  const stream = features.streams.find((s) => s.name === feature);
  if (stream === undefined || stream.aggregate !== 'last_n') {
    const lastN = features.streams.filter((s) => s.aggregate === 'last_n').map((s) => s.name);
    return r.report(
      f.at('feature'),
      stream === undefined
        ? `"${feature}" is not a stream feature`
        : `"${feature}" is a ${stream.aggregate}, not a last_n`,
      lastN.length > 0
        ? `use ${lastN.join(' or ')}`
        : 'declare a stream feature with aggregate: last_n and n, e.g. { name: recent_pages, topic: app.pageviews, field: page, aggregate: last_n, n: 10 }',
    );
  }
  return { feature, vocabulary };
}

interface Sections {
  task: BlueprintTask;
  features: BlueprintFeatures;
  label: BlueprintLabel;
  decision: BlueprintDecision;
  sequence: BlueprintSequence | null | undefined;
}

export function checkTask(r: Reader, s: Sections): void {
  const { task, features, label, decision } = s;
  if (task !== 'ranking' && features.candidates.length > 0)
    r.report('features.candidates', `is given for task ${task}`, 'remove it: only ranking requests carry candidates');
  if (task === 'ranking') {
    if (features.candidates.length === 0)
      r.report(
        'features.candidates',
        'is missing',
        'declare the features each candidate carries, e.g. candidates: [{ name: price, type: float }]',
      );
    if (decision.policy !== 'top_k')
      r.report(
        'decision.policy',
        `${decision.policy} does not fit task ranking`,
        'use policy: top_k with k, how many candidates to return in order',
      );
    if (label.topic !== null)
      r.report(
        'label.source',
        `${label.topic} cannot name the candidate acted on`,
        'use looper.outcomes, reporting each outcome with its candidateId',
      );
  }
  if (task === 'sequence') {
    if (decision.policy !== 'top_k' && decision.policy !== 'argmax') {
      r.report(
        'decision.policy',
        `${decision.policy} does not fit task sequence`,
        'use policy: top_k (the k likeliest next items) or argmax (the likeliest)',
      );
    }
    if (label.topic === null || label.valueField === null) {
      r.report(
        'label',
        'does not name the next item',
        'read it from the events the sequence is made of, e.g. label: { source: app.pageviews, value: { field: page }, window: 10m }',
      );
    }
  }
  if (task === 'classification' && (decision.policy === 'argmax' || decision.policy === 'top_k'))
    checkMultiClass(r, label, decision);
}

function checkMultiClass(r: Reader, label: BlueprintLabel, decision: BlueprintDecision): void {
  const classes = decision.actions.length;
  // An empty list is reported where the actions are read.
  if (classes === 1)
    r.report(
      'decision.actions',
      'has 1 class',
      `policy ${decision.policy} chooses among the classes: list at least two`,
    );
  if (label.valueConstant !== null) {
    r.report(
      'label.value',
      'is a constant, which names no class',
      'read the class from the outcome, e.g. value: { field: category } (a class name, or its index in actions)',
    );
  }
  const missing = label.missing;
  if (missing !== null && !(Number.isInteger(missing) && missing >= 0 && missing < classes)) {
    r.report(
      'label.missing',
      `${missing} is not the index of one of the ${classes} actions`,
      `give the index (0 to ${classes - 1}) of the class a decision without outcome belongs to, or remove it`,
    );
  }
  if (decision.policy === 'top_k' && decision.k !== null && decision.k > classes) {
    r.report('decision.k', `${decision.k} is more than the ${classes} classes`, `use k ≤ ${classes}`);
  }
}
