// The adopted configuration with a gbdt candidate (gbdt needs no TensorFlow.js backend), and the
// gate a continuation passes before it is published (continuation-gate.ts).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileBlueprint } from '../lib/blueprint/index.js';
import { blueprintWith, minimalBlueprintOf } from '../lib/blueprint/test-blueprints.js';
import {
  createLearner,
  featureSchemaFromBlueprint,
  initBackend,
  restoreLearner,
  type Learner,
  type LearnerTask,
} from '../lib/learners/index.js';
import type { Blueprint, Example, ModelVersion } from '../lib/schemas/generated.js';
import { BlueprintTrainer } from './blueprint-trainer.js';
import { AdoptionError } from './errors.js';
import { SIDE_BY_SIDE } from './training-plan.js';
import { describePublished } from './trained-version.js';
import { exampleRecord } from '../lib/joiner/test-records.js';
import { loadScorer } from '../lib/learners/serving.js';
import { SeededRandom } from '../lib/learners/random.js';

function blueprint(contextFeatures: Array<Record<string, unknown>>): Blueprint {
  const result = compileBlueprint(blueprintWith((bp) => (bp['features'] = { context: contextFeatures })));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { ...result.blueprint, version: 1 };
}

const BP = blueprint([{ name: 'hour', type: 'int' }]);
/**
 * BP at threshold 0: every version sends to everybody, so the decisions of two versions never
 * differ and a continuation is judged on its objective alone (the value of the decisions at the
 * threshold cannot hold it back: continuation-value.ts) — for the tests of what the trainer
 * publishes, whose learners' early scores hover about 0.5 and so decide differently from version
 * to version at threshold 0.5.
 */
const SENDS_TO_ALL: Blueprint = { ...BP, decision: { ...BP.decision, threshold: 0 } };
const HYPER = { nTrees: 5, maxDepth: 2, refitEvery: 100, validationFraction: 0 };

/** Examples sent in the evening, clicked only on every `every`-th day: a world where evenings click less. */
function rarerEvenings(n: number, from: number, every: number): Example[] {
  return Array.from({ length: n }, (_, i) => {
    const hour = (from + i) % 24;
    const day = Math.floor((from + i) / 24);
    return exampleRecord({ features: { hour }, label: hour >= 18 && day % every === 0 ? 1 : 0, action: 'send' });
  });
}

/** Examples the threshold policy learns from: sent, labelled 1 in the evening (`inverted`: in the day). */
function examples(n: number, from = 0, inverted = false): Example[] {
  return Array.from({ length: n }, (_, i) => {
    const hour = (from + i) % 24;
    return exampleRecord({ features: { hour }, label: hour >= 18 !== inverted ? 1 : 0, action: 'send' });
  });
}

