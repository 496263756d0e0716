// Which arm of a blueprint's experiment an entity is in: a hash of the experiment name and the
// entity, so the same entity lands in the same arm on every request, in every process, whichever
// arm's subject the caller used — and independently of other experiments (another name, another salt).
import type { Blueprint } from '../schemas/generated.js';
import { pickArm, type Arm } from '../decide/assignment.js';

const armsCache = new WeakMap<object, readonly Arm[]>();

/** The arms in name order: the order the shares are stacked in must not depend on how a map was written. */
export function experimentArms(experiment: NonNullable<Blueprint['experiment']>): readonly Arm[] {
  let arms = armsCache.get(experiment);
  if (!arms) {
    arms = Object.entries(experiment.arms)
      .map(([name, share]) => ({ name, share }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    armsCache.set(experiment, arms);
  }
  return arms;
}

/** The blueprint that decides for `entity`: an arm of the experiment, or `bp` itself outside one. */
export function armOf(bp: Blueprint, entity: string): string {
  return bp.experiment === null ? bp.name : pickArm(entity, bp.experiment.name, experimentArms(bp.experiment));
}
