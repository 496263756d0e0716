// Loads an artifact into a Scorer: the predictor's hot path. Pure JS — no TensorFlow.js — so a
// predictor needs no backend, and each format brings its own forward pass.

import { decodeArtifact } from './artifact.js';
import type { Scorer } from './contract.js';
import type { FeatureValues } from '../feature-values.js';
import { DENSE_FORMAT, readDense } from './dense-format.js';
import { DenseScorer } from './dense-scorer.js';
import { ArtifactError } from './errors.js';
import { GBDT_FORMAT, readGbdt } from './gbdt-format.js';
import { GbdtScorer } from './gbdt-scorer.js';

export type { Scorer } from './contract.js';

/** The Scorer of an artifact made by any learner's toArtifact(); ArtifactError when unreadable. */
export function loadScorer(artifact: Uint8Array): Scorer {
  const decoded = decodeArtifact(artifact);
  switch (decoded.header.format) {
    case DENSE_FORMAT:
      return new DenseScorer(readDense(decoded));
    case GBDT_FORMAT:
      return new GbdtScorer(readGbdt(decoded));
    default:
      throw new ArtifactError(
        `format "${decoded.header.format}" (family ${decoded.header.family}) has no scorer in this version: upgrade the predictor`,
      );
  }
}

/** An artifact's scores of many rows (a model's profile of its training data, for drift). */
export function scoresOf(artifact: Uint8Array, rows: readonly FeatureValues[]): number[] {
  const scorer = loadScorer(artifact);
  return rows.map((x) => scorer.score(x));
}
