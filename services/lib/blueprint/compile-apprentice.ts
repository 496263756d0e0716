// apprentice: the model learns beside the caller's own decisions and takes over when it agrees
// with them often enough. Agreement needs a model that chooses one action of its own, which the
// predictor logs beside the caller's: a threshold on a binary classifier's score, or a planning
// bandit's choice. Every other task is refused here rather than left to agree vacuously.
import type { BlueprintApprentice, BlueprintTask } from '../schemas/generated.js';
import { isMultiClass } from './compile-tasks.js';
import type { Reader } from './reader.js';

const APPRENTICE_KEYS = ['take_over_at', 'min_decisions'] as const;

export const APPRENTICE_DEFAULTS = { takeOverAt: 0.9, minDecisions: 1000 } as const;

const FITS =
  'apprentice mode is for classification with policy threshold and for planning, whose models choose an action of their own';
/** A predicted class or next item does not depend on what was answered: the model learns it all the same. */
const PREDICTED = 'so the model learns it whoever answers, and answers from its first version';

interface Refusal {
  message: string;
  fix: string;
}

/** Why a blueprint cannot learn beside the caller; null when it can (or its task or policy is reported elsewhere). */
function refusal(task: BlueprintTask | undefined, rawDecision: unknown): Refusal | null {
  const policy =
    rawDecision !== null && typeof rawDecision === 'object' ? (rawDecision as Record<string, unknown>)['policy'] : null;
  if (task === 'ranking')
    return {
      message: 'is given for task ranking',
      fix: `remove it: a ranking answers with an order of candidates, not one action a caller could send as currentAction; ${FITS}`,
    };
  if (task === 'sequence')
    return {
      message: 'is given for task sequence',
      fix: `remove it: the next item is predicted, not chosen, ${PREDICTED}; ${FITS}`,
    };
  if (isMultiClass(task, rawDecision))
    return {
      message: `is given for multi-class classification (policy ${String(policy)})`,
      fix: `remove it: the class is predicted, not chosen, ${PREDICTED}; ${FITS}`,
    };
  // Whatever its policy, an estimate is a number, not an action: the reply's action is the default.
  if (task === 'estimation')
    return {
      message: 'is given for task estimation',
      fix: `remove it: an estimation model predicts a number and chooses no action (the reply's action is the default), so it would agree with every caller that sends the default; ${FITS}`,
    };
  // A classifier under a bandit policy is refused at decision.policy (compile-tasks.ts).
  return null;
}

/** null when the blueprint has no apprentice section; undefined when the section has problems (reported). */
export function compileApprentice(
  r: Reader,
  value: unknown,
  path: string,
  task: BlueprintTask | undefined,
  rawDecision: unknown,
): BlueprintApprentice | null | undefined {
  if (value === undefined) return null;
  const refused = refusal(task, rawDecision);
  if (refused !== null) return r.report(path, refused.message, refused.fix);
  const m = r.mapping(value, path, APPRENTICE_KEYS, 'apprentice');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const takeOverAt = f.share('take_over_at') ?? APPRENTICE_DEFAULTS.takeOverAt;
  const minDecisions =
    f.number('min_decisions', { min: 1, integer: true, example: '1000' }) ?? APPRENTICE_DEFAULTS.minDecisions;
  return { takeOverAt, minDecisions };
}
