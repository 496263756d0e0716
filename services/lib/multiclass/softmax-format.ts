// The looper-softmax/1 artifact, in the LPRM container (learners/artifact.ts):
//
//   header  { format: "looper-softmax/1", family: "softmax", task, hashing: "fnv1a32",
//             layout: "input-major", width, rows, examplesSeen,
//             hyperParameters (flat JSON, compiles back: softmax-options.ts),
//             vocabulary (vocabulary.ts toJSON: row r holds the class the model's row r scores) }
//   f32 "weights"       width × rows, input-major: the weight of input slot s for row r is at s·rows + r
//   f32 "accumulators"  (checkpoints only) AdaGrad's sums of squared gradients, same layout
//
// Input slots are those of sequence-input.ts (slot 0 the bias). Scoring: logit[r] = Σ value·weight
// over the input's entries, for the rows in use (0..activeCount−1); probabilities are their softmax.

import {
  decodeArtifact,
  encodeArtifact,
  requireSection,
  type DecodedArtifact,
  type SectionData,
} from '../learners/artifact.js';
import { vocabularyMatches } from './class-options.js';
import type { MulticlassTask } from './contract.js';
import { ArtifactError } from './errors.js';
import { compileSoftmaxOptions, softmaxHyperParametersJson, type SoftmaxHyperParameters } from './softmax-options.js';
import { ClassVocabulary } from './vocabulary.js';

export const SOFTMAX_FORMAT = 'looper-softmax/1';

export interface SoftmaxModel {
  readonly task: MulticlassTask;
  readonly hyperParameters: SoftmaxHyperParameters;
  readonly vocabulary: ClassVocabulary;
  readonly examplesSeen: number;
  /** (buckets + 1) × vocabulary.size, input-major. */
  readonly weights: Float32Array;
  /** AdaGrad state, same shape; null when the artifact was made for serving. */
  readonly accumulators: Float32Array | null;
}

export function encodeSoftmax(model: SoftmaxModel): Uint8Array {
  const rows = model.vocabulary.size;
  const header = {
    format: SOFTMAX_FORMAT,
    family: 'softmax',
    task: model.task,
    hashing: 'fnv1a32',
    layout: 'input-major',
    width: model.hyperParameters.input.buckets + 1,
    rows,
    examplesSeen: model.examplesSeen,
    hyperParameters: softmaxHyperParametersJson(model.hyperParameters),
    vocabulary: model.vocabulary.toJSON(),
  };
  const sections: [string, SectionData][] = [['weights', model.weights]];
  if (model.accumulators !== null) sections.push(['accumulators', model.accumulators]);
  return encodeArtifact(header, sections);
}

export function decodeSoftmax(bytes: Uint8Array): SoftmaxModel {
  return readSoftmax(decodeArtifact(bytes));
}

/** The model of a decoded looper-softmax/1 artifact, every field checked. */
export function readSoftmax(artifact: DecodedArtifact): SoftmaxModel {
  const h = artifact.header;
  if (h.format !== SOFTMAX_FORMAT)
    throw new ArtifactError(
      `format "${h.format}" is not ${SOFTMAX_FORMAT}: load it with loadMulticlassScorer, which reads every multi-class format`,
    );
  if (h.family !== 'softmax')
    throw new ArtifactError(`a ${SOFTMAX_FORMAT} artifact must be of family softmax, not ${h.family}`);
  const task = h['task'];
  if (task !== 'classification' && task !== 'sequence')
    throw new ArtifactError(`unknown multi-class task "${String(task)}" (known: classification, sequence)`);
  let hyperParameters: SoftmaxHyperParameters;
  try {
    hyperParameters = compileSoftmaxOptions((h['hyperParameters'] ?? {}) as Record<string, unknown>);
  } catch (cause) {
    throw new ArtifactError('the stored softmax hyper-parameters are invalid', { cause });
  }
  const vocabulary = ClassVocabulary.fromJSON(h['vocabulary']);
  if (!vocabularyMatches(hyperParameters, vocabulary))
    throw new ArtifactError(
      `the stored ${vocabulary.kind} vocabulary of ${vocabulary.size} rows does not match the hyper-parameters`,
    );
  const width = hyperParameters.input.buckets + 1;
  const rows = vocabulary.size;
  if (h['width'] !== width || h['rows'] !== rows) {
    throw new ArtifactError(
      `the header says ${String(h['width'])} × ${String(h['rows'])} weights, the hyper-parameters and vocabulary make ${width} × ${rows}`,
    );
  }
  const examplesSeen = h['examplesSeen'];
  if (typeof examplesSeen !== 'number' || !Number.isInteger(examplesSeen) || examplesSeen < 0)
    throw new ArtifactError(`examplesSeen must be an integer ≥ 0, got ${String(examplesSeen)}`);
  const weights = requireSection(artifact, 'weights', Float32Array, width * rows);
  const accumulators = artifact.sections.has('accumulators')
    ? requireSection(artifact, 'accumulators', Float32Array, width * rows)
    : null;
  return { task, hyperParameters, vocabulary, examplesSeen, weights, accumulators };
}
