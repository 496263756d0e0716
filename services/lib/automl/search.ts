// A search over model families and hyper-parameters: asynchronous successive halving (asha.ts)
// decides which trial runs on how much data; a TPE sampler (tpe.ts) proposes new configurations
// from what earlier ones scored; every trial is judged on the held-out rows of the entities seen
// latest, which no trial trained on (dataset.ts). The result is the leaderboard, the Pareto front
// (quality × size × scoring time), the chosen model and why, and the features it may do without.
//
// Trials run one at a time: each already keeps the CPU busy (TensorFlow.js or tree building), and
// the successive-halving rule is the asynchronous one, so running them on more workers later
// changes the throughput, not the algorithm.

import { Asha } from './asha.js';
import type { FeatureSchema } from '../learners/feature-schema.js';
import { dropTolerance, eliminateFeatures, type FeatureCost, type FeatureDropStep } from './feature-cost.js';
import { formatBytes, type SearchMetric } from './objective.js';
import { choose, paretoFront } from './pareto.js';
import type { SearchSpace, TrialConfig } from './space.js';
import { TpeSampler } from './tpe.js';
import { runTrial, type TrialInput, type TrialOutcome } from './trial.js';

/**
 * Successive halving: the first rung trains on a ninth of the rows, each rung keeps the best
 * third — with fewer rungs when a ninth would be under minRungRows, because trials on a few
 * hundred rows rank the families by how fast they learn, not by how well.
 */
export const SEARCH_DEFAULTS = { eta: 3, rungs: 3, minRungRows: 1000, seed: 1 } as const;

/** The first rung's share of the training rows: 1/eta^k, the most rungs (up to `rungs`) whose first keeps minRungRows. */
export function firstRungShare(
  trainRows: number,
  eta: number = SEARCH_DEFAULTS.eta,
  rungs: number = SEARCH_DEFAULTS.rungs,
  minRungRows: number = SEARCH_DEFAULTS.minRungRows,
): number {
  let k = 0;
  while (k + 1 < rungs && trainRows / eta ** (k + 1) >= minRungRows) k++;
  return 1 / eta ** k;
}

export interface SearchInput extends Omit<TrialInput, 'seed'> {
  readonly space: SearchSpace;
  /** New configurations to try (the blueprint's automl.budget). */
  readonly budget: number;
  readonly seed?: number;
  readonly eta?: number;
  /** The first rung's share of the training rows; default firstRungShare(). */
  readonly minResource?: number;
  /** Configurations to try first, e.g. the previous search's best. */
  readonly warmStart?: readonly TrialConfig[];
  /** Per-feature serving cost; when given, features that do not pay for themselves are dropped. */
  readonly featureCosts?: readonly FeatureCost[];
  readonly onProgress?: (progress: SearchProgress) => void;
}

export interface TrialRecord extends TrialOutcome {
  readonly trial: number;
  readonly rung: number;
}

export interface SearchProgress {
  readonly evaluations: number;
  /** Evaluations a full run of the halving schedule makes (an estimate while running). */
  readonly plannedEvaluations: number;
  readonly last: TrialRecord;
  readonly best: TrialRecord | null;
}

export interface SearchResult {
  readonly metric: SearchMetric;
  /** Each trial at the furthest rung it reached, best first. */
  readonly leaderboard: readonly TrialRecord[];
  /** Every evaluation in the order run. */
  readonly evaluations: readonly TrialRecord[];
  /** Non-dominated full-data trials: quality, artifact size, p99 scoring time. */
  readonly front: readonly TrialRecord[];
  /** The model to publish (its artifact kept), after any feature drop; null when nothing was feasible. */
  readonly chosen: TrialRecord | null;
  readonly why: string;
  readonly featureSteps: readonly FeatureDropStep[];
  readonly droppedFeatures: readonly string[];
  /** The schema the chosen model reads. */
  readonly schema: FeatureSchema;
  readonly seconds: number;
}

