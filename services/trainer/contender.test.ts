import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureValues } from '../lib/feature-values.js';
import type { HyperParameterValue, Learner } from '../lib/learners/index.js';
import { Contender, meanNormalised, refitChunkSize } from './contender.js';

/** A learner that records what it was asked, in order; its prediction is the number of examples learned. */
class RecordingLearner implements Learner {
  readonly task = 'classification' as const;
  readonly artifactFormat = 'test/1';
  readonly featureNames = ['x'];
  readonly calls: string[] = [];
  examplesSeen = 0;

  constructor(
    readonly family: string,
    readonly hyperParameters: Readonly<Record<string, HyperParameterValue>> = {},
  ) {}

  learnMany(xs: readonly FeatureValues[], _ys: readonly number[], weights?: readonly number[]): void {
    const weighted = weights === undefined ? '' : ` weights ${weights.join(',')}`;
    this.calls.push(`learnMany ${xs.map((x) => x['x']).join(',')}${weighted}`);
    this.examplesSeen += xs.length;
  }
  learnOne(x: FeatureValues): void {
    this.calls.push(`learnOne ${x['x']}`);
    this.examplesSeen++;
  }
  predictOne(x: FeatureValues): number {
    this.calls.push(`predict ${x['x']}`);
    return 0.5;
  }
  toArtifact(): Uint8Array {
    return new Uint8Array();
  }
  sizeBytes(): number {
    return 0;
  }
  dispose(): void {}
}

const batch = (...values: number[]) => ({
  xs: values.map((x) => ({ x })),
  ys: values.map(() => 1),
  ws: values.map(() => 1),
});
const weighted = (values: number[], ws: number[]) => ({ ...batch(...values), ws });

describe('contender', () => {
  it('contender - a gbdt refits once per refitEvery examples; other families learn every batch', () => {
    assert.equal(refitChunkSize({ family: 'gbdt', hyperParameters: { refitEvery: 250 } }), 250);
    assert.equal(refitChunkSize({ family: 'gbdt', hyperParameters: {} }), 1000);
    for (const family of ['logistic', 'linear', 'mlp'])
      assert.equal(refitChunkSize({ family, hyperParameters: { refitEvery: 250 } }), null);
  });

  it('contender - an online learner scores a batch, learns it, then the replayed examples', async () => {
    const learner = new RecordingLearner('logistic');
    const contender = new Contender(learner);
    await contender.learn(batch(1, 2), batch(7));
    assert.deepEqual(learner.calls, ['predict 1', 'predict 2', 'learnMany 1,2', 'learnMany 7']);
    assert.equal(contender.metrics.count, 2);
    assert.equal(contender.changedSinceSnapshot, true);
  });

  it('contender - a batch learner is fed whole chunks of refitEvery, never each batch, and never replays', async () => {
    const learner = new RecordingLearner('gbdt', { refitEvery: 3 });
    const contender = new Contender(learner);
    assert.equal(contender.wantsReplay, false);
    for (const values of [[1, 2], [3, 4], [5]]) await contender.learn(batch(...values), null);
    assert.deepEqual(
      learner.calls.filter((c) => c.startsWith('learn')),
      ['learnMany 1,2,3,4'],
    );
    assert.equal(contender.metrics.count, 5, 'every example is scored as it arrives');
  });

  it('contender - every example is scored before the refit that learns it', async () => {
    const learner = new RecordingLearner('gbdt', { refitEvery: 2 });
    const contender = new Contender(learner);
    await contender.learn(batch(1, 2), null);
    assert.deepEqual(learner.calls, ['predict 1', 'predict 2', 'learnMany 1,2']);
  });

  it('contender - a batch learner has nothing to publish until a refit changed its model', async () => {
    const contender = new Contender(new RecordingLearner('gbdt', { refitEvery: 3 }));
    await contender.learn(batch(1, 2), null);
    assert.equal(contender.changedSinceSnapshot, false);
    await contender.learn(batch(3), null);
    assert.equal(contender.changedSinceSnapshot, true);
    contender.markSnapshot();
    assert.equal(contender.changedSinceSnapshot, false);
  });

  it("contender - each learnMany gets its examples' weights divided by their mean, replayed ones theirs", async () => {
    const learner = new RecordingLearner('logistic');
    const contender = new Contender(learner);
    await contender.learn(weighted([1, 2, 3, 4], [1, 1, 1, 37]), weighted([5, 6], [40, 40]));
    assert.deepEqual(learner.calls.slice(4), ['learnMany 1,2,3,4 weights 0.1,0.1,0.1,3.7', 'learnMany 5,6']);
    const chunked = new RecordingLearner('gbdt', { refitEvery: 3 });
    const gbdt = new Contender(chunked);
    await gbdt.learn(weighted([1, 2], [2, 2]), null);
    await gbdt.learn(weighted([3], [8]), null);
    assert.deepEqual(
      chunked.calls.filter((c) => c.startsWith('learn')),
      ['learnMany 1,2,3 weights 0.5,0.5,2'],
      'a refit chunk keeps the weights of the batches it gathers',
    );
  });

  it('contender - weights that are all equal leave the learner unweighted', () => {
    assert.equal(meanNormalised([2.5, 2.5, 2.5]), undefined);
    assert.equal(meanNormalised([]), undefined);
    assert.equal(meanNormalised([0, 0]), undefined);
    assert.deepEqual(meanNormalised([1, 3]), [0.5, 1.5]);
  });
});
