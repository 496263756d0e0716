// The adopted configuration with a gbdt candidate (gbdt needs no TensorFlow.js backend).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/index.js';
import { blueprintWith } from '../lib/blueprint/test-blueprints.js';
import { createLearner, featureSchemaFromBlueprint, restoreLearner, type LearnerTask } from '../lib/learners/index.js';
import type { Blueprint, Example, ModelVersion } from '../lib/schemas/generated.js';
import { BlueprintTrainer } from './blueprint-trainer.js';
import { AdoptionError } from './errors.js';
import { exampleRecord } from '../lib/joiner/test-records.js';

function blueprint(contextFeatures: Array<Record<string, unknown>>): Blueprint {
  const result = compileBlueprint(blueprintWith((bp) => (bp['features'] = { context: contextFeatures })));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { ...result.blueprint, version: 1 };
}

const BP = blueprint([{ name: 'hour', type: 'int' }]);
const HYPER = { nTrees: 5, maxDepth: 2, refitEvery: 100, validationFraction: 0 };

/** Examples the threshold policy learns from: sent, labelled 1 in the evening. */
function examples(n: number, from = 0): Example[] {
  return Array.from({ length: n }, (_, i) => {
    const hour = (from + i) % 24;
    return exampleRecord({ features: { hour }, label: hour >= 18 ? 1 : 0, action: 'send' });
  });
}

/** An AutoML winner: a gbdt fitted on some examples, published as a candidate. */
function gbdtCandidate(task: LearnerTask = 'classification'): ModelVersion {
  const learner = createLearner('gbdt', featureSchemaFromBlueprint(BP), task, HYPER);
  const fit = examples(200);
  learner.learnMany(
    fit.map((e) => e.features),
    fit.map((e) => e.label),
  );
  const artifact = learner.toArtifact();
  return {
    modelVersion: `${BP.name}/automl-4`,
    blueprint: BP.name,
    blueprintVersion: 1,
    sequence: 4,
    family: 'gbdt',
    role: 'candidate',
    hyperParameters: JSON.stringify(HYPER),
    featureNames: [...learner.featureNames],
    artifact: Buffer.from(artifact),
    artifactFormat: learner.artifactFormat,
    sizeBytes: artifact.length,
    p99InferenceUs: null,
    metrics: {},
    trainedOnExamples: learner.examplesSeen,
    dataStartTs: null,
    dataEndTs: null,
    createdAt: 0,
    search: null,
    parentVersion: null,
    profile: null,
  };
}

async function learn(trainer: BlueprintTrainer, batch: readonly Example[]): Promise<void> {
  for (const e of batch) trainer.add(e);
  await trainer.learnQueued();
}

describe('blueprint trainer, adopted', () => {
  const candidate = gbdtCandidate();
  const adopted = {
    configuration: { kind: 'adopted', candidate: candidate.modelVersion } as const,
    checkpoint: candidate,
  };

  it('blueprint trainer - an adopted candidate is the only learner, and versions chain back to it with its family and hyper-parameters', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    await learn(trainer, examples(100, 200));
    const first = trainer.publish(10)!.record;
    assert.equal(first.family, 'gbdt');
    assert.equal(first.role, 'trained');
    assert.equal(first.parentVersion, candidate.modelVersion);
    assert.equal(first.sequence, 5);
    assert.deepEqual(JSON.parse(first.hyperParameters), restoreLearner(candidate.artifact).hyperParameters);
    await learn(trainer, examples(100, 300));
    assert.equal(trainer.publish(20)!.record.parentVersion, first.modelVersion);
  });

  it('blueprint trainer - a gbdt refits per refitEvery examples, so nothing is published before a refit', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    for (let i = 0; i < 3; i++) await learn(trainer, examples(30, 200 + 30 * i));
    assert.equal(trainer.publish(10), null, '90 examples: no refit yet');
    await learn(trainer, examples(30, 290));
    const record = trainer.publish(20)!.record;
    assert.equal(record.trainedOnExamples, candidate.trainedOnExamples + 120);
    assert.equal(record.metrics['examples'], 120, 'every example was scored before it was learned');
  });

  it('blueprint trainer - the sequence stays above every version AutoML numbered', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    await learn(trainer, examples(100, 200));
    assert.equal(trainer.publish(10, 11)!.record.sequence, 12);
  });

  it('blueprint trainer - new features keep the adopted family and hyper-parameters, on a new learner', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    const wider = {
      ...blueprint([
        { name: 'hour', type: 'int' },
        { name: 'day', type: 'int' },
      ]),
      version: 2,
    };
    trainer.updateBlueprint(wider);
    assert.deepEqual(trainer.configuration, adopted.configuration);
    await learn(trainer, examples(100, 200));
    const record = trainer.publish(10)!.record;
    assert.equal(record.family, 'gbdt');
    assert.deepEqual(record.featureNames, ['hour', 'day']);
    assert.deepEqual(JSON.parse(record.hyperParameters), restoreLearner(candidate.artifact).hyperParameters);
  });

  it('blueprint trainer - a candidate of another task is not adopted', () => {
    const estimation = gbdtCandidate('estimation');
    assert.throws(
      () => new BlueprintTrainer(BP, { ...adopted, checkpoint: estimation }),
      (error: unknown) =>
        error instanceof AdoptionError &&
        error.message ===
          `${BP.name}: cannot train ${estimation.modelVersion}: it learns estimation, the blueprint's task is classification`,
    );
  });

  it('blueprint trainer - an adopted configuration without a checkpoint is refused', () => {
    assert.throws(
      () => new BlueprintTrainer(BP, { configuration: adopted.configuration, checkpoint: null }),
      (error: unknown) =>
        error instanceof AdoptionError &&
        error.message === `${BP.name}: cannot train ${candidate.modelVersion}: no checkpoint to restore it from`,
    );
  });
});
