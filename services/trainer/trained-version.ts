// The ModelVersion record a continual trainer publishes (role trained), whatever its family: the
// fields every trainer fills the same way are filled here once.
import type { Blueprint, ModelVersion } from '../lib/schemas/generated.js';

export type TrainedVersionParts = Pick<
  ModelVersion,
  | 'sequence'
  | 'family'
  | 'featureNames'
  | 'artifactFormat'
  | 'p99InferenceUs'
  | 'trainedOnExamples'
  | 'dataStartTs'
  | 'dataEndTs'
  | 'createdAt'
  | 'parentVersion'
  | 'profile'
> & {
  artifact: Uint8Array;
  hyperParameters: unknown;
  /** Metrics by name; those that are not finite numbers (nothing measured yet) are left out. */
  metrics: Readonly<Record<string, number | null>>;
};

export function trainedVersion(bp: Pick<Blueprint, 'name' | 'version'>, parts: TrainedVersionParts): ModelVersion {
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(parts.metrics))
    if (value !== null && Number.isFinite(value)) metrics[name] = value;
  return {
    ...parts,
    modelVersion: `${bp.name}/${parts.sequence}`,
    blueprint: bp.name,
    blueprintVersion: bp.version,
    role: 'trained',
    hyperParameters: JSON.stringify(parts.hyperParameters),
    artifact: Buffer.from(parts.artifact),
    sizeBytes: parts.artifact.length,
    metrics,
    search: null,
  };
}

/**
 * The trainer's log line for a published version: its family and the metrics it was published
 * with, which are the task's own (blueprint-trainer.ts, multiclass-trainer.ts, planning-trainer.ts):
 * "published order_value/3 (linear, examples 812, rmse 2.1034, mae 1.5120)". The count is whole and
 * every figure has 4 decimals, also one that happens to be whole (an MAE of 399 reads 399.0000).
 */
export function describePublished(record: Pick<ModelVersion, 'modelVersion' | 'family' | 'metrics'>): string {
  const metrics = Object.entries(record.metrics).map(
    ([name, value]) => `${name} ${name === 'examples' ? value : value.toFixed(4)}`,
  );
  return `published ${record.modelVersion} (${[record.family, ...metrics].join(', ')})`;
}
