// The distribution a model was trained on, in a form that travels with the model version
// (ModelVersion.profile, JSON): per feature, bins cut at quantiles of a uniform sample of the
// training data (or the categories seen), each with its share, plus a bin for missing values.
// Drift is then measured by binning live traffic the same way (psi.ts).
import type { FeatureValue, FeatureValues } from '../feature-values.js';

/** Interior quantile cuts per numeric feature: ten bins, the usual choice for PSI. */
export const PROFILE_BINS = 10;
/** Categories kept by name; rarer ones share the `other` bin. */
export const PROFILE_MAX_CATEGORIES = 20;

export interface NumberProfile {
  readonly kind: 'number';
  /** Ascending interior cut points: bin i holds values in (edges[i-1], edges[i]]. */
  readonly edges: readonly number[];
  /** Shares of edges.length + 1 value bins, then the missing bin; they add up to 1. */
  readonly shares: readonly number[];
}

export interface CategoryProfile {
  readonly kind: 'category';
  readonly categories: readonly string[];
  /** Shares of each category, then `other`, then missing; they add up to 1. */
  readonly shares: readonly number[];
}

export type ValueProfile = NumberProfile | CategoryProfile;

export interface DistributionProfile {
  /** How many training rows the profile was cut from. */
  readonly rows: number;
  readonly features: Readonly<Record<string, ValueProfile>>;
  /** The model's own scores of the training rows (or, without the model, those logged at decision time); null when none. */
  readonly score: NumberProfile | null;
}

/** A missing value: null, absent, NaN, or an empty sequence. Sequences are profiled by their last item. */
function scalarOf(value: FeatureValue | undefined): number | string | null {
  if (Array.isArray(value)) return value.length === 0 ? null : scalarOf(value[value.length - 1]);
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return value;
}

/** The bin a value falls in: its value bin, or the last (missing) bin. */
export function binOf(profile: ValueProfile, value: FeatureValue | undefined): number {
  const v = scalarOf(value);
  if (profile.kind === 'number') {
    if (typeof v !== 'number') return profile.edges.length + 1;
    let lo = 0;
    let hi = profile.edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= profile.edges[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  if (v === null) return profile.categories.length + 1;
  const i = profile.categories.indexOf(String(v));
  return i < 0 ? profile.categories.length : i;
}

export function binCount(profile: ValueProfile): number {
  return profile.kind === 'number' ? profile.edges.length + 2 : profile.categories.length + 2;
}

/** Distinct quantile cuts of sorted values; ties collapse, so a constant feature has one value bin. */
function quantileEdges(sorted: readonly number[], bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const cut = sorted[Math.min(sorted.length - 1, Math.ceil((k * sorted.length) / bins) - 1)]!;
    if (cut !== edges[edges.length - 1] && cut < sorted[sorted.length - 1]!) edges.push(cut);
  }
  return edges;
}

function shares(counts: readonly number[], total: number): number[] {
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

export function profileValues(values: readonly (FeatureValue | undefined)[]): ValueProfile {
  const scalars = values.map(scalarOf);
  const numbers = scalars.filter((v): v is number => typeof v === 'number');
  const strings = scalars.filter((v): v is string => typeof v === 'string');
  if (strings.length > numbers.length) {
    const frequency = new Map<string, number>();
    for (const s of strings) frequency.set(s, (frequency.get(s) ?? 0) + 1);
    const categories = [...frequency.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, PROFILE_MAX_CATEGORIES)
      .map(([c]) => c);
    const profile: CategoryProfile = { kind: 'category', categories, shares: [] };
    return { ...profile, shares: shares(countBins(profile, values), values.length) };
  }
  const edges = quantileEdges(
    [...numbers].sort((a, b) => a - b),
    PROFILE_BINS,
  );
  const profile: NumberProfile = { kind: 'number', edges, shares: [] };
  return { ...profile, shares: shares(countBins(profile, values), values.length) };
}

export function countBins(profile: ValueProfile, values: Iterable<FeatureValue | undefined>): number[] {
  const counts = new Array<number>(binCount(profile)).fill(0);
  for (const v of values) counts[binOf(profile, v)]!++;
  return counts;
}

/** A profile of rows of feature values (and their scores at decision time, when known). */
export function buildProfile(
  rows: readonly FeatureValues[],
  scores: readonly (number | null)[],
  featureNames: readonly string[],
): DistributionProfile {
  const features: Record<string, ValueProfile> = {};
  for (const name of featureNames) features[name] = profileValues(rows.map((r) => r[name]));
  const scored = scores.filter((s): s is number => s !== null && Number.isFinite(s));
  const score = scored.length === 0 ? null : (profileValues(scored) as NumberProfile);
  return { rows: rows.length, features, score };
}

/**
 * The last `capacity` examples a continual model learned from: what it reflects most, so drift
 * means traffic unlike what the model learned lately. (A uniform sample of its whole history was
 * tried first: on the demo, whose one-day windows fill from empty, the model's first minutes kept
 * every stream feature "drifted" for hours after the model had adapted.)
 */
export class ProfileSample {
  private readonly rows: FeatureValues[] = [];
  private next = 0;

  constructor(private readonly capacity = 2000) {}

  add(features: FeatureValues): void {
    if (this.rows.length < this.capacity) this.rows.push(features);
    else this.rows[this.next] = features;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.rows.length;
  }

  /** The sample's profile, with the scores `score` gives its rows: the model being published, so prediction drift compares like with like. */
  profile(featureNames: readonly string[], score: (x: FeatureValues) => number): DistributionProfile | null {
    return this.rows.length === 0 ? null : buildProfile(this.rows, this.rows.map(score), featureNames);
  }
}

/** Reads ModelVersion.profile; null when absent or unreadable (older versions carry none). */
export function parseProfile(json: string | null | undefined): DistributionProfile | null {
  if (!json) return null;
  try {
    const p = JSON.parse(json) as DistributionProfile;
    return typeof p === 'object' && p !== null && typeof p.features === 'object' ? p : null;
  } catch {
    return null;
  }
}
