// The artifact format "looper-gbdt/1" of gradient-boosted trees, in the container of artifact.ts.
// Header: family, task, hyper-parameters, input features, hashBuckets, examplesSeen, and baseScore
// (the margin every prediction starts from). Sections, all f32 (node indices are exact below 2^24):
//   trees.root       × trees   index of each tree's root node; a tree's nodes run to the next root
//   nodes.feature    × nodes   input column split on, −1 for a leaf
//   nodes.threshold  × nodes   x[feature] ≤ threshold goes left: a raw input value, so serving never bins
//   nodes.left       × nodes   index of the left child (after the node, within its tree)
//   nodes.right      × nodes   index of the right child
//   nodes.value      × nodes   leaf value added to the margin (learning rate applied); 0 for splits
// An artifact of a learner that went on from another one also names in `inheritedTrees` how many
// leading trees it inherited: going on again keeps only those and refits the rest, so restarts do
// not stack fit upon fit. Without the field, every tree counts as inherited.
// The margin is baseScore + Σ leaf values: a probability through the sigmoid (classification), the
// estimate itself (estimation). Bin edges are not stored: only training needs them.

import {
  decodeArtifact,
  encodeArtifact,
  readStoredInputs,
  requireSection,
  type ArtifactHeader,
  type DecodedArtifact,
} from './artifact.js';
import type { HyperParameterValue, LearnerTask } from './contract.js';
import { ArtifactError } from './errors.js';
import type { FeatureSchema, InputFeature } from './feature-schema.js';
import type { GrownTree } from './gbdt-tree.js';
import { EncodingPlan } from './preprocess.js';

export const GBDT_FORMAT = 'looper-gbdt/1';
export const GBDT_FAMILY = 'gbdt';
const MAX_NODES = 2 ** 24;

/** Trees as flat arrays, as served. */
export interface TreeEnsemble {
  readonly baseScore: number;
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float32Array;
}

export interface GbdtHeader extends ArtifactHeader {
  readonly format: typeof GBDT_FORMAT;
  readonly task: LearnerTask;
  readonly hyperParameters: Readonly<Record<string, HyperParameterValue>>;
  readonly features: readonly InputFeature[];
  readonly hashBuckets: number;
  readonly examplesSeen: number;
  readonly baseScore: number;
  readonly inheritedTrees?: number;
}

/** Everything a gbdt artifact holds, decoded and checked. */
export interface GbdtModel {
  readonly family: string;
  readonly task: LearnerTask;
  readonly hyperParameters: Readonly<Record<string, HyperParameterValue>>;
  readonly schema: FeatureSchema;
  readonly hashBuckets: number;
  readonly examplesSeen: number;
  readonly ensemble: TreeEnsemble;
  /** Leading trees inherited from an earlier artifact; null when not recorded (all of them count). */
  readonly inheritedTrees: number | null;
}

/** The first `count` trees of an ensemble. */
export function leadingTrees(e: TreeEnsemble, count: number): TreeEnsemble {
  if (count >= e.roots.length) return e;
  const nodes = count === 0 ? 0 : (e.roots[count] as number);
  return {
    baseScore: e.baseScore,
    roots: e.roots.slice(0, count),
    feature: e.feature.slice(0, nodes),
    threshold: e.threshold.slice(0, nodes),
    left: e.left.slice(0, nodes),
    right: e.right.slice(0, nodes),
    value: e.value.slice(0, nodes),
  };
}

/** `earlier` followed by `grown` (their node indices shifted), with `baseScore`. */
export function joinTrees(baseScore: number, earlier: TreeEnsemble | null, grown: readonly GrownTree[]): TreeEnsemble {
  const earlierNodes = earlier?.feature.length ?? 0;
  const nodes = earlierNodes + grown.reduce((n, t) => n + t.feature.length, 0);
  const trees = (earlier?.roots.length ?? 0) + grown.length;
  const e: TreeEnsemble = {
    baseScore,
    roots: new Int32Array(trees),
    feature: new Int32Array(nodes),
    threshold: new Float32Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    value: new Float32Array(nodes),
  };
  if (earlier !== null) {
    e.roots.set(earlier.roots);
    e.feature.set(earlier.feature);
    e.threshold.set(earlier.threshold);
    e.left.set(earlier.left);
    e.right.set(earlier.right);
    e.value.set(earlier.value);
  }
  let at = earlierNodes;
  grown.forEach((tree, t) => {
    e.roots[(earlier?.roots.length ?? 0) + t] = at;
    const shift = (i: number) => (i < 0 ? -1 : i + at);
    for (let n = 0; n < tree.feature.length; n++) {
      e.feature[at + n] = tree.feature[n] as number;
      e.threshold[at + n] = tree.threshold[n] as number;
      e.left[at + n] = shift(tree.left[n] as number);
      e.right[at + n] = shift(tree.right[n] as number);
      e.value[at + n] = tree.value[n] as number;
    }
    at += tree.feature.length;
  });
  return e;
}

