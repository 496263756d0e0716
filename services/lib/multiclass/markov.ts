// An n-gram next-item model: the baseline every sequence model must beat. It counts what came after
// each item and each pair of items, and predicts by add-k smoothing with back-off:
//
//   P0(c)       = (n(c) + k) / (N + k·A)                  A = classes in use, "__other__" included
//   P1(c | b)   = (n(b, c) + k·A·P0(c)) / (n(b) + k·A)    b = the newest item
//   P2(c | a b) = (n(a b, c) + k·A·P1(c | b)) / (n(a b) + k·A)
//
// i.e. each context gets k pseudo-counts per class, spread by the shorter context's distribution
// instead of uniformly: an unseen context is exactly the shorter one, a rare context leans on it,
// and a well-observed one speaks for itself. Items are read as vocabulary rows (an item the
// vocabulary does not keep is the context "__other__"). Pair contexts are capped (maxContexts,
// least-used evicted: ngram-counts.ts); single-item contexts are bounded by the vocabulary.
//
// The learner is its own scorer (the counts are the model): a restored artifact holds the same
// counts in the same order and so predicts exactly alike. Scoring allocates nothing for string items
// (a numeric item is looked up as String(n)). Artifact: looper-ngram/1, everything in the JSON header.

import type { FeatureValues } from '../feature-values.js';
import { decodeArtifact, encodeArtifact, type DecodedArtifact } from '../learners/artifact.js';
import { vocabularyFor, vocabularyMatches } from './class-options.js';
import {
  checkMulticlassBatch,
  type ClassLabel,
  type MulticlassHyperParameter,
  type MulticlassLearner,
} from './contract.js';
import { ArtifactError } from './errors.js';
import { itemOf } from './item-hash.js';
import { ContextTable, type NextCounts } from './ngram-counts.js';
import {
  compileNGramOptions,
  ngramHyperParametersJson,
  type NGramHyperParameters,
  type NGramOptions,
} from './ngram-options.js';
import { checkProbaBuffer, checkTopK, selectTopK } from './ranking.js';
import { ClassVocabulary } from './vocabulary.js';

export const NGRAM_FORMAT = 'looper-ngram/1';

/** Learned state, as the artifact carries it (checked on load). */
export interface NGramState {
  readonly vocabulary: ClassVocabulary;
  readonly examplesSeen: number;
  readonly unigram: readonly number[];
  readonly unigramTotal: number;
  readonly singles: unknown;
  readonly pairs: unknown;
}

export class NGramModel implements MulticlassLearner {
  readonly family = 'ngram';
  readonly task = 'sequence' as const;
  readonly artifactFormat = NGRAM_FORMAT;
  readonly rows: number;
  readonly hyperParameters: Readonly<Record<string, MulticlassHyperParameter>>;
  private readonly hyper: NGramHyperParameters;
  private readonly vocabulary: ClassVocabulary;
  private readonly unigram: Float64Array;
  private unigramTotal = 0;
  /** Contexts of one item, keyed by its row. */
  private readonly singles: ContextTable;
  /** Contexts of two items, keyed by older · rows + newest. */
  private readonly pairs: ContextTable;
  private readonly scratch: Float64Array;
  private seen = 0;
  private newest = -1;
  private older = -1;

  /** A new model (MulticlassOptionsError for bad options); `restored` is state to go on from (NGramModel.restore). */
  constructor(options: NGramOptions, restored: NGramState | null = null) {
    this.hyper = compileNGramOptions(options as Readonly<Record<string, unknown>>);
    this.hyperParameters = ngramHyperParametersJson(this.hyper);
    this.vocabulary = restored?.vocabulary ?? vocabularyFor(this.hyper);
    this.rows = this.vocabulary.size;
    this.unigram = new Float64Array(this.rows);
    this.singles = new ContextTable(this.rows);
    this.pairs = new ContextTable(this.hyper.maxContexts);
    this.scratch = new Float64Array(this.rows);
    if (restored !== null) this.load(restored);
  }