export async function runSearch(input: SearchInput): Promise<SearchResult> {
  const started = performance.now();
  const seed = input.seed ?? SEARCH_DEFAULTS.seed;
  const eta = input.eta ?? SEARCH_DEFAULTS.eta;
  const asha = new Asha({
    minResource: input.minResource ?? firstRungShare(input.train.xs.length, eta),
    maxResource: 1,
    eta,
    maxTrials: input.budget,
  });
  const sampler = new TpeSampler(input.space, { seed });
  if (input.warmStart) sampler.seedWith(input.warmStart);
  const topRung = asha.rungResources.length - 1;
  const planned = plannedEvaluations(input.budget, eta, topRung);

  const configs = new Map<number, TrialConfig>();
  const furthest = new Map<number, TrialRecord>();
  const evaluations: TrialRecord[] = [];
  const trialInput: TrialInput = { ...input, seed };
  for (let job = asha.next(); job !== null; job = asha.next()) {
    const config = job.kind === 'new' ? sampler.sample() : configs.get(job.trial)!;
    configs.set(job.trial, config);
    const outcome = await runTrial(config, job.resource, trialInput);
    // Artifacts matter only for full-data trials, one of which is published.
    const record: TrialRecord = {
      ...outcome,
      artifact: job.rung === topRung ? outcome.artifact : null,
      trial: job.trial,
      rung: job.rung,
    };
    evaluations.push(record);
    furthest.set(job.trial, record);
    asha.report(job.trial, job.rung, outcome.objective);
    // The sampler models first-rung results only: every trial has one, so they compare like for like.
    if (job.rung === 0) sampler.observe(config, outcome.objective);
    input.onProgress?.({
      evaluations: evaluations.length,
      plannedEvaluations: Math.max(planned, evaluations.length),
      last: record,
      best: bestOf(evaluations, topRung),
    });
  }

  const leaderboard = [...furthest.values()].sort((a, b) => b.rung - a.rung || rank(a, b));
  const full = leaderboard.filter((r) => r.rung === topRung);
  const front = paretoFront(full);
  let chosen = choose(full);
  let schema = input.schema;
  let featureSteps: FeatureDropStep[] = [];
  if (chosen !== null && input.featureCosts !== undefined) {
    const picked: TrialRecord = chosen;
    let reduced: TrialRecord | null = null;
    featureSteps = await eliminateFeatures(
      input.schema,
      input.featureCosts,
      picked.objective,
      dropTolerance(input.metric, picked.objective),
      async (candidate) => {
        const outcome = await runTrial(picked.config, 1, { ...trialInput, schema: candidate });
        if (
          Number.isFinite(outcome.objective) &&
          outcome.objective >= picked.objective - dropTolerance(input.metric, picked.objective)
        ) {
          reduced = { ...outcome, trial: picked.trial, rung: picked.rung };
          schema = candidate;
        }
        return outcome.objective;
      },
    );
    if (reduced !== null) chosen = reduced;
  }
  const droppedFeatures = featureSteps.filter((s) => s.dropped).map((s) => s.feature);
  return {
    metric: input.metric,
    leaderboard,
    evaluations,
    front,
    chosen,
    why: explain(input, chosen, full, leaderboard, droppedFeatures),
    featureSteps,
    droppedFeatures,
    schema,
    seconds: (performance.now() - started) / 1000,
  };
}

function rank(a: TrialRecord, b: TrialRecord): number {
  const av = Number.isFinite(a.objective) ? a.objective : Number.NEGATIVE_INFINITY;
  const bv = Number.isFinite(b.objective) ? b.objective : Number.NEGATIVE_INFINITY;
  return bv - av || a.sizeBytes - b.sizeBytes;
}

function bestOf(records: readonly TrialRecord[], topRung: number): TrialRecord | null {
  const full = records.filter((r) => r.rung === topRung);
  return choose(full.length > 0 ? full : records);
}

/** Evaluations of a complete halving schedule: budget trials at rung 0, a 1/eta share onwards. */
function plannedEvaluations(budget: number, eta: number, topRung: number): number {
  let total = 0;
  for (let k = 0; k <= topRung; k++) total += Math.max(1, Math.floor(budget / eta ** k));
  return total;
}

function explain(
  input: SearchInput,
  chosen: TrialRecord | null,
  full: readonly TrialRecord[],
  all: readonly TrialRecord[],
  dropped: readonly string[],
): string {
  const infeasible = all.filter((r) => r.violations.length > 0);
  const failed = all.filter((r) => r.error !== null && r.violations.length === 0);
  const excluded = [
    infeasible.length > 0 ? `${infeasible.length} broke a constraint (e.g. ${infeasible[0]!.violations[0]})` : '',
    failed.length > 0 ? `${failed.length} failed (e.g. ${failed[0]!.error})` : '',
  ].filter((s) => s !== '');
  if (chosen === null) {
    return `no trial is feasible among ${all.length}: ${excluded.join('; ') || 'none reached the full data'}. Relax objective.constraints or add families to automl.families.`;
  }
  const feasible = full.filter((r) => Number.isFinite(r.objective));
  const runnerUp = feasible.filter((r) => r.trial !== chosen.trial).sort(rank)[0];
  const margin = runnerUp
    ? `, ${Math.abs(chosen.metricValue - runnerUp.metricValue).toFixed(4)} ahead of the next (${runnerUp.config.family})`
    : '';
  const cost = `${formatBytes(chosen.sizeBytes)}, p99 ${chosen.p99Us.toFixed(1)} µs`;
  const droppedText =
    dropped.length > 0
      ? `; reads ${dropped.length} fewer stream feature${dropped.length > 1 ? 's' : ''} (${dropped.join(', ')}) at no more than ${dropTolerance(input.metric, chosen.objective).toPrecision(2)} of the objective`
      : '';
  return (
    `${chosen.config.family} has the best ${input.metric} (${chosen.metricValue.toFixed(4)}) on ${input.validation.xs.length} held-out examples of the entities seen latest among ${feasible.length} feasible trial${feasible.length === 1 ? '' : 's'} trained on all ${chosen.trainRows} examples of the entities seen earlier${margin}; ` +
    `it costs ${cost}, within ${formatBytes(input.constraints.modelSizeBytes)} and ${input.constraints.p99InferenceUs} µs${excluded.length > 0 ? `; of ${all.length} trials ${excluded.join(', ')}` : ''}${droppedText}.`
  );
}
