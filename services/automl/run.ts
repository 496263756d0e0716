// One AutoML run for a blueprint, from replay to publication: replay its examples, split them by
// entity and time (no entity on both sides), search, and publish the chosen model as a candidate
// version: the rollout service shadows it beside the live model and promotes it only if it is
// better on live traffic. `promote` skips that and makes it live at once (a Deployment record
// saying so and why) — for a first model, or when no rollout service runs; the continual trainer
// then carries on training that configuration.
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { TopicCodec } from '../lib/topic-codec.js';
import type { Blueprint, Deployment, ModelVersion } from '../lib/schemas/generated.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { featureSchemaFromBlueprint } from '../lib/learners/feature-schema.js';
import { decodeArtifact } from '../lib/learners/artifact.js';
import {
  singleLabel,
  splitByTime,
  SplitError,
  type SplitFigures,
  type TimedExample,
  type TimeSplit,
} from '../lib/automl/dataset.js';
import { featureCosts } from '../lib/automl/feature-cost.js';
import type { SearchMetric } from '../lib/automl/objective.js';
import { defaultSearchSpace, type TrialConfig } from '../lib/automl/space.js';
import { runSearch, type SearchProgress, type SearchResult } from '../lib/automl/search.js';
import { recordKind, searchRecord, warmStartConfigs } from './search-record.js';
import { replayExamples, type Replay } from './replay.js';
import { initialDeployment, toLive } from '../lib/rollout/transitions.js';
import { topics } from '../../topology/topics.js';
import { buildProfile } from '../lib/monitoring/profile.js';
import { scoresOf } from '../lib/learners/serving.js';
import { searchableTaskOf } from '../lib/automl/searchable.js';
import { splitText } from './report.js';
import { AutomlError, TooFewExamplesError } from './errors.js';
import { MIN_EXAMPLES, MIN_SIDE_EXAMPLES } from './enough-examples.js';

/**
 * The split a search or a retrain judges on (splitByTime: no entity on both sides), refused with
 * an AutomlError naming the blueprint when it cannot be made or a side is too small to rank on.
 */
export function splitExamples(blueprint: string, examples: readonly TimedExample[]): TimeSplit {
  let split: TimeSplit;
  try {
    split = splitByTime(examples);
  } catch (error) {
    if (error instanceof SplitError)
      throw new AutomlError(`blueprint ${blueprint}: ${error.message}`, { cause: error });
    throw error;
  }
  const f = split.figures;
  const short =
    f.validation.examples < MIN_SIDE_EXAMPLES ? 'validation' : f.train.examples < MIN_SIDE_EXAMPLES ? 'training' : null;
  if (short !== null) {
    const side = short === 'validation' ? f.validation : f.train;
    throw new AutomlError(
      `blueprint ${blueprint}: keeping each entity's examples on one side leaves ${side.examples} ${short} examples (of ${side.entities} entities), and a search needs ${MIN_SIDE_EXAMPLES} on each side: ` +
        `the largest entity, ${f.largestEntity.entity}, has ${f.largestEntity.examples} of the ${f.examples}; check that callers send the entity each decision is about and do not repeat their requests, and let decisions about more entities arrive`,
    );
  }
  return split;
}

export interface AutomlDeps {
  readonly kafka: Kafka;
  readonly codec: TopicCodec;
  readonly producer: Producer;
  readonly log: (line: string) => void;
}

export interface AutomlOptions {
  /** Configurations to try; default the blueprint's automl.budget. */
  readonly budget?: number;
  /** Only examples whose label arrived in the last `sinceMs`; default all retained. */
  readonly sinceMs?: number;
  /** Make the winner live at once instead of leaving it to the rollout service's shadow test. Default false. */
  readonly promote?: boolean;
  readonly seed?: number;
  readonly now?: number;
  readonly onReplayed?: (replay: Replay) => void;
  readonly onProgress?: (progress: SearchProgress) => void;
}

export interface AutomlRun {
  readonly searchId: string;
  readonly replay: Replay;
  readonly trainRows: number;
  readonly validationRows: number;
  /** Who validates, and the entities a plain time split would have put on both sides. */
  readonly split: SplitFigures;
  readonly result: SearchResult;
  /** The published candidate; null when no trial was feasible. */
  readonly candidate: ModelVersion | null;
  readonly deployment: Deployment | null;
}

