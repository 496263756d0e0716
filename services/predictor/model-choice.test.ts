import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BlueprintDecision } from '../lib/schemas/generated.js';
import type { FeatureValues } from '../lib/feature-values.js';
import { shareOf } from '../lib/decide/assignment.js';
import {
  answeringModel,
  canaryPosition,
  scoreShadows,
  ShadowFailures,
  type CanaryModel,
  type ModelTable,
  type ServingModel,
} from './model-choice.js';

const BP = 'notification_send';

function model(modelVersion: string, score: (x: FeatureValues) => number): ServingModel {
  return {
    modelVersion,
    family: 'logistic',
    sequence: 1,
    blueprintVersion: 1,
    scorer: { family: 'logistic', task: 'classification', score },
  };
}

const live = model(`${BP}/3`, () => 0.2);
const canaryModel = model(`${BP}/automl-8`, () => 0.9);

function table(entry: { live?: ServingModel; canary?: CanaryModel; shadows?: ServingModel[] }): ModelTable {
  return {
    live: () => entry.live,
    canary: () => entry.canary,
    shadows: () => entry.shadows ?? [],
    tookOver: () => false,
  };
}

const threshold: BlueprintDecision = {
  policy: 'threshold',
  threshold: 0.5,
  k: null,
  epsilon: null,
  temperature: null,
  alpha: null,
  actions: ['send', 'skip'],
  default: 'skip',
  deadlineMs: 20,
  explore: 0,
  exploreOnShift: null,
};
const entities = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);

describe('model choice', () => {
  it('model choice - without a canary the live model answers everybody', () => {
    const models = table({ live });
    assert.ok(entities.slice(0, 1000).every((e) => answeringModel(models, BP, e) === live));
    assert.equal(answeringModel(table({}), BP, 'user-1'), undefined);
  });

  it('model choice - the canary answers for the entities whose position is below its share, always the same ones', () => {
    const models = table({ live, canary: { model: canaryModel, share: 0.1 } });
    let canaried = 0;
    for (const entity of entities) {
      const answered = answeringModel(models, BP, entity);
      assert.equal(answered, canaryPosition(BP, entity) < 0.1 ? canaryModel : live);
      assert.equal(answeringModel(models, BP, entity), answered);
      if (answered === canaryModel) canaried++;
    }
    assert.ok(Math.abs(canaried / entities.length - 0.1) <= 0.01, `canary share ${canaried / entities.length}`);
  });

  it('model choice - a canary with share 1 answers everybody', () => {
    const models = table({ live, canary: { model: canaryModel, share: 1 } });
    assert.ok(entities.slice(0, 1000).every((e) => answeringModel(models, BP, e) === canaryModel));
  });

  it("model choice - entities outside the canary's share get no model before a live one is loaded", () => {
    const models = table({ canary: { model: canaryModel, share: 0.5 } });
    const outside = entities.find((e) => canaryPosition(BP, e) >= 0.5)!;
    assert.equal(answeringModel(models, BP, outside), undefined);
  });

  it("model choice - the canary position is the entity's share under the salt 'canary:' + blueprint", () => {
    for (const entity of entities.slice(0, 100))
      assert.equal(canaryPosition(BP, entity), shareOf(entity, `canary:${BP}`));
    assert.notEqual(canaryPosition(BP, 'user-1'), canaryPosition('other', 'user-1'));
  });

  it('model choice - each shadow scores the same features, with the action its score would take', () => {
    const seen: FeatureValues[] = [];
    const a = model(`${BP}/automl-7`, (x) => (seen.push(x), 0.7));
    const b = model(`${BP}/automl-9`, () => 0.1);
    const features: FeatureValues = { hour: 9, platform: 'ios' };
    assert.deepEqual(
      scoreShadows([a, b], features, live.modelVersion, threshold, new ShadowFailures(() => undefined)),
      [
        { modelVersion: a.modelVersion, score: 0.7, scores: null, action: 'send' },
        { modelVersion: b.modelVersion, score: 0.1, scores: null, action: 'skip' },
      ],
    );
    assert.equal(seen[0], features);
  });

  it('model choice - no shadows, or only the model that answered, log null', () => {
    const failures = new ShadowFailures(() => undefined);
    assert.equal(scoreShadows([], {}, live.modelVersion, threshold, failures), null);
    assert.equal(scoreShadows([live], {}, live.modelVersion, threshold, failures), null);
  });

  it('model choice - a shadow that throws scores null and is reported once per version', () => {
    const lines: string[] = [];
    const failures = new ShadowFailures((line) => lines.push(line));
    const broken = model(`${BP}/automl-5`, () => {
      throw new Error('bad input width');
    });
    const fine = model(`${BP}/automl-6`, () => 0.6);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(scoreShadows([broken, fine], {}, null, threshold, failures), [
        { modelVersion: broken.modelVersion, score: null, scores: null, action: null },
        { modelVersion: fine.modelVersion, score: 0.6, scores: null, action: 'send' },
      ]);
    }
    assert.deepEqual(lines, [
      `shadow model ${broken.modelVersion} failed to score (its scores are logged as null; reported once): bad input width`,
    ]);
  });
});
