// Which model versions serve a blueprint, and how. A deployment names the live version; the trainer
// keeps training that model and publishes 'trained' versions whose parentVersion chains back to
// it, so what serves is the newest version of that lineage: continual training of the chosen
// model keeps reaching traffic. Without a deployment (or with live null), the newest trained
// version serves, as before deployments existed.
//
// The rollout service adds three things. Shadow versions are scored on every request and answer
// nobody. A canary answers a share of entities as it is (the trainer continues only the live
// lineage, so a canary has no continuations worth following). Retired versions were rolled back or
// rejected for good: neither they nor any trained version continuing them ("barred" below) is ever
// served again — when live itself is barred, the newest trained version that is not serves.
//
// Pure: no Kafka. The predictor follows looper.models and looper.deployments with two independent
// consumers, so records of the two topics arrive in any order; the lineage is kept incrementally
// and gives the same answer whatever the order. A model version costs O(1) — or, when it arrives
// after its own continuations and turns out to continue a retired version, one pass over the
// versions; a deployment that changes live or the retired set costs one pass too.

import type { ModelRole } from '../schemas/generated.js';

/** What the serving rule reads of a ModelVersion. */
export interface VersionMeta {
  readonly modelVersion: string;
  readonly blueprint: string;
  readonly role: ModelRole;
  readonly sequence: number;
  readonly parentVersion: string | null;
}

/** A canary: the version and the fraction of entities, in (0, 1], it answers for. */
export interface CanaryChoice {
  readonly modelVersion: string;
  readonly share: number;
}

/** The rollout part of a Deployment record. */
export interface RolloutState {
  readonly shadow: readonly string[];
  readonly canary: CanaryChoice | null;
  readonly retired: readonly string[];
}

export const NO_ROLLOUT: RolloutState = Object.freeze({ shadow: [], canary: null, retired: [] });

