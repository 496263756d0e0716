// The multi-class contract: the learners package's Learner predicts one number, these models predict
// a distribution over named classes. Rows are the unit: a model has a fixed number of output rows
// (its vocabulary's size, allocated once), each holding one class or free; callers pass buffers of
// `rows` entries and get row numbers back, then name them with classNameAt. Nothing on the scoring
// path allocates, so the predictor can score each request without garbage.

import type { FeatureValues } from '../feature-values.js';
import { MulticlassInputError } from './errors.js';

/** `classification`: a label that is a class name; `sequence`: the next item of a `last_n` sequence. */
export type MulticlassTask = 'classification' | 'sequence';

/** A label: a class name, or a number read as its decimal text (3 → "3"). */
export type ClassLabel = string | number;

/** A JSON-safe hyper-parameter value (ModelVersion.hyperParameters holds their object). */
export type MulticlassHyperParameter = number | string | boolean | null | readonly string[];

/** The serving half: reads features, writes probabilities per row. */
export interface MulticlassScorer {
  /** Model family: softmax, ngram. */
  readonly family: string;
  readonly task: MulticlassTask;
  /** Output rows; `predictProba`'s buffer holds at least this many. Fixed for the model's life. */
  readonly rows: number;
  /** The class a row holds, or null for a free row (probability 0). Row 0 is always "__other__". */
  classNameAt(row: number): string | null;
  /** The row of a class, or 0 ("__other__") when the model does not know it. */
  rowOf(name: string): number;
  /** Writes P(class of row r | x) into out[r] for every row (0 for free rows). No allocation. */
  predictProba(x: FeatureValues, out: Float64Array): void;
  /**
   * Writes the k most probable rows, best first (ties: lower row first), and their probabilities;
   * returns how many were written (fewer than k when fewer classes are known). No allocation.
   */
  topK(x: FeatureValues, k: number, outRows: Int32Array, outProb: Float64Array): number;
}

/** The learning half, which also serves exactly what its artifact's scorer serves. */
export interface MulticlassLearner extends MulticlassScorer {
  /** How the artifact is to be read, e.g. "looper-softmax/1" (ModelVersion.artifactFormat). */
  readonly artifactFormat: string;
  /** The compiled hyper-parameters, every default filled in. */
  readonly hyperParameters: Readonly<Record<string, MulticlassHyperParameter>>;
  /** Examples learned from in total, restored history included. */
  readonly examplesSeen: number;
  /** Learns from one example at once; `weight` (default 1) is finite and ≥ 0. */
  learnOne(x: FeatureValues, label: ClassLabel, weight?: number): void;
  /** Learns from a batch, in order; a batch with an unusable label or weight is refused whole, before any update. */
  learnMany(xs: readonly FeatureValues[], labels: readonly ClassLabel[], weights?: readonly number[]): void;
  /** A self-contained artifact that loadMulticlassScorer serves and the family's restore goes on from. */
  toArtifact(): Uint8Array;
  /**
   * An artifact to go on from exactly as this learner would (optimizer state included): what the
   * trainer checkpoints. It serves like toArtifact(); families without such state return the same.
   */
  checkpoint(): Uint8Array;
  /** Size of the artifact in bytes (ModelVersion.sizeBytes). */
  sizeBytes(): number;
}

/** The class name of a label, or a MulticlassInputError saying which label is unusable and why. */
export function readClassLabel(family: string, label: unknown, index: number | null): string {
  const where = index === null ? 'the label' : `label ${index}`;
  if (typeof label === 'string') {
    if (label === '')
      throw new MulticlassInputError(family, `${where} is an empty string: a class needs a non-empty name`, index);
    return label;
  }
  if (typeof label === 'number') {
    if (!Number.isFinite(label))
      throw new MulticlassInputError(family, `${where} is ${String(label)}: a numeric label must be finite`, index);
    return String(label);
  }
  throw new MulticlassInputError(
    family,
    `${where} is ${label === null ? 'null' : typeof label}, not a class name (string) or a number`,
    index,
  );
}

/** The checked class names of a batch; refuses the batch whole (nothing learned) on the first problem. */
export function checkMulticlassBatch(
  family: string,
  xs: readonly FeatureValues[],
  labels: readonly ClassLabel[],
  weights?: readonly number[],
): string[] {
  if (xs.length !== labels.length)
    throw new MulticlassInputError(family, `${xs.length} examples but ${labels.length} labels`, null);
  if (weights !== undefined && weights.length !== xs.length)
    throw new MulticlassInputError(family, `${xs.length} examples but ${weights.length} weights`, null);
  const names: string[] = new Array<string>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x: unknown = xs[i];
    if (typeof x !== 'object' || x === null || Array.isArray(x))
      throw new MulticlassInputError(family, `example ${i} is not an object of feature values`, i);
    names[i] = readClassLabel(family, labels[i], i);
    const w: unknown = weights?.[i] ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw new MulticlassInputError(family, `weight ${i} is ${String(w)}: weights are finite and ≥ 0`, i);
  }
  return names;
}