export async function runAutoml(deps: AutomlDeps, bp: Blueprint, options: AutomlOptions = {}): Promise<AutomlRun> {
  const searchable = searchableTaskOf(bp);
  if (!searchable.ok) throw new AutomlError(`blueprint ${bp.name} is not searched: ${searchable.reason}`);
  const task = searchable.task;
  const metric = bp.objective.metric as SearchMetric;
  const now = options.now ?? Date.now();
  const replay = await replayExamples(
    deps.kafka,
    deps.codec,
    bp,
    options.sinceMs === undefined ? undefined : now - options.sinceMs,
  );
  options.onReplayed?.(replay);
  if (replay.examples.length < MIN_EXAMPLES) {
    throw new TooFewExamplesError(
      bp.name,
      replay.examples.length,
      MIN_EXAMPLES,
      `blueprint ${bp.name} has ${replay.examples.length} examples to learn from${options.sinceMs === undefined ? '' : ' in the window asked'} (of ${replay.read} records on ${topics.examples.name}); ` +
        `a search needs ${MIN_EXAMPLES}: let decisions and outcomes flow longer${options.sinceMs === undefined ? '' : ', or widen --since'}`,
    );
  }
  const split = splitExamples(bp.name, replay.examples);
  const { train, validation } = split;
  deps.log(`${bp.name}: ${splitText(split.figures)}`);
  const only = metric === 'auc' ? singleLabel(validation) : null;
  if (only !== null) {
    throw new AutomlError(
      `blueprint ${bp.name}: all ${validation.ys.length} validation examples (those of the entities seen latest) have label ${only}, so their auc is undefined and no trial could be judged; ` +
        `let outcomes of both kinds arrive${options.sinceMs === undefined ? '' : ', widen --since'}, or set objective.metric: logloss`,
    );
  }
  const history = await readHistory(deps, bp.name);
  const searchId = randomUUID();
  const result = await runSearch({
    schema: featureSchemaFromBlueprint(bp),
    task,
    train,
    validation,
    metric,
    constraints: bp.objective.constraints,
    space: defaultSearchSpace(bp.automl.families, task),
    budget: options.budget ?? bp.automl.budget,
    seed: options.seed,
    warmStart: history.warmStart,
    featureCosts: featureCosts(bp.features),
    onProgress: options.onProgress,
  });
  const base = {
    searchId,
    replay,
    trainRows: train.xs.length,
    validationRows: validation.xs.length,
    split: split.figures,
    result,
  };
  const chosen = result.chosen;
  if (chosen === null || chosen.artifact === null) return { ...base, candidate: null, deployment: null };

  const sequence = history.maxSequence + 1;
  const record = searchRecord(searchId, now, result, split);
  const candidate: ModelVersion = {
    modelVersion: `${bp.name}/automl-${sequence}`,
    blueprint: bp.name,
    blueprintVersion: bp.version,
    sequence,
    family: chosen.config.family,
    role: 'candidate',
    hyperParameters: JSON.stringify(chosen.config.params),
    featureNames: result.schema.features.map((f) => f.name),
    artifact: Buffer.from(chosen.artifact),
    artifactFormat: decodeArtifact(chosen.artifact).header.format,
    sizeBytes: chosen.sizeBytes,
    p99InferenceUs: chosen.p99Us,
    metrics: { ...definedMetrics({ ...chosen.metrics }), examples: validation.xs.length },
    trainedOnExamples: chosen.trainRows,
    dataStartTs: train.ts[0] ?? null,
    dataEndTs: train.ts[train.ts.length - 1] ?? null,
    createdAt: now,
    search: JSON.stringify(record),
    parentVersion: null,
    profile: JSON.stringify(
      buildProfile(
        train.xs,
        scoresOf(chosen.artifact, train.xs),
        featureSchemaFromBlueprint(bp).features.map((f) => f.name),
      ),
    ),
  };
  await deps.producer.send({
    topic: topics.models.name,
    acks: -1,
    messages: [{ key: candidate.modelVersion, value: deps.codec.encode(topics.models, candidate) }],
  });
  deps.log(
    `published candidate ${candidate.modelVersion} (${candidate.family}, ${metric} ${chosen.metricValue.toFixed(4)})`,
  );
  if (options.promote !== true) return { ...base, candidate, deployment: null };

  const deployment = toLive(
    history.deployment ?? initialDeployment(bp.name),
    candidate.modelVersion,
    `automl search ${searchId.slice(0, 8)}: ${result.why} Made live at once (looper automl run --promote), without a shadow comparison.`,
    now,
  );
  await deps.producer.send({
    topic: topics.deployments.name,
    acks: -1,
    messages: [{ key: bp.name, value: deps.codec.encode(topics.deployments, deployment) }],
  });
  deps.log(`deployed ${candidate.modelVersion} live for ${bp.name} (revision ${deployment.revision})`);
  return { ...base, candidate, deployment };
}

function definedMetrics(metrics: Readonly<Record<string, number | undefined>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(metrics).filter((e): e is [string, number] => e[1] !== undefined && Number.isFinite(e[1])),
  );
}

export interface History {
  /** Every version of the blueprint on looper.models. */
  versions: ModelVersion[];
  maxSequence: number;
  /** The blueprint's current deployment; null when none was ever written. */
  deployment: Deployment | null;
  warmStart: TrialConfig[];
  lastSearchAt: number | null;
  lastBlueprintVersion: number | null;
  /** When the last scheduled retrain published; null when none has. */
  lastRetrainAt: number | null;
}

/** What earlier runs left: sequence numbers in use, the deployment revision, the last search's best configurations. */
export async function readHistory(deps: Pick<AutomlDeps, 'kafka' | 'codec'>, blueprint: string): Promise<History> {
  let maxSequence = 0;
  let deployment: Deployment | null = null;
  let last: ModelVersion | null = null;
  let lastRetrainAt: number | null = null;
  const versions: ModelVersion[] = [];
  for (const { message } of await readTopicToEnd(deps.kafka, topics.models.name, 120_000)) {
    if (!message.value) continue;
    const mv = await deps.codec.decode<ModelVersion>(topics.models, message.value);
    if (mv.blueprint !== blueprint) continue;
    versions.push(mv);
    maxSequence = Math.max(maxSequence, mv.sequence);
    if (mv.role !== 'candidate' || mv.search === null) continue;
    if (recordKind(mv.search) === 'retrain') lastRetrainAt = Math.max(lastRetrainAt ?? 0, mv.createdAt);
    else if (last === null || mv.createdAt > last.createdAt) last = mv;
  }
  for (const { message } of await readTopicToEnd(deps.kafka, topics.deployments.name)) {
    if (!message.value) continue;
    const d = await deps.codec.decode<Deployment>(topics.deployments, message.value);
    if (d.blueprint === blueprint && (deployment === null || d.revision > deployment.revision)) deployment = d;
  }
  return {
    versions,
    maxSequence,
    deployment,
    warmStart: last === null ? [] : warmStartConfigs(last.search!),
    lastSearchAt: last?.createdAt ?? null,
    lastBlueprintVersion: last?.blueprintVersion ?? null,
    lastRetrainAt,
  };
}
