// Every blueprint's model versions as the predictor and the trainer need them: the lineage of all
// of them (metadata only), and the whole record — artifact included — only of the versions worth
// holding (ServingLineage.worthHolding): what serves, the deployment's shadows and canary, and the
// tips and candidates a later deployment may name. A version stops being worth holding once a
// trained version continues it (the serving rule then picks a descendant) or it is retired, so
// memory does not grow with the whole history of looper.models (retained for ever, a version
// every 30 s). A record dropped is gone for good: a later deployment naming a version that was
// already continued finds no artifact (the rollout names candidates and tips, so it does not).
//
// Pure: records in, answers out; the services feed it from their topic followers.

import { ServingLineage, type CanaryChoice, type VersionMeta } from './serving-choice.js';

/** The parts of a Deployment record the catalog reads; rollout fields absent (v1) mean none. */
export interface DeploymentState {
  readonly blueprint: string;
  readonly revision: number;
  readonly live: string | null;
  readonly shadow?: readonly string[];
  readonly canary?: CanaryChoice | null;
  readonly retired?: readonly string[];
}

export class ModelCatalog<R extends VersionMeta> {
  private readonly lineages = new Map<string, ServingLineage>();
  private readonly held = new Map<string, R>();

  /** The lineage of one blueprint (empty when nothing is known of it). */
  lineage(blueprint: string): ServingLineage {
    let lineage = this.lineages.get(blueprint);
    if (!lineage) {
      lineage = new ServingLineage();
      this.lineages.set(blueprint, lineage);
    }
    return lineage;
  }

  /** Records a model version; false when it was known already. */
  addVersion(record: R): boolean {
    const lineage = this.lineage(record.blueprint);
    if (!lineage.addVersion(record)) return false;
    const id = record.modelVersion;
    // A continuation may arrive before its parent (there is no order across topics or restarts).
    if (lineage.worthHolding(id)) this.held.set(id, record);
    if (record.parentVersion !== null && !lineage.worthHolding(record.parentVersion))
      this.held.delete(record.parentVersion);
    // Arriving late, it may bar continuations of it that are held: rare, so a sweep is fine.
    if (lineage.isRetired(id) && lineage.isContinued(id)) this.sweep(record.blueprint, lineage);
    return true;
  }

  /** Applies a deployment record; true when live, shadow, canary or the retired set changed. */
  deploy(deployment: DeploymentState): boolean {
    const lineage = this.lineage(deployment.blueprint);
    const rollout = {
      shadow: deployment.shadow ?? [],
      canary: deployment.canary ?? null,
      retired: deployment.retired ?? [],
    };
    if (!lineage.deploy(deployment.live, deployment.revision, rollout)) return false;
    this.sweep(deployment.blueprint, lineage);
    return true;
  }

  /** The id of the version that should serve the blueprint, or null; see ServingLineage.chosen. */
  chosen(blueprint: string): string | null {
    return this.lineages.get(blueprint)?.chosen() ?? null;
  }

  /** The whole record of a version worth holding; undefined for others and unknown ones. */
  record(modelVersion: string): R | undefined {
    return this.held.get(modelVersion);
  }

  /** How many whole records (artifacts) are held. */
  get retained(): number {
    return this.held.size;
  }

  /** Drops the blueprint's records no longer worth holding (a deployment is rare: a pass is cheap). */
  private sweep(blueprint: string, lineage: ServingLineage): void {
    for (const [id, record] of this.held)
      if (record.blueprint === blueprint && !lineage.worthHolding(id)) this.held.delete(id);
  }
}