export function encodeGbdt(model: GbdtModel): Uint8Array {
  const header: GbdtHeader = {
    format: GBDT_FORMAT,
    family: model.family,
    task: model.task,
    hyperParameters: model.hyperParameters,
    features: model.schema.features,
    hashBuckets: model.hashBuckets,
    examplesSeen: model.examplesSeen,
    baseScore: model.ensemble.baseScore,
    ...(model.inheritedTrees === null ? {} : { inheritedTrees: model.inheritedTrees }),
  };
  const e = model.ensemble;
  return encodeArtifact(header, [
    ['trees.root', Float32Array.from(e.roots)],
    ['nodes.feature', Float32Array.from(e.feature)],
    ['nodes.threshold', e.threshold],
    ['nodes.left', Float32Array.from(e.left)],
    ['nodes.right', Float32Array.from(e.right)],
    ['nodes.value', e.value],
  ]);
}

export function decodeGbdt(bytes: Uint8Array): GbdtModel {
  return readGbdt(decodeArtifact(bytes));
}

export function readGbdt(artifact: DecodedArtifact): GbdtModel {
  const h = artifact.header as Partial<GbdtHeader>;
  if (h.format !== GBDT_FORMAT) throw new ArtifactError(`format "${String(h.format)}" is not ${GBDT_FORMAT}`);
  const { task, schema, hashBuckets } = readStoredInputs(h as Record<string, unknown>, 'gbdt');
  if (typeof h.baseScore !== 'number' || !Number.isFinite(h.baseScore))
    throw new ArtifactError('the gbdt header lacks baseScore');
  const width = new EncodingPlan(schema, hashBuckets).width;
  const trees = artifact.sections.get('trees.root')?.length ?? 0;
  const nodes = artifact.sections.get('nodes.feature')?.length ?? 0;
  if (nodes > MAX_NODES) throw new ArtifactError(`${nodes} nodes: at most ${MAX_NODES} are supported`);
  const ints = (name: string, length: number) => Int32Array.from(requireSection(artifact, name, Float32Array, length));
  const ensemble: TreeEnsemble = {
    baseScore: h.baseScore,
    roots: ints('trees.root', trees),
    feature: ints('nodes.feature', nodes),
    threshold: requireSection(artifact, 'nodes.threshold', Float32Array, nodes),
    left: ints('nodes.left', nodes),
    right: ints('nodes.right', nodes),
    value: requireSection(artifact, 'nodes.value', Float32Array, nodes),
  };
  checkTrees(ensemble, width);
  const inheritedTrees = h.inheritedTrees ?? null;
  if (
    inheritedTrees !== null &&
    !(Number.isInteger(inheritedTrees) && inheritedTrees >= 0 && inheritedTrees <= trees)
  ) {
    throw new ArtifactError(`inheritedTrees ${String(inheritedTrees)} is not a tree count from 0 to ${trees}`);
  }
  return {
    family: h.family as string,
    task,
    hyperParameters: h.hyperParameters ?? {},
    schema,
    hashBuckets,
    examplesSeen: typeof h.examplesSeen === 'number' ? h.examplesSeen : 0,
    ensemble,
    inheritedTrees,
  };
}

/** Every walk ends at a leaf: children lie after their node and within its tree; values are finite. */
function checkTrees(e: TreeEnsemble, width: number): void {
  const nodes = e.feature.length;
  for (let t = 0; t < e.roots.length; t++) {
    const start = e.roots[t] as number;
    const end = t + 1 < e.roots.length ? (e.roots[t + 1] as number) : nodes;
    if ((t === 0 && start !== 0) || start >= end) throw new ArtifactError(`tree ${t} has an invalid root`);
    for (let n = start; n < end; n++) {
      const f = e.feature[n] as number;
      if (!Number.isFinite(e.value[n] as number) || !Number.isFinite(e.threshold[n] as number))
        throw new ArtifactError(`node ${n} has a value or threshold that is not finite`);
      if (f === -1) continue;
      const l = e.left[n] as number;
      const r = e.right[n] as number;
      if (f < 0 || f >= width || l <= n || r <= n || l >= end || r >= end)
        throw new ArtifactError(`node ${n} has an invalid feature or children`);
    }
  }
  if (e.roots.length === 0 && nodes !== 0) throw new ArtifactError('nodes without trees');
}
