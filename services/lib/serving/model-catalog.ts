// Every blueprint's model versions as the predictor and the trainer need them: the lineage of all
// of them (metadata only), and the whole record — artifact included — only of the versions that
// may still be served. A version stops being servable once a trained version continues it (the
// serving rule then picks a descendant), so memory holds the tip of each lineage and the
// candidates, not the whole history of looper.models (retained for ever, a version every 30 s).
//
// Pure: records in, answers out; the services feed it from their topic followers.

import { ServingLineage, type VersionMeta } from './serving-choice.js';

/** The parts of a Deployment record the catalog reads. */
export interface DeploymentState {
  readonly blueprint: string;
  readonly revision: number;
  readonly live: string | null;
}

export class ModelCatalog<R extends VersionMeta> {
  private readonly lineages = new Map<string, ServingLineage>();
  private readonly servable = new Map<string, R>();

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
    // A continuation may arrive before its parent (there is no order across topics or restarts).
    if (!lineage.isContinued(record.modelVersion)) this.servable.set(record.modelVersion, record);
    if (record.role === 'trained' && record.parentVersion !== null) this.servable.delete(record.parentVersion);
    return true;
  }

  /** Applies a deployment record; true when the deployed live version changed. */
  deploy(deployment: DeploymentState): boolean {
    return this.lineage(deployment.blueprint).deploy(deployment.live, deployment.revision);
  }

  /** The id of the version that should serve the blueprint, or null; see ServingLineage.chosen. */
  chosen(blueprint: string): string | null {
    return this.lineages.get(blueprint)?.chosen() ?? null;
  }

  /** The whole record of a version that may still be served; undefined for others and unknown ones. */
  record(modelVersion: string): R | undefined {
    return this.servable.get(modelVersion);
  }

  /** How many whole records (artifacts) are held. */
  get retained(): number {
    return this.servable.size;
  }
}
