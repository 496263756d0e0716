// Gradient-boosted decision trees, written here in TypeScript (JavaScript has no maintained GBDT
// library): histogram-based, trees grown level-wise, logistic loss for classification and squared
// loss for estimation (gbdt-boost.ts, gbdt-tree.ts, gbdt-histogram.ts), served from the artifact
// "looper-gbdt/1" (gbdt-format.ts) by GbdtScorer.
//
// GBDT is a batch learner: it does not update trees example by example. The learner keeps the most
// recent `bufferSize` examples as input vectors, and each learnMany call that brings examples refits
// the whole ensemble from scratch on that buffer. learnOne only buffers its example and refits once
// `refitEvery` examples arrived since the last fit; examples buffered but not yet fitted are not in
// the artifact (nor is the buffer: a restored learner starts with an empty one).
//
// A restored learner keeps the artifact's trees as they are and boosts its new trees on top of
// them (warm start, as XGBoost's xgb_model). When the artifact itself came from a restored learner,
// only the trees that one inherited are kept under the new fit (the rest serve until it), so a
// model restored again and again stays at most its first inheritance plus nTrees.
//
// Bin edges come from quantiles of the buffer at the first fit, and are taken again whenever the
// buffer has doubled since, so a first fit on a few examples does not fix poor bins for good.

import type { FeatureValues } from '../feature-values.js';
import type { HyperParameterValue, Learner, LearnerFamily, LearnerTask, Scorer } from './contract.js';
import { ArtifactError } from './errors.js';
import type { FeatureSchema } from './feature-schema.js';
import { boost } from './gbdt-boost.js';
import {
  decodeGbdt,
  encodeGbdt,
  GBDT_FAMILY,
  GBDT_FORMAT,
  joinTrees,
  leadingTrees,
  type TreeEnsemble,
} from './gbdt-format.js';
import { binMatrix, columnEdges } from './gbdt-histogram.js';
import { compileGbdtOptions, type GbdtHyperParameters, type GbdtOptions } from './gbdt-options.js';
import { ensembleMargin, GbdtScorer, rawVectorizer } from './gbdt-scorer.js';
import { EncodingPlan, type Vectorizer } from './preprocess.js';
import { checkTrainingBatch } from './training-input.js';

export class GradientBoostedTrees implements Learner {
  readonly family = GBDT_FAMILY;
  readonly task: LearnerTask;
  readonly artifactFormat = GBDT_FORMAT;
  readonly hyperParameters: Readonly<Record<string, HyperParameterValue>>;
  readonly featureNames: readonly string[];

  private readonly hyper: GbdtHyperParameters;
  private readonly schema: FeatureSchema;
  private readonly vectorizer: Vectorizer;
  private readonly width: number;
  private seen = 0;
  /** Trees from a restored artifact, kept as they are; null for a new model. */
  private inherited: TreeEnsemble | null = null;
  /** What the artifact says of inheritance: as restored until a fit, then the count of inherited trees. */
  private inheritedTrees: number | null = null;
  /** The current model: inherited trees, then the trees of the last fit. */
  private model: TreeEnsemble;
  /** The serving Scorer of `model`, rebuilt lazily after a fit. */
  private scorer: Scorer | null = null;
  /** The artifact size, recomputed lazily after learning (examplesSeen is in the header). */
  private size: number | null = null;

  // The example buffer: a ring of the most recent examples, grown up to bufferSize.
  private rows = new Float32Array(0);
  private ys = new Float64Array(0);
  private ws = new Float64Array(0);
  private capacity = 0;
  private head = 0;
  private count = 0;
  private pending = 0;
  private edges: Float32Array[] | null = null;
  private binnedAt = 0;

  constructor(schema: FeatureSchema, task: LearnerTask, options: GbdtOptions = {}) {
    this.task = task;
    this.hyper = compileGbdtOptions({ ...options });
    this.hyperParameters = { ...this.hyper };
    this.schema = schema;
    this.featureNames = schema.features.map((f) => f.name);
    const plan = new EncodingPlan(schema, this.hyper.hashBuckets);
    this.vectorizer = rawVectorizer(plan);
    this.width = plan.width;
    this.model = joinTrees(0, null, []);
  }

  /** A learner that goes on from a gbdt artifact: its trees kept, new ones boosted on top. */
  static restore(artifact: Uint8Array): GradientBoostedTrees {
    const model = decodeGbdt(artifact);
    if (model.family !== GBDT_FAMILY)
      throw new ArtifactError(`the artifact is of family ${model.family}, not ${GBDT_FAMILY}`);
    const learner = new GradientBoostedTrees(model.schema, model.task, compileGbdtOptions(model.hyperParameters));
    learner.inherited =
      model.inheritedTrees === null ? model.ensemble : leadingTrees(model.ensemble, model.inheritedTrees);
    learner.model = model.ensemble;
    learner.inheritedTrees = model.inheritedTrees;
    learner.seen = model.examplesSeen;
    return learner;
  }

