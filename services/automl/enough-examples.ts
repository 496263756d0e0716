// How many examples a search needs, and which logged examples count toward them. The replay a
// search learns from and the count the service keeps to know when a first search may start use
// the same rule, so that the count never promises a search the replay then refuses.
import type { Blueprint, Example } from '../lib/schemas/generated.js';
import { DEFAULT_VALIDATION_SHARE } from '../lib/automl/dataset.js';
import { teachesScore } from '../lib/learners/teaches-score.js';

/** Fewer examples than this cannot rank configurations: the validation fifth would be noise. */
export const MIN_EXAMPLES = 500;
/**
 * Each side of the split needs as many examples as the validation fifth of MIN_EXAMPLES: keeping
 * entities whole can leave a side short when a few entities hold most examples.
 */
export const MIN_SIDE_EXAMPLES = MIN_EXAMPLES * DEFAULT_VALIDATION_SHARE;

/** Whether a logged example is one a search of `bp` learns from: its own, teaching its score, with a label. */
export function countsForSearch(
  bp: Pick<Blueprint, 'name' | 'task' | 'decision'>,
  example: Pick<Example, 'blueprint' | 'action' | 'position' | 'label'>,
): boolean {
  return example.blueprint === bp.name && teachesScore(bp, example) && Number.isFinite(example.label);
}
