// Models the integration tests publish themselves, as the trainer or AutoML would: a logistic
// regression trained on given rows, and its ModelVersion on looper.models with test defaults.
import type { Producer } from 'kafkajs';
import type { FeatureValues } from '../../services/lib/feature-values.js';
import type { Blueprint, ModelVersion } from '../../services/lib/schemas/generated.js';
import type { TopicCodec } from '../../services/lib/topic-codec.js';
import { createLearner, featureSchemaFromBlueprint } from '../../services/lib/learners/index.js';
import { decodeDense, encodeDense } from '../../services/lib/learners/dense-format.js';
import { topics } from '../../topology/topics.js';

/** A logistic regression's artifact after `epochs` passes over (xs, ys). */
export async function trainLogistic(
  bp: Blueprint,
  xs: FeatureValues[],
  ys: number[],
  options: { learningRate: number; epochs: number },
): Promise<Uint8Array> {
  const learner = createLearner('logistic', featureSchemaFromBlueprint(bp), 'classification', {
    learningRate: options.learningRate,
  });
  for (let epoch = 0; epoch < options.epochs; epoch++) await learner.learnMany(xs, ys);
  const artifact = learner.toArtifact();
  learner.dispose();
  return artifact;
}

/**
 * A logistic artifact that scores every request `probability`, whatever its features: its AUC is
 * exactly 0.5 in every window, so a rollout never sees it "drop" — a first live model for tests
 * that need every decision to send and teach, without noise in its measured quality.
 */
export async function constantLogistic(bp: Blueprint, probability: number): Promise<Uint8Array> {
  const model = decodeDense(await trainLogistic(bp, [], [], { learningRate: 0.05, epochs: 0 }));
  const [kernel, bias] = model.weights as [Float32Array, Float32Array];
  kernel.fill(0);
  bias.fill(Math.log(probability / (1 - probability)));
  return encodeDense(model);
}

/** Publishes `artifact` as a trained logistic version of `bp`; `fields` name it and override the defaults. */
export async function publishModel(
  clients: { producer: Producer; codec: TopicCodec },
  bp: Blueprint,
  artifact: Uint8Array,
  fields: Partial<ModelVersion> & Pick<ModelVersion, 'modelVersion' | 'sequence' | 'trainedOnExamples'>,
): Promise<ModelVersion> {
  const mv: ModelVersion = {
    blueprint: bp.name,
    blueprintVersion: bp.version,
    family: 'logistic',
    role: 'trained',
    hyperParameters: '{}',
    featureNames: featureSchemaFromBlueprint(bp).features.map((f) => f.name),
    artifact: Buffer.from(artifact),
    artifactFormat: 'looper-dense/1',
    sizeBytes: artifact.length,
    p99InferenceUs: 1,
    metrics: {},
    dataStartTs: null,
    dataEndTs: null,
    createdAt: Date.now(),
    search: null,
    parentVersion: null,
    profile: null,
    ...fields,
  };
  await clients.producer.send({
    topic: topics.models.name,
    acks: -1,
    messages: [{ key: mv.modelVersion, value: clients.codec.encode(topics.models, mv) }],
  });
  return mv;
}