  get examplesSeen(): number {
    return this.seen;
  }

  /** Trees in the current model (inherited ones included). */
  get treeCount(): number {
    return this.model.roots.length;
  }

  /** Buffers the batch, then refits the ensemble from scratch on the whole buffer. */
  learnMany(xs: readonly FeatureValues[], ys: readonly number[], weights?: readonly number[]): void {
    checkTrainingBatch(this.family, this.task, xs, ys, weights);
    for (let i = 0; i < xs.length; i++) this.append(xs[i] as FeatureValues, ys[i] as number, weights?.[i] ?? 1);
    this.seen += xs.length;
    this.size = null;
    if (xs.length > 0) this.fit();
  }

  /** Buffers the example; refits once `refitEvery` examples arrived since the last fit. */
  learnOne(x: FeatureValues, y: number, weight?: number): void {
    checkTrainingBatch(this.family, this.task, [x], [y], weight === undefined ? undefined : [weight]);
    this.append(x, y, weight ?? 1);
    this.seen += 1;
    this.size = null; // the trees are unchanged until the next fit, but examplesSeen is in the artifact
    if (this.pending >= this.hyper.refitEvery) this.fit();
  }

  predictOne(x: FeatureValues): number {
    this.scorer ??= new GbdtScorer(decodeGbdt(this.toArtifact()));
    return this.scorer.score(x);
  }

  toArtifact(): Uint8Array {
    return encodeGbdt({
      family: this.family,
      task: this.task,
      hyperParameters: this.hyperParameters,
      schema: this.schema,
      hashBuckets: this.hyper.hashBuckets,
      examplesSeen: this.seen,
      ensemble: this.model,
      inheritedTrees: this.inheritedTrees,
    });
  }

  sizeBytes(): number {
    this.size ??= this.toArtifact().length;
    return this.size;
  }

  /** Drops the buffer (the learner holds nothing outside the JS heap). */
  dispose(): void {
    this.rows = new Float32Array(0);
    this.ys = new Float64Array(0);
    this.ws = new Float64Array(0);
    this.capacity = this.head = this.count = 0;
  }

  private append(x: FeatureValues, y: number, w: number): void {
    if (this.count === this.capacity && this.capacity < this.hyper.bufferSize)
      this.grow(Math.min(this.hyper.bufferSize, Math.max(256, this.capacity * 2)));
    const slot = this.count < this.capacity ? (this.head + this.count) % this.capacity : this.head;
    if (this.count < this.capacity) this.count++;
    else this.head = (this.head + 1) % this.capacity; // full: the oldest example makes room
    this.vectorizer.vectorize(x, this.rows, slot * this.width);
    this.ys[slot] = y;
    this.ws[slot] = w;
    this.pending++;
  }

  private grow(capacity: number): void {
    const rows = new Float32Array(capacity * this.width);
    const ys = new Float64Array(capacity);
    const ws = new Float64Array(capacity);
    this.copyInOrder(rows, ys, ws);
    this.rows = rows;
    this.ys = ys;
    this.ws = ws;
    this.capacity = capacity;
    this.head = 0;
  }

  /** The buffered examples, oldest first, into the given arrays. */
  private copyInOrder(rows: Float32Array, ys: Float64Array, ws: Float64Array): void {
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.capacity;
      rows.set(this.rows.subarray(slot * this.width, (slot + 1) * this.width), i * this.width);
      ys[i] = this.ys[slot] as number;
      ws[i] = this.ws[slot] as number;
    }
  }

  private fit(): void {
    const n = this.count;
    const width = this.width;
    const rows = new Float32Array(n * width);
    const ys = new Float64Array(n);
    const ws = new Float64Array(n);
    this.copyInOrder(rows, ys, ws);
    if (this.edges === null || n >= 2 * this.binnedAt) {
      this.edges = columnEdges(rows, n, width, this.hyper.maxBins);
      this.binnedAt = n;
    }
    const matrix = binMatrix(rows, n, width, this.edges);
    const inherited = this.inherited;
    let start: { baseScore: number; margins: Float64Array } | null = null;
    if (inherited !== null) {
      const margins = new Float64Array(n);
      for (let r = 0; r < n; r++) margins[r] = ensembleMargin(inherited, rows.subarray(r * width, (r + 1) * width));
      start = { baseScore: inherited.baseScore, margins };
    }
    const result = boost({ task: this.task, hyper: this.hyper, matrix, ys, ws, start });
    this.model = joinTrees(result.baseScore, inherited, result.trees);
    this.inheritedTrees = inherited === null ? null : inherited.roots.length;
    this.pending = 0;
    this.scorer = null;
    this.size = null;
  }
}

export const gbdtFamily: LearnerFamily = {
  name: GBDT_FAMILY,
  tasks: ['classification', 'estimation'],
  create: (schema, task, options = {}) => new GradientBoostedTrees(schema, task, options as GbdtOptions),
  restore: (artifact) => GradientBoostedTrees.restore(artifact),
};