/** An AutoML winner: a gbdt fitted on some examples, published as a candidate. */
function gbdtCandidate(task: LearnerTask = 'classification', hyper: Record<string, number> = HYPER): ModelVersion {
  const learner = createLearner('gbdt', featureSchemaFromBlueprint(BP), task, hyper);
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

/**
 * Publishes through the gate: the due continuation is held pending (nothing is published), judged
 * on the next 200 examples against the version that serves, then published when they are alike.
 */
/** A first version through its gate: taken from what was learned, judged on `judging`, published. */
async function publishFirst(trainer: BlueprintTrainer, judging: readonly Example[]): Promise<ModelVersion> {
  assert.equal(trainer.publish(1), null, 'a first version is held pending');
  await learn(trainer, judging);
  const published = trainer.publish(2);
  assert.ok(published, `not published: ${trainer.lastRefusal?.reason ?? 'still undecided'}`);
  return published.record;
}

async function publishJudged(trainer: BlueprintTrainer, from: number, now: number, floor = 0) {
  assert.equal(trainer.publish(now, floor), null, 'a continuation is held pending first');
  assert.equal(trainer.pendingExamples, 0);
  await learn(trainer, examples(200, from));
  assert.equal(trainer.pendingExamples, 200);
  const published = trainer.publish(now + 10, floor);
  assert.ok(published, JSON.stringify(trainer.drainJudgements()));
  return published.record;
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
    const first = await publishJudged(trainer, 300, 10);
    assert.equal(first.family, 'gbdt');
    assert.equal(first.role, 'trained');
    assert.equal(first.parentVersion, candidate.modelVersion);
    assert.equal(first.sequence, 5);
    assert.equal(first.createdAt, 20, 'published when judged');
    assert.deepEqual(JSON.parse(first.hyperParameters), restoreLearner(candidate.artifact).hyperParameters);
    await learn(trainer, examples(100, 500));
    assert.equal((await publishJudged(trainer, 600, 30)).parentVersion, first.modelVersion);
  });

  it('blueprint trainer - a gbdt refits per refitEvery examples, so nothing is offered before a refit', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    for (let i = 0; i < 3; i++) await learn(trainer, examples(30, 200 + 30 * i));
    assert.equal(trainer.publish(10), null, '90 examples: no refit yet');
    assert.equal(trainer.pendingExamples, null, 'nor anything pending');
    await learn(trainer, examples(30, 290));
    const record = await publishJudged(trainer, 320, 20);
    assert.equal(record.trainedOnExamples, candidate.trainedOnExamples + 120, 'the version as it was taken');
    assert.equal(record.metrics['examples'], 120, 'every example was scored before it was learned');
  });

  it('blueprint trainer - the sequence stays above every version AutoML numbered', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    await learn(trainer, examples(100, 200));
    assert.equal((await publishJudged(trainer, 300, 10, 11)).sequence, 12);
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
    const record = await publishJudged(trainer, 300, 10);
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

describe('blueprint trainer, continuations earn their swap', () => {
  const candidate = gbdtCandidate();
  const adopted = {
    configuration: { kind: 'adopted', candidate: candidate.modelVersion } as const,
    checkpoint: candidate,
  };

  it('trainer - learns an example with √(1/propensity), divided by the mean weight of its batch, and judges it with 1/propensity', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    const learner = (trainer as unknown as { contenders: Array<{ learner: Learner }> }).contenders[0]!.learner;
    const weights: Array<readonly number[] | undefined> = [];
    const learnMany = learner.learnMany.bind(learner);
    learner.learnMany = (xs, ys, ws) => {
      weights.push(ws);
      return learnMany(xs, ys, ws);
    };
    // 96 sent by the policy (propensity 0.975), 4 explored (0.025: judged with 40, learned with
    // √40), and explored skips, which teach the score nothing.
    const withPropensities = (from: number) =>
      examples(100, from).map((e, i) => ({ ...e, propensity: i % 25 === 3 ? 0.025 : 0.975 }));
    const batch = withPropensities(200);
    const skips = examples(10, 300).map((e) => ({ ...e, action: 'skip', propensity: 0.025 }));
    await learn(trainer, [...batch, ...skips]);
    const mean = (96 * Math.sqrt(1 / 0.975) + 4 * Math.sqrt(40)) / 100;
    const rounded = (ws: readonly number[] | undefined) => ws?.map((w) => w.toFixed(9));
    assert.deepEqual(
      weights.map(rounded),
      [rounded(batch.map((e) => (e.propensity === 0.025 ? Math.sqrt(40) : Math.sqrt(1 / 0.975)) / mean))],
      'one refit of the 100 that teach',
    );
    assert.deepEqual(rounded(weights[0]!.slice(2, 5)), ['0.826582961', '5.162008937', '0.826582961']);

    // The adopted candidate serves; the continuation taken now is judged on the next examples with 1/propensity.
    assert.equal(trainer.publish(10), null, 'a continuation is pending');
    await learn(trainer, withPropensities(1000));
    const pending = (trainer as unknown as { pending: { test: { weights: number[] } } | null }).pending;
    assert.ok(pending !== null, 'still pending after 100 examples');
    assert.deepEqual(
      rounded(pending.test.weights.slice(0, 5)),
      rounded([1 / 0.975, 1 / 0.975, 1 / 0.975, 40, 1 / 0.975]),
    );
  });

  it('trainer - a clearly worse continuation is refused, never published, and a new one is taken from where the learner is', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    await learn(trainer, examples(300, 200, true));
    assert.equal(trainer.publish(10), null);
    await learn(trainer, examples(200, 500));
    assert.equal(trainer.publish(20), null, 'refused: nothing is published');
    const judgements = trainer.drainJudgements();
    assert.deepEqual(
      judgements.map((j) => [j.kind, j.servedVersion, j.continuation, j.startedAt, j.at]),
      [['refuse', candidate.modelVersion, `gbdt trained on ${candidate.trainedOnExamples + 300} examples`, 10, 20]],
    );
    assert.match(
      judgements[0]!.reason,
      /^worse than the serving version by more than rollback_if\.metric_drop 0\.01 — auc \d\.\d{4} vs serving 1\.0000: −/,
    );
    assert.equal(trainer.lastRefusal, judgements[0]);
    assert.equal(trainer.pendingExamples, 0, 'the learner learned the judging examples: a new pending version');
    assert.equal(trainer.hasUnpublished, true);
    assert.deepEqual(trainer.drainJudgements(), []);
  });

  it('trainer - learning in a refused version is unpublished until a later version is published', async () => {
    const slow = gbdtCandidate('classification', { ...HYPER, refitEvery: 300 });
    const trainer = new BlueprintTrainer(BP, {
      configuration: { kind: 'adopted', candidate: slow.modelVersion },
      checkpoint: slow,
    });
    await learn(trainer, examples(300, 200, true));
    assert.equal(trainer.publish(10), null);
    await learn(trainer, examples(200, 500)); // judged, and not yet refitted
    assert.equal(trainer.publish(20), null);
    assert.equal(trainer.lastRefusal?.kind, 'refuse');
    assert.equal(trainer.pendingExamples, null, 'no learner changed since the refused version was taken');
    assert.equal(trainer.hasUnpublished, true, 'what the refused version learned is in no published version');
  });

  it('trainer - a pending continuation keeps the test it started with when the blueprint changes', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    await learn(trainer, examples(100, 200));
    assert.equal(trainer.publish(10), null);
    const lenient = blueprintWith((bp) => {
      bp['features'] = { context: [{ name: 'hour', type: 'int' }] };
      bp['rollout'] = { rollback_if: { metric_drop: 0.5 } };
    });
    const compiled = compileBlueprint(lenient);
    assert.ok(compiled.ok);
    trainer.updateBlueprint({ ...compiled.blueprint, version: 2 });
    await learn(trainer, examples(200, 300));
    assert.ok(trainer.publish(20));
    assert.match(trainer.drainJudgements()[0]!.reason, /^not worse than .* rollback_if\.metric_drop 0\.01 — /);
  });

  it('trainer - a continuation that ranks as well but whose scores fell below the threshold is refused on the value of its decisions', async () => {
    const trainer = new BlueprintTrainer(BP, adopted);
    // Evenings that click on one day in six: the continuation still ranks them first, at 0.39.
    await learn(trainer, rarerEvenings(600, 200, 6));
    assert.equal(trainer.publish(10), null);
    await learn(trainer, examples(200, 800));
    assert.equal(trainer.publish(20), null, 'refused: nothing is published');
    const [refused] = trainer.drainJudgements();
    assert.equal(refused?.kind, 'refuse');
    assert.equal(refused.figures?.decidedBy, 'value');
    assert.match(
      refused.reason,
      /^its decisions at threshold 0\.5 are worth less than 80 % of the serving version's — value at threshold 0\.5 0\.0000 vs serving 0\.\d{4} a request .*; auc 1\.0000 vs serving 1\.0000: \+0\.0000 /,
    );
  });

  it('trainer - only examples decided after the checkpoint it adopted judge a continuation', async () => {
    const decided = exampleRecord().decisionTs;
    const trainer = new BlueprintTrainer(BP, { ...adopted, checkpoint: { ...candidate, dataEndTs: decided } });
    await learn(trainer, examples(100, 200));
    assert.equal(trainer.publish(10), null);
    await learn(trainer, examples(50, 300));
    assert.equal(trainer.pendingExamples, 0, 'decided when the checkpoint may have learned them');
    await learn(
      trainer,
      examples(50, 350).map((e) => ({ ...e, decisionTs: decided + 1 })),
    );
    assert.equal(trainer.pendingExamples, 50);
  });
});

