// Which blueprints predict a class, with which learners, and what an example's class is: the one
// place the trainer, the predictor and the monitor ask.
import type { Blueprint, Example } from '../schemas/generated.js';
import type { MulticlassLearner, MulticlassTask } from './contract.js';
import { NGramModel } from './markov.js';
import { SoftmaxRegression } from './softmax-regression.js';

type BlueprintShape = Pick<Blueprint, 'task' | 'decision' | 'features' | 'sequence' | 'objective'>;

/** sequence: the next item; classification over several classes (policy argmax or top_k); null: another task. */
export function multiclassTaskOf(bp: Pick<Blueprint, 'task' | 'decision'>): MulticlassTask | null {
  if (bp.task === 'sequence') return 'sequence';
  if (bp.task === 'classification' && (bp.decision.policy === 'argmax' || bp.decision.policy === 'top_k'))
    return 'classification';
  return null;
}

/** Most hashed input slots: a sequence's inputs (items by position, the newest pair, a bag) are sparse. */
const MAX_BUCKETS = 1024;

/** Hashed input slots: as many as keep the softmax weights ((buckets + 1) × (classes + 1) f32) within the blueprint's model size. */
function bucketsFor(bp: BlueprintShape, classes: number): number {
  const fit = Math.floor(bp.objective.constraints.modelSizeBytes / 4 / (classes + 1)) - 1;
  return Math.max(16, Math.min(MAX_BUCKETS, 2 ** Math.floor(Math.log2(Math.max(1, fit)))));
}

/**
 * The learners trained side by side for a multi-class blueprint: a softmax regression over the
 * sequence (its newest items, their pair and a bag) and every other feature; for a sequence also
 * the n-gram baseline, which often wins early and on short histories.
 */
export function multiclassLearnersFor(bp: BlueprintShape): MulticlassLearner[] {
  const task = multiclassTaskOf(bp);
  if (task === null)
    throw new RangeError(`blueprint task ${bp.task} with policy ${bp.decision.policy} does not predict a class`);
  const sequenceFeature = task === 'sequence' ? bp.sequence!.feature : null;
  const extraFeatures = [...bp.features.context, ...bp.features.streams.filter((s) => s.aggregate !== 'last_n')].map(
    (f) => f.name,
  );
  const vocabulary = task === 'sequence' ? { capacity: bp.sequence!.vocabulary } : { classes: bp.decision.actions };
  const classes = task === 'sequence' ? bp.sequence!.vocabulary : bp.decision.actions.length;
  const learners: MulticlassLearner[] = [
    new SoftmaxRegression(task, {
      sequenceFeature,
      extraFeatures,
      numbers: 'signed-log',
      buckets: bucketsFor(bp, classes),
      ...vocabulary,
    }),
  ];
  if (sequenceFeature !== null) learners.push(new NGramModel({ sequenceFeature, order: 2, ...vocabulary }));
  return learners;
}

/**
 * The class an example teaches, or null when it teaches none: its labelClass (a class name, the
 * next item); for multi-class classification a numeric label reads as the index of a class in
 * the actions (an outcome on looper.outcomes carries a number).
 */
export function classOfExample(
  bp: Pick<Blueprint, 'task' | 'decision'>,
  example: Pick<Example, 'labelClass' | 'label'>,
): string | null {
  if (example.labelClass !== null && example.labelClass !== '') return example.labelClass;
  if (multiclassTaskOf(bp) !== 'classification') return null;
  const index = example.label;
  return Number.isInteger(index) && index >= 0 && index < bp.decision.actions.length
    ? bp.decision.actions[index]!
    : null;
}
