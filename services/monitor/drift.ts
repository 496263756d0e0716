// Drift of a blueprint's recent decisions against the serving model's training profile: the
// population stability index (PSI) of its score and of each feature, and each feature's missing
// share. Pure: the monitor hands it the recent decisions and the profile.
import type { Blueprint } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import { countBins, type DistributionProfile } from '../lib/monitoring/profile.js';
import { psi } from '../lib/monitoring/psi.js';
import { spanText } from '../lib/duration-text.js';
import { MIN_OBSERVATIONS, type FeatureMeasure, type ModelInfo } from './measures.js';

/** Training rows a profile needs before drift is measured against it. */
export const MIN_PROFILE_ROWS = 500;

/** What drift reads of a recent decision. */
export interface DecisionSample {
  readonly features: FeatureValues;
  readonly score: number | null;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The serving model's profile when drift can be measured against it, and what drift is measured
 * against (or why it is not). Until a model's examples span one label window they over-represent
 * decisions whose outcome came early (a sent notification is labelled when opened, a skipped one
 * only when its window closes), so the profile would show that selection as drift.
 */
export function driftReference(
  bp: Blueprint,
  version: string | null,
  model: ModelInfo | undefined,
  decisions: number,
): { profile: DistributionProfile | null; reference: string } {
  const none = (reference: string) => ({ profile: null, reference });
  if (version === null || !model) return none('not yet: no model has decided');
  const p = model.profile;
  if (p === null) return none(`not measured: ${version} carries no training profile`);
  if (p.rows < MIN_PROFILE_ROWS)
    return none(`not yet: ${version} learned from ${p.rows} examples, drift needs ${MIN_PROFILE_ROWS}`);
  const span = model.dataStartTs !== null && model.dataEndTs !== null ? model.dataEndTs - model.dataStartTs : null;
  const window = bp.label.windowMs;
  if (span !== null && span < window) {
    return none(
      `not yet: ${version}'s examples span ${spanText(span)} of decisions, less than one label window (${spanText(window)}), so they over-represent decisions with early outcomes`,
    );
  }
  if (decisions < MIN_OBSERVATIONS)
    return {
      profile: p,
      reference: `against ${version}'s training profile, from ${MIN_OBSERVATIONS} recent decisions on`,
    };
  return {
    profile: p,
    reference: `the last ${decisions} decisions against ${version}'s training profile (${p.rows} examples)`,
  };
}

/** PSI of the recent scores against the profile's; null without a profiled score. */
export function predictionDrift(recent: readonly DecisionSample[], profile: DistributionProfile | null): number | null {
  if (!profile?.score) return null;
  return finiteOrNull(
    psi(
      profile.score.shares,
      countBins(
        profile.score,
        recent.filter((d) => d.score !== null).map((d) => d.score),
      ),
    ),
  );
}

/** Each feature's missing share among the recent decisions and, where the profile has it, its PSI. */
export function featureDrift(
  bp: Blueprint,
  recent: readonly DecisionSample[],
  profile: DistributionProfile | null,
): FeatureMeasure[] {
  // A cyclic feature (hour of day) covers only part of its cycle in a window of recent decisions:
  // its "drift" would be the clock, so it has a missing share but no PSI.
  const cyclic = new Set(bp.features.context.filter((f) => f.period !== null).map((f) => f.name));
  const names = [...bp.features.context.map((f) => f.name), ...bp.features.streams.map((f) => f.name)];
  return names.map((name) => {
    const values = recent.map((d) => d.features[name]);
    const reference = cyclic.has(name) ? undefined : profile?.features[name];
    const missingRate =
      recent.length === 0
        ? null
        : values.filter((v) => v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))).length /
          recent.length;
    return {
      name,
      psi: reference ? finiteOrNull(psi(reference.shares, countBins(reference, values))) : null,
      missingRate,
    };
  });
}
