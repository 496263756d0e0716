// Search wall time for `npm run bench`: a search over logistic, MLP and GBDT on the synthetic
// problem of the learner benchmarks (six features of every kind), time per evaluation by family
// at the full data and over all rungs. The caller picks the tfjs backend first (initBackend).

import { SYNTHETIC_SCHEMA, syntheticExamples } from '../learners/synthetic.js';
import { splitByTime } from './dataset.js';
import { runSearch } from './search.js';
import { defaultSearchSpace } from './space.js';

export interface SearchBenchFigures {
  readonly examples: number;
  readonly budget: number;
  readonly seconds: number;
  readonly evaluations: number;
  /** Mean seconds per evaluation by family: over every rung, and at the full data only. */
  readonly perFamily: Readonly<
    Record<
      string,
      { evaluations: number; meanSeconds: number; fullDataEvaluations: number; fullDataMeanSeconds: number | null }
    >
  >;
  readonly chosen: string | null;
  readonly metric: number | null;
}

export async function benchSearch(examples = 20_000, budget = 12): Promise<SearchBenchFigures> {
  const { xs, ys } = syntheticExamples('classification', examples, 31);
  const split = splitByTime(
    xs.map((features, i) => ({ decisionTs: i, entity: `e${i}`, features, label: ys[i]!, weight: 1 })),
  );
  const result = await runSearch({
    schema: SYNTHETIC_SCHEMA,
    task: 'classification',
    train: split.train,
    validation: split.validation,
    metric: 'auc',
    constraints: { p99InferenceUs: 1000, modelSizeBytes: 1024 * 1024 },
    space: defaultSearchSpace(['logistic', 'mlp', 'gbdt'], 'classification'),
    budget,
  });
  const top = Math.max(...result.evaluations.map((e) => e.rung));
  const perFamily: Record<string, SearchBenchFigures['perFamily'][string]> = {};
  for (const family of new Set(result.evaluations.map((e) => e.config.family))) {
    const all = result.evaluations.filter((e) => e.config.family === family);
    const full = all.filter((e) => e.rung === top);
    const mean = (list: typeof all) => list.reduce((s, e) => s + e.seconds, 0) / list.length;
    perFamily[family] = {
      evaluations: all.length,
      meanSeconds: mean(all),
      fullDataEvaluations: full.length,
      fullDataMeanSeconds: full.length > 0 ? mean(full) : null,
    };
  }
  return {
    examples,
    budget,
    seconds: result.seconds,
    evaluations: result.evaluations.length,
    perFamily,
    chosen: result.chosen?.config.family ?? null,
    metric: result.chosen?.metricValue ?? null,
  };
}
