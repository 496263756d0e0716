// The scheduled full retrain (training.retrain): the configuration that serves — family and
// hyper-parameters of the live model or its continuation — trained from scratch on the replayed
// examples, and published as a candidate that the rollout service shadows beside the live model.
// Online updates keep a model current; a retrain also forgets what no longer holds.
import type { Blueprint, ModelVersion } from '../lib/schemas/generated.js';
import { featureSchemaFromBlueprint } from '../lib/learners/feature-schema.js';
import { decodeArtifact } from '../lib/learners/artifact.js';
import type { SearchMetric } from '../lib/automl/objective.js';
import { runTrial } from '../lib/automl/trial.js';
import type { TrialConfig } from '../lib/automl/space.js';
import { chooseServedVersion } from '../lib/serving/serving-choice.js';
import { replayExamples, type Replay } from './replay.js';
import { readHistory, splitExamples, type AutomlDeps } from './run.js';
import { AutomlError, TooFewExamplesError } from './errors.js';
import { MIN_EXAMPLES } from './enough-examples.js';
import { splitText } from './report.js';
import { topics } from '../../topology/topics.js';
import { buildProfile } from '../lib/monitoring/profile.js';
import { scoresOf } from '../lib/learners/serving.js';
import { searchableTaskOf } from '../lib/automl/searchable.js';

export interface RetrainOptions {
  readonly sinceMs?: number;
  readonly seed?: number;
  readonly now?: number;
  readonly onReplayed?: (replay: Replay) => void;
}

export interface Retrain {
  /** The version whose configuration was retrained. */
  readonly of: string;
  readonly candidate: ModelVersion;
  readonly metricValue: number;
}

export async function retrainServing(deps: AutomlDeps, bp: Blueprint, options: RetrainOptions = {}): Promise<Retrain> {
  const searchable = searchableTaskOf(bp);
  if (!searchable.ok) throw new AutomlError(`blueprint ${bp.name} is not retrained: ${searchable.reason}`);
  const task = searchable.task;
  const now = options.now ?? Date.now();
  const history = await readHistory(deps, bp.name);
  const servedId = chooseServedVersion(
    bp.name,
    history.versions,
    history.deployment?.live ?? null,
    history.deployment ?? undefined,
  );
  const served = history.versions.find((v) => v.modelVersion === servedId);
  if (!served)
    throw new AutomlError(
      `nothing serves ${bp.name} yet, so there is no configuration to retrain: let the trainer publish, or run looper automl run ${bp.name}`,
    );

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
      `blueprint ${bp.name} has ${replay.examples.length} examples to retrain on; a retrain needs ${MIN_EXAMPLES}`,
    );
  }
  // The search's split: an entity on both sides would flatter a retrain's offline metrics just as much.
  const split = splitExamples(bp.name, replay.examples);
  const { train, validation } = split;
  deps.log(`${bp.name}: ${splitText(split.figures)}`);
  // The served model may read fewer features than the blueprint declares (AutoML dropped some).
  const reads = new Set(served.featureNames);
  const schema = { features: featureSchemaFromBlueprint(bp).features.filter((f) => reads.has(f.name)) };
  const metric = bp.objective.metric as SearchMetric;
  const config: TrialConfig = {
    family: served.family,
    params: JSON.parse(served.hyperParameters) as TrialConfig['params'],
  };
  const outcome = await runTrial(config, 1, {
    schema,
    task,
    train,
    validation,
    metric,
    constraints: bp.objective.constraints,
    seed: options.seed ?? 1,
  });
  if (outcome.artifact === null || outcome.violations.length > 0) {
    throw new AutomlError(
      `retraining ${served.family} of ${served.modelVersion} failed: ${outcome.error ?? outcome.violations.join('; ')}`,
    );
  }
  const sequence = history.maxSequence + 1;
  const candidate: ModelVersion = {
    modelVersion: `${bp.name}/retrain-${sequence}`,
    blueprint: bp.name,
    blueprintVersion: bp.version,
    sequence,
    family: served.family,
    role: 'candidate',
    hyperParameters: served.hyperParameters,
    featureNames: schema.features.map((f) => f.name),
    artifact: Buffer.from(outcome.artifact),
    artifactFormat: decodeArtifact(outcome.artifact).header.format,
    sizeBytes: outcome.sizeBytes,
    p99InferenceUs: outcome.p99Us,
    metrics: {
      ...Object.fromEntries(Object.entries(outcome.metrics).filter(([, v]) => v !== undefined && Number.isFinite(v))),
      examples: validation.xs.length,
    },
    trainedOnExamples: outcome.trainRows,
    dataStartTs: train.ts[0] ?? null,
    dataEndTs: train.ts[train.ts.length - 1] ?? null,
    createdAt: now,
    search: JSON.stringify({
      kind: 'retrain',
      of: served.modelVersion,
      at: now,
      metric,
      value: outcome.metricValue,
      train: train.xs.length,
      validation: validation.xs.length,
      split: split.figures,
    }),
    parentVersion: null,
    profile: JSON.stringify(
      buildProfile(
        train.xs,
        scoresOf(outcome.artifact, train.xs),
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
    `published ${candidate.modelVersion}: ${served.family} of ${served.modelVersion} retrained from scratch on ${outcome.trainRows} examples (${metric} ${outcome.metricValue.toFixed(4)} on the ${validation.xs.length} held out, of the entities seen latest)`,
  );
  return { of: served.modelVersion, candidate, metricValue: outcome.metricValue };
}