describe('blueprint trainer, side by side', () => {
  before(async () => {
    await initBackend({ prefer: ['cpu'] });
  });

  it('trainer - the very first version is taken after 200 examples and published once shown better than serving no model; the next is judged against it', async () => {
    const trainer = new BlueprintTrainer(SENDS_TO_ALL);
    await learn(trainer, examples(100));
    assert.equal(trainer.publish(10), null, 'nothing is taken from 100 examples');
    assert.equal(trainer.pendingExamples, null);
    assert.equal(trainer.hasUnpublished, false, 'before any version serves, the commit point is not held');
    await learn(trainer, examples(100, 100));
    assert.equal(trainer.publish(20), null, 'taken, and held pending');
    assert.equal(trainer.pendingExamples, 0);
    await learn(trainer, examples(200, 200));
    const first = trainer.publish(30);
    assert.ok(first, 'published');
    assert.deepEqual([first.record.sequence, first.record.parentVersion], [1, null]);
    const [published] = trainer.drainJudgements();
    assert.deepEqual([published?.kind, published?.servedVersion], ['publish', null]);
    // Labelled 1 from 18h: a quarter of the examples, the constant every example is scored with.
    assert.match(
      published!.reason,
      /^better than serving no model \(a constant score, the base rate of the examples it learned\) by more than 0 — auc 1\.0000 vs no model 0\.5000: \+0\.5000 /,
    );
    await learn(trainer, examples(100, 400));
    assert.equal(trainer.publish(40), null);
    assert.equal(trainer.pendingExamples, 0);
    await learn(trainer, examples(200, 500));
    trainer.publish(50);
    const [judgement] = trainer.drainJudgements();
    assert.equal(judgement?.servedVersion, first.record.modelVersion);
    assert.equal(trainer.hasUnpublished, true, 'once a version serves, learning beyond it holds the commit point');
    trainer.dispose();
  });

  it('trainer - a first version that ranks no better than a constant is refused, and nothing serves', async () => {
    const trainer = new BlueprintTrainer(BP);
    await learn(trainer, examples(200));
    assert.equal(trainer.publish(10), null);
    // The world inverts: the version learned on evenings now ranks backwards.
    await learn(trainer, examples(200, 200, true));
    assert.equal(trainer.publish(20), null, 'refused: nothing published');
    const [refused] = trainer.drainJudgements();
    assert.deepEqual([refused?.kind, refused?.servedVersion], ['refuse', null]);
    assert.match(refused!.reason, /^worse than serving no model .* auc 0\.0000 vs no model 0\.5000: −0\.5000 /);
    assert.equal(trainer.lastRefusal, refused);
    trainer.dispose();
  });

  it('trainer - forgets through the replay: after the world flips, training.forget learns it within a half-life, never forgetting not in three', async (t) => {
    // One example a second, P(click) = σ(3x) for x ~ U(−1, 1) during 6,000 s, then σ(−3x); the
    // version published after `after` flipped examples is asked about x = ±0.8.
    const flipsAt = 6000;
    const published = async (forget: unknown, after: number) => {
      const raw = blueprintWith((bp) => {
        bp['features'] = { context: [{ name: 'x', type: 'float' }] };
        bp['training'] = { forget };
        // Any continuation is published once judged: this test measures learning, not the gate
        // (threshold 0: every version sends to everybody, so its decisions cannot hold it back).
        bp['rollout'] = { rollback_if: { metric_drop: 1 } };
        bp['decision'] = { policy: 'threshold', threshold: 0, actions: ['send', 'skip'], default: 'skip' };
      });
      const compiled = compileBlueprint(raw);
      if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
      const trainer = new BlueprintTrainer({ ...compiled.blueprint, version: 1 });
      const random = new SeededRandom(5);
      const batchAt = (i: number) =>
        Array.from({ length: 100 }, (_, k) => {
          const x = 2 * random.next() - 1;
          const p = 1 / (1 + Math.exp((i + k < flipsAt ? -3 : 3) * x));
          const label = random.next() < p ? 1 : 0;
          return exampleRecord({
            features: { x },
            label,
            action: 'send',
            propensity: 0.95,
            decisionTs: (i + k) * 1000,
          });
        });
      let first: boolean = false;
      for (let i = 0; i < flipsAt + after; i += 100) {
        await learn(trainer, batchAt(i));
        // The first version (against serving no model) is taken at 200 examples and judged on the next.
        if (i >= 100 && !first) first = trainer.publish(0) !== null;
      }
      assert.ok(first, 'a first version was published before the flip');
      // The version taken now: judged on the next 200 examples, which it has not learned.
      assert.equal(trainer.publish(1), null);
      await learn(trainer, [...batchAt(flipsAt + after), ...batchAt(flipsAt + after + 100)]);
      const scorer = loadScorer(trainer.publish(2)!.record.artifact);
      trainer.dispose();
      return [scorer.score({ x: -0.8 }), scorer.score({ x: 0.8 })] as const;
    };
    const rows: string[] = [];
    for (const after of [600, 1800]) {
      const [forgetting, keeping] = [await published({ half_life: '10m' }, after), await published('none', after)];
      const show = ([low, high]: readonly [number, number]) => `${low.toFixed(2)} / ${high.toFixed(2)}`;
      rows.push(`${after} s after: half-life 10 min ${show(forgetting)}, never ${show(keeping)}`);
      assert.ok(forgetting[0] > 0.6 && forgetting[1] < 0.4, `forgetting, ${after} s after: ${forgetting}`);
      assert.ok(keeping[0] < 0.5 && keeping[1] > 0.5, `never forgetting, ${after} s after: ${keeping}`);
    }
    t.diagnostic(
      `P(click) at x = −0.8 / +0.8 (the new world: 0.92 / 0.08) of the version published ${rows.join('; ')}`,
    );
  });

  it("trainer - a version is published with its task's metrics: rmse and mae for an estimate, auc and logloss for a probability", async () => {
    const raw = minimalBlueprintOf('estimation');
    raw['features'] = { context: [{ name: 'x', type: 'float' }] };
    raw['label'] = { window: '1h', value: { field: 'amount' }, missing: 0 };
    const compiled = compileBlueprint(raw);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
    const estimator = new BlueprintTrainer({ ...compiled.blueprint, version: 1 });
    // Amounts of a few hundred: as probabilities they gave a log-loss of about −460.
    const amounts = (from: number) =>
      Array.from({ length: 200 }, (_, i) =>
        exampleRecord({
          features: { x: ((from + i) % 200) / 200 },
          label: 300 + 200 * (((from + i) % 200) / 200),
          action: i % 2 === 0 ? 'a' : 'b',
        }),
      );
    await learn(estimator, amounts(0));
    const estimate = await publishFirst(estimator, amounts(200));
    estimator.dispose();
    assert.deepEqual(Object.keys(estimate.metrics), ['examples', 'rmse', 'mae']);
    assert.equal(estimate.metrics['examples'], 200, 'every example teaches an estimate, whichever action it took');
    assert.match(
      describePublished(estimate),
      /^published notification_send\/1 \((linear|mlp), examples 200, rmse \d+\.\d{4}, mae \d+\.\d{4}\)$/,
    );
    const classifier = new BlueprintTrainer(BP);
    await learn(classifier, examples(200));
    const probability = await publishFirst(classifier, examples(200, 200));
    classifier.dispose();
    assert.deepEqual(Object.keys(probability.metrics), ['examples', 'auc', 'logloss']);
  });

  it('trainer - a trainer that starts from scratch while a version serves judges its first version against it', async () => {
    const serving = gbdtCandidate();
    const trainer = new BlueprintTrainer(SENDS_TO_ALL, { configuration: SIDE_BY_SIDE, checkpoint: null, serving });
    await learn(trainer, examples(100));
    assert.equal(trainer.publish(10), null, 'held pending');
    await learn(trainer, examples(200, 100));
    trainer.publish(20);
    const [judgement] = trainer.drainJudgements();
    assert.equal(judgement?.servedVersion, serving.modelVersion);
    trainer.dispose();
  });
});
