// Choosing classes (multi-class classification, the next items of a sequence) with buffers made
// once per model: a decide costs one topK over the model's rows and the reply's own strings.
import { loadMulticlassScorer, OTHER_ROW, type MulticlassScorer } from '../lib/multiclass/index.js';
import type { FeatureValues } from '../lib/feature-values.js';

export interface ChosenClasses {
  /** Classes, most probable first (never "__other__"). */
  readonly ranking: string[];
  /** Their probabilities by class. */
  readonly scores: Record<string, number>;
}

/** Most classes a reply lists. */
const MAX_K = 100;

export class ClassChooser {
  private readonly rows = new Int32Array(MAX_K + 1);
  private readonly probabilities = new Float64Array(MAX_K + 1);

  constructor(readonly scorer: MulticlassScorer) {}

  static fromArtifact(artifact: Uint8Array): ClassChooser {
    return new ClassChooser(loadMulticlassScorer(artifact));
  }

  /** The top `k` classes (k is capped at MAX_K); "__other__" — everything the model does not name — is left out. */
  choose(x: FeatureValues, k: number): ChosenClasses {
    const want = Math.min(Math.max(1, k), MAX_K);
    const n = this.scorer.topK(x, want + 1, this.rows, this.probabilities);
    const ranking: string[] = [];
    const scores: Record<string, number> = {};
    for (let i = 0; i < n && ranking.length < want; i++) {
      const row = this.rows[i]!;
      const name = row === OTHER_ROW ? null : this.scorer.classNameAt(row);
      if (name === null) continue;
      ranking.push(name);
      scores[name] = this.probabilities[i]!;
    }
    return { ranking, scores };
  }
}