  /** The model of a looper-ngram/1 artifact, ready to score and to go on learning. */
  static restore(artifact: Uint8Array): NGramModel {
    return NGramModel.fromDecoded(decodeArtifact(artifact));
  }

  /** The model of an artifact already decoded (loadMulticlassScorer reads the format first). */
  static fromDecoded({ header }: DecodedArtifact): NGramModel {
    if (header.format !== NGRAM_FORMAT)
      throw new ArtifactError(
        `format "${header.format}" is not ${NGRAM_FORMAT}: load it with loadMulticlassScorer, which reads every multi-class format`,
      );
    let options: NGramHyperParameters;
    try {
      options = compileNGramOptions((header['hyperParameters'] ?? {}) as Record<string, unknown>);
    } catch (cause) {
      throw new ArtifactError('the stored ngram hyper-parameters are invalid', { cause });
    }
    const vocabulary = ClassVocabulary.fromJSON(header['vocabulary']);
    if (!vocabularyMatches(options, vocabulary))
      throw new ArtifactError(
        `the stored ${vocabulary.kind} vocabulary of ${vocabulary.size} rows does not match the hyper-parameters`,
      );
    const h = header as Record<string, unknown>;
    return new NGramModel(header['hyperParameters'] as NGramOptions, {
      vocabulary,
      examplesSeen: h['examplesSeen'] as number,
      unigram: h['unigram'] as number[],
      unigramTotal: h['unigramTotal'] as number,
      singles: h['singles'],
      pairs: h['pairs'],
    });
  }

  get examplesSeen(): number {
    return this.seen;
  }

  /** Pair contexts held now (at most maxContexts). */
  get pairContexts(): number {
    return this.pairs.count;
  }

  learnOne(x: FeatureValues, label: ClassLabel, weight = 1): void {
    const [name] = checkMulticlassBatch(this.family, [x], [label], [weight]);
    this.step(x, name as string, weight);
  }

  learnMany(xs: readonly FeatureValues[], labels: readonly ClassLabel[], weights?: readonly number[]): void {
    const names = checkMulticlassBatch(this.family, xs, labels, weights);
    for (let i = 0; i < xs.length; i++) this.step(xs[i] as FeatureValues, names[i] as string, weights?.[i] ?? 1);
  }

  classNameAt(row: number): string | null {
    return this.vocabulary.nameAt(row);
  }

  rowOf(name: string): number {
    return this.vocabulary.indexOf(name);
  }

  predictProba(x: FeatureValues, out: Float64Array): void {
    checkProbaBuffer('ngram.predictProba', out, this.rows);
    this.distribution(x, out);
  }

  topK(x: FeatureValues, k: number, outRows: Int32Array, outProb: Float64Array): number {
    checkTopK('ngram.topK', k, outRows, outProb);
    this.distribution(x, this.scratch);
    return selectTopK(this.scratch, this.vocabulary.activeCount, k, outRows, outProb);
  }

  toArtifact(): Uint8Array {
    const header = {
      format: NGRAM_FORMAT,
      family: this.family,
      task: this.task,
      hyperParameters: this.hyperParameters,
      vocabulary: this.vocabulary.toJSON(),
      examplesSeen: this.seen,
      unigram: Array.from(this.unigram.subarray(0, this.vocabulary.activeCount)),
      unigramTotal: this.unigramTotal,
      singles: this.singles.toJSON(),
      pairs: this.pairs.toJSON(),
    };
    return encodeArtifact(header, []);
  }

  /** The counts are the whole state: the artifact is the checkpoint. */
  checkpoint(): Uint8Array {
    return this.toArtifact();
  }

  sizeBytes(): number {
    return this.toArtifact().length;
  }

