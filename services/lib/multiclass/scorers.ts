// Loads any multi-class artifact: the predictor's entry point (scorers) and the trainer's (learners
// that go on). The format in the artifact's header picks the reader.

import { decodeArtifact } from '../learners/artifact.js';
import type { MulticlassLearner, MulticlassScorer } from './contract.js';
import { ArtifactError } from './errors.js';
import { NGRAM_FORMAT, NGramModel } from './markov.js';
import { readSoftmax, SOFTMAX_FORMAT } from './softmax-format.js';
import { SoftmaxRegression } from './softmax-regression.js';
import { SoftmaxScorer } from './softmax-scorer.js';

export const MULTICLASS_FORMATS: readonly string[] = [SOFTMAX_FORMAT, NGRAM_FORMAT];

/** The scorer of an artifact made by any multi-class learner; ArtifactError when unreadable or of another format. */
export function loadMulticlassScorer(artifact: Uint8Array): MulticlassScorer {
  const decoded = decodeArtifact(artifact);
  switch (decoded.header.format) {
    case SOFTMAX_FORMAT:
      return new SoftmaxScorer(readSoftmax(decoded));
    case NGRAM_FORMAT:
      return NGramModel.fromDecoded(decoded);
    default:
      throw unknownFormat(decoded.header.format, decoded.header.family);
  }
}

/** A learner that goes on from an artifact of any multi-class family. */
export function restoreMulticlassLearner(artifact: Uint8Array): MulticlassLearner {
  const decoded = decodeArtifact(artifact);
  switch (decoded.header.format) {
    case SOFTMAX_FORMAT: {
      const model = readSoftmax(decoded);
      return new SoftmaxRegression(model.task, {}, model);
    }
    case NGRAM_FORMAT:
      return NGramModel.fromDecoded(decoded);
    default:
      throw unknownFormat(decoded.header.format, decoded.header.family);
  }
}

function unknownFormat(format: string, family: string): ArtifactError {
  return new ArtifactError(
    `format "${format}" (family ${family}) is not a multi-class format (known: ${MULTICLASS_FORMATS.join(', ')}); binary and regression models load with learners/serving.ts loadScorer`,
  );
}