/** Sequence decides; the id breaks a tie, so the answer never depends on arrival order. */
function isNewer(a: VersionMeta, than: VersionMeta | null): boolean {
  return (
    than === null || a.sequence > than.sequence || (a.sequence === than.sequence && a.modelVersion > than.modelVersion)
  );
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** One blueprint's model versions and deployment, as a lineage graph. */
export class ServingLineage {
  private readonly versions = new Map<string, VersionMeta>();
  /** Parent id → the trained versions that continue it; the parent itself may not have arrived yet. */
  private readonly continuations = new Map<string, string[]>();
  /** Lineage origins already resolved (see originCandidate); only answers that cannot change. */
  private readonly origins = new Map<string, string | null>();
  private highestSequence = 0;
  /** Retired ids, and every known trained version continuing one: never served. */
  private barred = new Set<string>();
  private retired: readonly string[] = [];
  private newestTrained: VersionMeta | null = null; // the newest that is not barred
  private deployed: string | null = null;
  private revision = -Infinity;
  /** The trained descendants of `deployed` known so far (none barred), and the newest of them. */
  private descendants = new Set<string>();
  private newestDescendant: VersionMeta | null = null;
  private shadowIds: readonly string[] = [];
  private canaryChoice: CanaryChoice | null = null;

  /** Records a model version of this blueprint; false when it was known already (replays are harmless). */
  addVersion(meta: VersionMeta): boolean {
    if (this.versions.has(meta.modelVersion)) return false;
    const own: VersionMeta = {
      modelVersion: meta.modelVersion,
      blueprint: meta.blueprint,
      role: meta.role,
      sequence: meta.sequence,
      parentVersion: meta.parentVersion,
    };
    this.versions.set(own.modelVersion, own);
    this.highestSequence = Math.max(this.highestSequence, own.sequence);
    if (own.role !== 'trained') return true;
    if (own.parentVersion !== null) {
      const siblings = this.continuations.get(own.parentVersion);
      if (siblings) siblings.push(own.modelVersion);
      else this.continuations.set(own.parentVersion, [own.modelVersion]);
    }
    if (this.barred.has(own.modelVersion)) return true; // retired before it arrived
    if (own.parentVersion !== null && this.barred.has(own.parentVersion)) {
      // It continues a barred version, and so do the continuations of it that arrived first.
      const lost = this.bar([own.modelVersion]);
      if (this.newestTrained !== null && lost.has(this.newestTrained.modelVersion))
        this.newestTrained = this.findNewestTrained();
      if (this.deployed !== null && lost.has(this.deployed)) this.rebuildDescendants();
      return true;
    }
    if (isNewer(own, this.newestTrained)) this.newestTrained = own;
    if (own.parentVersion !== null && (own.parentVersion === this.deployed || this.descendants.has(own.parentVersion)))
      this.absorb(own.modelVersion);
    return true;
  }

  /**
   * Applies a deployment record; one whose revision is not above the last applied is stale or a
   * duplicate and is ignored. Returns whether anything it decides changed: live, shadow, canary or
   * the retired set.
   */
  deploy(live: string | null, revision: number, rollout: RolloutState = NO_ROLLOUT): boolean {
    if (revision <= this.revision) return false;
    this.revision = revision;
    const canary =
      rollout.canary !== null && rollout.canary.share > 0
        ? { modelVersion: rollout.canary.modelVersion, share: Math.min(1, rollout.canary.share) }
        : null;
    const canaryChanged =
      canary?.modelVersion !== this.canaryChoice?.modelVersion || canary?.share !== this.canaryChoice?.share;
    const shadowChanged = !sameItems(rollout.shadow, this.shadowIds);
    const retiredChanged = !sameItems(rollout.retired, this.retired);
    const liveChanged = live !== this.deployed;
    this.canaryChoice = canary;
    this.shadowIds = [...rollout.shadow];
    this.deployed = live;
    if (retiredChanged) {
      this.retired = [...rollout.retired];
      this.barred = new Set();
      this.bar(this.retired);
      this.newestTrained = this.findNewestTrained();
    }
    if (liveChanged || retiredChanged) this.rebuildDescendants();
    return liveChanged || retiredChanged || shadowChanged || canaryChanged;
  }

  /** The id of the version that answers (outside a canary's share), or null; it may not have arrived yet. */
  chosen(): string | null {
    if (this.deployed === null || this.barred.has(this.deployed)) return this.newestTrained?.modelVersion ?? null;
    return this.newestDescendant?.modelVersion ?? this.deployed;
  }

  /** The versions to score in shadow, in deployment order: never barred, the chosen one or the canary. */
  shadows(): string[] {
    const chosen = this.chosen();
    const canary = this.canary()?.modelVersion;
    return this.shadowIds.filter(
      (id, i) => !this.barred.has(id) && id !== chosen && id !== canary && this.shadowIds.indexOf(id) === i,
    );
  }

  /** The canary, or null when none runs (or it is barred, or it is what serves anyway). */
  canary(): CanaryChoice | null {
    const canary = this.canaryChoice;
    return canary === null || this.barred.has(canary.modelVersion) || canary.modelVersion === this.chosen()
      ? null
      : canary;
  }

  /** Whether a version is retired or a trained version continuing a retired one: never served. */
  isRetired(modelVersion: string): boolean {
    return this.barred.has(modelVersion);
  }

  /**
   * Whether a version's artifact is worth holding: it is not barred, and it serves, is named as
   * shadow or canary, or nothing unbarred continues it (a tip or a candidate, which a later
   * deployment may name).
   */
  worthHolding(modelVersion: string): boolean {
    if (this.barred.has(modelVersion)) return false;
    if (
      modelVersion === this.chosen() ||
      modelVersion === this.canary()?.modelVersion ||
      this.shadowIds.includes(modelVersion)
    )
      return true;
    for (const child of this.continuations.get(modelVersion) ?? []) if (!this.barred.has(child)) return false;
    return true;
  }

  get deployedVersion(): string | null {
    return this.deployed;
  }

  /** The highest sequence of any version, whoever published it. */
  get maxSequence(): number {
    return this.highestSequence;
  }

  get(modelVersion: string): VersionMeta | undefined {
    return this.versions.get(modelVersion);
  }

  /** Whether a trained version continues this one (barred or not). */
  isContinued(modelVersion: string): boolean {
    return this.continuations.has(modelVersion);
  }

  /**
   * The candidate a version's lineage starts from: the version itself when it is a candidate, else
   * the nearest candidate reached through parentVersion links; null when the lineage has none (the
   * trainer's own) or is cut by a version that never arrived; undefined when `modelVersion` itself
   * is unknown. Within looper.models a parent is published before its children, so a missing
   * parent is gone rather than late.
   */
  originCandidate(modelVersion: string): string | null | undefined {
    if (!this.versions.has(modelVersion)) return undefined;
    const walked = new Set<string>();
    let id: string | null = modelVersion;
    let origin: string | null = null;
    let final = true;
    while (id !== null) {
      const cached = this.origins.get(id);
      if (cached !== undefined) {
        origin = cached;
        break;
      }
      const meta = this.versions.get(id);
      if (meta === undefined || walked.has(id)) {
        final = false; // a gap (or a malformed cycle): do not remember, the answer may change
        break;
      }
      walked.add(id);
      if (meta.role === 'candidate') {
        origin = meta.modelVersion;
        break;
      }
      id = meta.parentVersion;
    }
    // Only the start is remembered: the next query (from the next tip) stops here after one step,
    // without a map entry per version of a long lineage.
    if (final) this.origins.set(modelVersion, origin);
    return origin;
  }

  /** The newest trained version not descending from a retired one: what serves without a deployment. */
  get newestTrainedVersion(): string | null {
    return this.newestTrained?.modelVersion ?? null;
  }

  /** Bars `starts` and every known trained version continuing them; returns those newly barred. */
  private bar(starts: readonly string[]): Set<string> {
    const lost = new Set<string>();
    const stack = [...starts];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.barred.has(id)) continue;
      this.barred.add(id);
      lost.add(id);
      stack.push(...(this.continuations.get(id) ?? []));
    }
    return lost;
  }

  private findNewestTrained(): VersionMeta | null {
    let newest: VersionMeta | null = null;
    for (const meta of this.versions.values())
      if (meta.role === 'trained' && !this.barred.has(meta.modelVersion) && isNewer(meta, newest)) newest = meta;
    return newest;
  }

  private rebuildDescendants(): void {
    this.descendants = new Set();
    this.newestDescendant = null;
    if (this.deployed === null || this.barred.has(this.deployed)) return;
    for (const child of this.continuations.get(this.deployed) ?? []) this.absorb(child);
  }

  /** Adds `start` and everything known to continue it, up to a barred version, to the deployed lineage. */
  private absorb(start: string): void {
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === this.deployed || this.descendants.has(id) || this.barred.has(id)) continue;
      const meta = this.get(id);
      if (meta === undefined) continue;
      this.descendants.add(id);
      if (isNewer(meta, this.newestDescendant)) this.newestDescendant = meta;
      stack.push(...(this.continuations.get(id) ?? []));
    }
  }
}

/** The version to serve, given one blueprint's known versions and its deployment (live id or null). */
export function chooseServedVersion(
  blueprint: string,
  versions: Iterable<VersionMeta>,
  deployedLive: string | null,
  rollout: RolloutState = NO_ROLLOUT,
): string | null {
  const lineage = new ServingLineage();
  for (const meta of versions) if (meta.blueprint === blueprint) lineage.addVersion(meta);
  lineage.deploy(deployedLive, 1, rollout);
  return lineage.chosen();
}