  private distribution(x: FeatureValues, out: Float64Array): void {
    const active = this.vocabulary.activeCount;
    const prior = this.hyper.k * active;
    const d0 = this.unigramTotal + prior;
    for (let r = 0; r < active; r++) out[r] = ((this.unigram[r] as number) + this.hyper.k) / d0;
    out.fill(0, active, this.rows);
    this.readContext(x);
    if (this.newest < 0) return;
    const single = this.singles.get(this.newest);
    if (single !== undefined) backOff(out, active, single, prior);
    if (this.hyper.order < 2 || this.older < 0) return;
    const pair = this.pairs.get(this.older * this.rows + this.newest);
    if (pair !== undefined) backOff(out, active, pair, prior);
  }

  /** Sets `newest` and `older` to the rows of the two newest items of x's sequence (−1: none). */
  private readContext(x: FeatureValues): void {
    const sequence: unknown = x[this.hyper.sequenceFeature];
    const length = Array.isArray(sequence) ? sequence.length : itemOf(sequence) === null ? 0 : 1;
    this.newest = length >= 1 ? this.rowOfItem(Array.isArray(sequence) ? sequence[length - 1] : sequence) : -1;
    this.older = length >= 2 ? this.rowOfItem((sequence as unknown[])[length - 2]) : -1;
  }

  private rowOfItem(value: unknown): number {
    const item = itemOf(value);
    if (item === null) return -1;
    return this.vocabulary.indexOf(typeof item === 'string' ? item : String(item));
  }

  private step(x: FeatureValues, name: string, weight: number): void {
    const row = this.vocabulary.observe(name, this.forgetRow);
    this.seen++;
    if (weight === 0) return;
    this.readContext(x);
    this.unigram[row] = (this.unigram[row] as number) + weight;
    this.unigramTotal += weight;
    if (this.newest < 0) return;
    this.singles.getOrCreate(this.newest).add(row, weight, this.seen);
    if (this.hyper.order === 2 && this.older >= 0)
      this.pairs.getOrCreate(this.older * this.rows + this.newest).add(row, weight, this.seen);
  }

  /** A row that changes class: every count about its old class goes (as next item and as context). */
  private readonly forgetRow = (row: number): void => {
    this.unigram[row] = 0;
    this.unigramTotal = 0;
    for (let r = 0; r < this.vocabulary.activeCount; r++) this.unigramTotal += this.unigram[r] as number;
    this.singles.forgetRow(row, (key) => key === row);
    this.pairs.forgetRow(row, (key) => key % this.rows === row || Math.floor(key / this.rows) === row);
  };

  private load(state: NGramState): void {
    const active = state.vocabulary.activeCount;
    const { examplesSeen, unigram, unigramTotal } = state;
    const count = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
    if (typeof examplesSeen !== 'number' || !Number.isInteger(examplesSeen) || examplesSeen < 0)
      throw new ArtifactError(`examplesSeen must be an integer ≥ 0, got ${String(examplesSeen)}`);
    if (!Array.isArray(unigram) || unigram.length !== active || !unigram.every(count) || !count(unigramTotal)) {
      throw new ArtifactError(`the unigram counts must be ${active} counts ≥ 0 (one per class in use) and a total`);
    }
    this.seen = examplesSeen;
    this.unigram.set(unigram);
    this.unigramTotal = unigramTotal;
    const validRow = (r: number) => r >= 0 && r < active;
    this.singles.load(state.singles, validRow, validRow);
    this.pairs.load(
      state.pairs,
      (key) =>
        key >= 0 && key < this.rows * this.rows && validRow(key % this.rows) && validRow(Math.floor(key / this.rows)),
      validRow,
    );
  }
}

/** out ← (counts + prior·out) / (total + prior): the shorter context's distribution as the prior. */
function backOff(out: Float64Array, active: number, context: NextCounts, prior: number): void {
  const d = context.total + prior;
  const shrink = prior / d;
  for (let r = 0; r < active; r++) out[r] = (out[r] as number) * shrink;
  for (let j = 0; j < context.size; j++) {
    const r = context.rows[j] as number;
    out[r] = (out[r] as number) + (context.counts[j] as number) / d;
  }
}

/** The scorer of a looper-ngram/1 artifact: the restored model itself. */
export function loadNGramScorer(artifact: Uint8Array): NGramModel {
  return NGramModel.restore(artifact);
}
