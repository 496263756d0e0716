// The artifact format "looper-dense/1" of the dense families (logistic, linear, mlp): a header
// with the family, task, hyper-parameters, input features and layer shapes, then the sections
//   moments.count, moments.mean, moments.m2   f64 × numeric features   (running standardisation)
//   target                                    f64 × 3: count, mean, m2 of the label (estimation only)
//   layer<i>.kernel                           f32 × inputs·units, row-major [input][unit]
//   layer<i>.bias                             f32 × units
// Serving derives the standardisation and the target scale from the stored moments with the same
// functions training uses, so the two paths compute the same vector.

import {
  decodeArtifact,
  encodeArtifact,
  readStoredInputs,
  requireSection,
  type ArtifactHeader,
  type DecodedArtifact,
  type SectionData,
} from './artifact.js';
import type { HyperParameterValue, LearnerTask } from './contract.js';
import type { DenseLayerSpec } from './dense-network.js';
import { ArtifactError } from './errors.js';
import type { FeatureSchema, InputFeature } from './feature-schema.js';
import { EncodingPlan, type Moments } from './preprocess.js';

export const DENSE_FORMAT = 'looper-dense/1';

export interface DenseHeader extends ArtifactHeader {
  readonly format: typeof DENSE_FORMAT;
  readonly family: string;
  readonly task: LearnerTask;
  readonly hyperParameters: Readonly<Record<string, HyperParameterValue>>;
  readonly features: readonly InputFeature[];
  readonly hashBuckets: number;
  readonly layers: readonly DenseLayerSpec[];
  readonly examplesSeen: number;
}

/** Everything a dense artifact holds, decoded and checked. */
export interface DenseModel {
  readonly family: string;
  readonly task: LearnerTask;
  readonly hyperParameters: Readonly<Record<string, HyperParameterValue>>;
  readonly schema: FeatureSchema;
  readonly hashBuckets: number;
  readonly layers: readonly DenseLayerSpec[];
  readonly examplesSeen: number;
  readonly moments: Moments;
  /** count, mean, m2 of the label; null for classification. */
  readonly target: Float64Array | null;
  /** kernel 0, bias 0, kernel 1, bias 1, ... */
  readonly weights: readonly Float32Array[];
}

export function encodeDense(model: DenseModel): Uint8Array {
  const header: DenseHeader = {
    format: DENSE_FORMAT,
    family: model.family,
    task: model.task,
    hyperParameters: model.hyperParameters,
    features: model.schema.features,
    hashBuckets: model.hashBuckets,
    layers: model.layers,
    examplesSeen: model.examplesSeen,
  };
  const sections: Array<readonly [string, SectionData]> = [
    ['moments.count', model.moments.count],
    ['moments.mean', model.moments.mean],
    ['moments.m2', model.moments.m2],
  ];
  if (model.target !== null) sections.push(['target', model.target]);
  model.layers.forEach((_, i) => {
    sections.push(
      [`layer${i}.kernel`, model.weights[i * 2] as Float32Array],
      [`layer${i}.bias`, model.weights[i * 2 + 1] as Float32Array],
    );
  });
  return encodeArtifact(header, sections);
}

export function decodeDense(bytes: Uint8Array): DenseModel {
  return readDense(decodeArtifact(bytes));
}

export function readDense(artifact: DecodedArtifact): DenseModel {
  const h = artifact.header as Partial<DenseHeader>;
  if (h.format !== DENSE_FORMAT) throw new ArtifactError(`format "${String(h.format)}" is not ${DENSE_FORMAT}`);
  const { task, schema, hashBuckets } = readStoredInputs(h as Record<string, unknown>, 'dense');
  if (!Array.isArray(h.layers)) throw new ArtifactError('the dense header lacks layers');
  const plan = new EncodingPlan(schema, hashBuckets);
  const layers = h.layers;
  let inputs = plan.width;
  for (const [i, layer] of layers.entries()) {
    if (
      layer.inputs !== inputs ||
      !Number.isInteger(layer.units) ||
      layer.units < 1 ||
      !['relu', 'sigmoid', 'identity'].includes(layer.activation)
    ) {
      throw new ArtifactError(`layer ${i} has an invalid shape or activation`);
    }
    inputs = layer.units;
  }
  if (inputs !== 1 || layers.length === 0) throw new ArtifactError('the last layer must have one unit');
  const n = plan.momentCount;
  const weights = layers.flatMap((layer, i) => [
    requireSection(artifact, `layer${i}.kernel`, Float32Array, layer.inputs * layer.units),
    requireSection(artifact, `layer${i}.bias`, Float32Array, layer.units),
  ]);
  return {
    family: h.family as string,
    task,
    hyperParameters: h.hyperParameters ?? {},
    schema,
    hashBuckets,
    layers,
    examplesSeen: typeof h.examplesSeen === 'number' ? h.examplesSeen : 0,
    moments: {
      count: requireSection(artifact, 'moments.count', Float64Array, n),
      mean: requireSection(artifact, 'moments.mean', Float64Array, n),
      m2: requireSection(artifact, 'moments.m2', Float64Array, n),
    },
    target: h.task === 'estimation' ? requireSection(artifact, 'target', Float64Array, 3) : null,
    weights,
  };
}

/** The label scale of an estimation model, from the running label moments: value = center + scale · output. */
export function targetScale(target: Float64Array): { center: number; scale: number } {
  const n = target[0] ?? 0;
  const variance = n >= 2 ? (target[2] ?? 0) / n : 0;
  return { center: n > 0 ? (target[1] ?? 0) : 0, scale: variance > 1e-12 ? Math.sqrt(variance) : 1 };
}
