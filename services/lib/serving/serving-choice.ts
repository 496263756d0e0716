// Which model version answers for a blueprint. A deployment names the live version; the trainer
// keeps training that model and publishes 'trained' versions whose parentVersion chains back to
// it, so what serves is the newest version of that lineage: continual training of the chosen
// model keeps reaching traffic. Without a deployment (or with live null), the newest trained
// version serves, as before deployments existed.
//
// Pure: no Kafka. The predictor follows looper.models and looper.deployments with two independent
// consumers, so records of the two topics arrive in any order; the lineage is kept incrementally
// and gives the same answer whatever the order. A model version costs O(1); a deployment that names
// another version costs one walk over that version's known descendants.

import type { ModelRole } from '../schemas/generated.js';

/** What the serving rule reads of a ModelVersion. */
export interface VersionMeta {
  readonly modelVersion: string;
  readonly blueprint: string;
  readonly role: ModelRole;
  readonly sequence: number;
  readonly parentVersion: string | null;
}

/** Sequence decides; the id breaks a tie, so the answer never depends on arrival order. */
function isNewer(a: VersionMeta, than: VersionMeta | null): boolean {
  return than === null || a.sequence > than.sequence || (a.sequence === than.sequence && a.modelVersion > than.modelVersion);
}

/** One blueprint's model versions and deployment, as a lineage graph. */
export class ServingLineage {
  private readonly versions = new Map<string, VersionMeta>();
  /** Parent id → the trained versions that continue it; the parent itself may not have arrived yet. */
  private readonly continuations = new Map<string, string[]>();
  /** Lineage origins already resolved (see originCandidate); only answers that cannot change. */
  private readonly origins = new Map<string, string | null>();
  private newestTrained: VersionMeta | null = null;
  private highestSequence = 0;
  private deployed: string | null = null;
  private revision = -Infinity;
  /** The trained descendants of `deployed` known so far, and the newest of them. */
  private descendants = new Set<string>();
  private newestDescendant: VersionMeta | null = null;

  /** Records a model version of this blueprint; false when it was known already (replays are harmless). */
  addVersion(meta: VersionMeta): boolean {
    if (this.versions.has(meta.modelVersion)) return false;
    const own: VersionMeta = { modelVersion: meta.modelVersion, blueprint: meta.blueprint, role: meta.role, sequence: meta.sequence, parentVersion: meta.parentVersion };
    this.versions.set(own.modelVersion, own);
    this.highestSequence = Math.max(this.highestSequence, own.sequence);
    if (own.role !== 'trained') return true;
    if (isNewer(own, this.newestTrained)) this.newestTrained = own;
    if (own.parentVersion !== null) {
      const siblings = this.continuations.get(own.parentVersion);
      if (siblings) siblings.push(own.modelVersion);
      else this.continuations.set(own.parentVersion, [own.modelVersion]);
      if (own.parentVersion === this.deployed || this.descendants.has(own.parentVersion)) this.absorb(own.modelVersion);
    }
    return true;
  }

  /**
   * Applies a deployment record; one whose revision is not above the last applied is stale or a
   * duplicate and is ignored. Returns whether the deployed live version changed.
   */
  deploy(live: string | null, revision: number): boolean {
    if (revision <= this.revision) return false;
    this.revision = revision;
    if (live === this.deployed) return false;
    this.deployed = live;
    this.descendants = new Set();
    this.newestDescendant = null;
    for (const child of live === null ? [] : (this.continuations.get(live) ?? [])) this.absorb(child);
    return true;
  }

  /** The id of the version to serve, or null when there is none; it may not have arrived yet. */
  chosen(): string | null {
    if (this.deployed === null) return this.newestTrained?.modelVersion ?? null;
    return this.newestDescendant?.modelVersion ?? this.deployed;
  }

  get deployedVersion(): string | null {
    return this.deployed;
  }

  /** The newest trained version of any lineage: what serves without a deployment. */
  get newestTrainedVersion(): string | null {
    return this.newestTrained?.modelVersion ?? null;
  }

  /** The highest sequence of any version, whoever published it. */
  get maxSequence(): number {
    return this.highestSequence;
  }

  get(modelVersion: string): VersionMeta | undefined {
    return this.versions.get(modelVersion);
  }

  /** Whether a trained version continues this one: then it is never served again (a descendant is). */
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

  /** Adds `start` and everything known to continue it to the deployed lineage. */
  private absorb(start: string): void {
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === this.deployed || this.descendants.has(id)) continue;
      const meta = this.versions.get(id);
      if (meta === undefined) continue;
      this.descendants.add(id);
      if (isNewer(meta, this.newestDescendant)) this.newestDescendant = meta;
      stack.push(...(this.continuations.get(id) ?? []));
    }
  }
}

/** The version to serve, given one blueprint's known versions and the deployed live id (or null). */
export function chooseServedVersion(blueprint: string, versions: Iterable<VersionMeta>, deployedLive: string | null): string | null {
  const lineage = new ServingLineage();
  for (const meta of versions) if (meta.blueprint === blueprint) lineage.addVersion(meta);
  lineage.deploy(deployedLive, 1);
  return lineage.chosen();
}
