// What the trainer trains for a blueprint, and from which version it resumes. The rule: continue
// the model the predictor serves (serving-choice.ts). When that model descends from an AutoML
// candidate — a deployment named it live — the candidate's family and hyper-parameters are the
// configuration and only that learner trains ("adopted"); otherwise the trainer's own side-by-side
// configuration trains. Deriving both from what serves makes a restart land in the same state: the
// checkpoint is the newest trained version of the deployed lineage, which names its origin.
//
// Pure: it reads a ServingLineage, which the service fills from looper.models and looper.deployments.

import type { ServingLineage } from '../lib/serving/serving-choice.js';

export type TrainingConfiguration =
  /** The trainer's own: logistic-or-linear and an MLP side by side, the better one published. */
  | { readonly kind: 'side-by-side' }
  /** AutoML's choice: only the learner restored from `candidate` (and its continuations) trains. */
  | { readonly kind: 'adopted'; readonly candidate: string };

export const SIDE_BY_SIDE = { kind: 'side-by-side' } as const satisfies TrainingConfiguration;

export interface TrainingPlan {
  readonly configuration: TrainingConfiguration;
  /** The version whose artifact training resumes from; null: from scratch. */
  readonly checkpoint: string | null;
}

/** The plan for a model that serves (or would): `checkpoint` null when nothing does. */
function planFrom(lineage: ServingLineage, checkpoint: string | null): TrainingPlan | null {
  if (checkpoint === null) return { configuration: SIDE_BY_SIDE, checkpoint: null };
  const candidate = lineage.originCandidate(checkpoint);
  if (candidate === undefined) return null;
  return { configuration: candidate === null ? SIDE_BY_SIDE : { kind: 'adopted', candidate }, checkpoint };
}

/**
 * The plan that continues what serves; null while the deployed version has not arrived on
 * looper.models yet (a deployment may be read first): decide again when it does.
 */
export function planTraining(lineage: ServingLineage): TrainingPlan | null {
  return planFrom(lineage, lineage.chosen());
}

/**
 * The plan as if there were no deployment (continue the newest trained version), for a trainer
 * that must start while the deployed version is still unknown.
 */
export function planWithoutDeployment(lineage: ServingLineage): TrainingPlan {
  return planFrom(lineage, lineage.newestTrainedVersion) ?? { configuration: SIDE_BY_SIDE, checkpoint: null };
}

export function sameConfiguration(a: TrainingConfiguration, b: TrainingConfiguration): boolean {
  return a.kind === b.kind && (a.kind !== 'adopted' || (b.kind === 'adopted' && a.candidate === b.candidate));
}

/**
 * The plan to switch to, or null to keep training as now. Only a change of configuration restarts
 * training: within one configuration the learner in memory is ahead of every published checkpoint
 * (the trainer's own versions, coming back on looper.models, must not reset it).
 */
export function planSwitch(current: TrainingConfiguration, plan: TrainingPlan | null): TrainingPlan | null {
  if (plan === null || sameConfiguration(current, plan.configuration)) return null;
  return plan;
}

/** For logs: "side by side" or "adopted <candidate>". */
export function describeConfiguration(configuration: TrainingConfiguration): string {
  return configuration.kind === 'adopted' ? `adopted ${configuration.candidate}` : 'side by side';
}
