// Which blueprints AutoML searches and scheduled retraining refits: binary classification and
// estimation. Ranking, sequence, planning and multi-class blueprints learn online only, so a search
// on them would only fail trial after trial (a multi-class label is no 0/1 label).
import type { Blueprint } from '../schemas/generated.js';
import { multiclassTaskOf } from '../multiclass/blueprint.js';

export type SearchableTask = 'classification' | 'estimation';

/** The task a search fits for `bp`, or why there is none. */
export function searchableTaskOf(
  bp: Pick<Blueprint, 'task' | 'decision'>,
): { ok: true; task: SearchableTask } | { ok: false; reason: string } {
  if (bp.task === 'estimation') return { ok: true, task: 'estimation' };
  if (bp.task === 'classification' && multiclassTaskOf(bp) === null) return { ok: true, task: 'classification' };
  const kind =
    bp.task === 'classification'
      ? `a multi-class classification (decision.policy ${bp.decision.policy})`
      : `a ${bp.task} task`;
  return {
    ok: false,
    reason: `it is ${kind}, whose models learn online only: AutoML and scheduled retraining fit binary classification and estimation models so far`,
  };
}
