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
