// Entity × candidate crosses. A click on a ranked item depends on how the item suits the entity
// (a user's favourite topic against the item's topic); a linear model over entity and candidate
// features apart can only add their effects, never match them. So every categorical entity feature
// is crossed with every categorical candidate feature into one hashed category ("books|games"),
// which lets even a logistic regression weigh each pairing. Numbers are left uncrossed: a deeper
// family (mlp, gbdt) finds their interactions itself.
import type { Blueprint } from '../schemas/generated.js';
import type { FeatureValues } from '../feature-values.js';

export interface Cross {
  /** The model input's name: `<entity feature>×<candidate feature>`. */
  readonly name: string;
  readonly entityFeature: string;
  readonly candidateFeature: string;
}

/** The crosses of a ranking blueprint, in a stable order; none for other blueprints. */
export function rankingCrosses(bp: {
  readonly features: Pick<Blueprint['features'], 'context' | 'streams' | 'candidates'>;
}): Cross[] {
  const candidates = (bp.features.candidates ?? []).filter((f) => f.type === 'category');
  if (candidates.length === 0) return [];
  const entity = [
    ...bp.features.context.filter((f) => f.type === 'category').map((f) => f.name),
    ...bp.features.streams.filter((f) => f.aggregate === 'last').map((f) => f.name),
  ];
  return entity.flatMap((e) =>
    candidates.map((c) => ({ name: `${e}×${c.name}`, entityFeature: e, candidateFeature: c.name })),
  );
}

/** Sets each cross in `row` from the row's own entity and candidate values (null when either is missing). */
export function writeCrosses(crosses: readonly Cross[], row: FeatureValues): void {
  for (const cross of crosses) {
    const left = row[cross.entityFeature];
    const right = row[cross.candidateFeature];
    row[cross.name] =
      left === null ||
      left === undefined ||
      right === null ||
      right === undefined ||
      Array.isArray(left) ||
      Array.isArray(right)
        ? null
        : `${left}|${right}`;
  }
}
