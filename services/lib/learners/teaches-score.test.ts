import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBlueprintYaml } from '../blueprint/parse.js';
import { teachesScore, trainingFeatures } from './teaches-score.js';
import { featureSchemaFromBlueprint } from './feature-schema.js';

function example(path: string) {
  const compiled = parseBlueprintYaml(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
  if (!compiled.ok) throw new Error(`${path} does not compile`);
  return compiled.blueprint;
}

describe('what a score learns from', () => {
  it('teaches - a threshold score learns from its first action only; a ranking score from shown candidates only', () => {
    const notify = example('notification_send.yaml');
    assert.deepEqual(
      [
        teachesScore(notify, { action: 'send', position: null }),
        teachesScore(notify, { action: 'skip', position: null }),
      ],
      [true, false],
    );
    const shop = example('shop_ranking.yaml');
    assert.deepEqual(
      [teachesScore(shop, { action: 'item-1', position: 0 }), teachesScore(shop, { action: 'item-1', position: null })],
      [true, false],
    );
  });

  it('teaches - a ranking example reads the entity features, the candidate features, the position and the crosses', () => {
    const shop = example('shop_ranking.yaml');
    const row = trainingFeatures(shop, {
      features: { hour: 9, last_viewed_topic: 'books' },
      candidateFeatures: { topic: 'games', quality: 0.4 },
      position: 3,
    });
    assert.deepEqual(row, {
      hour: 9,
      last_viewed_topic: 'books',
      topic: 'games',
      quality: 0.4,
      __position: 3,
      'last_viewed_topic×topic': 'books|games',
    });
    assert.deepEqual(
      featureSchemaFromBlueprint(shop).features.map((f) => `${f.name}:${f.kind}`),
      [
        'hour:cyclic',
        'last_viewed_topic:mixed',
        'topic:category',
        'quality:numeric',
        '__position:numeric',
        'last_viewed_topic×topic:category',
      ],
    );
    const plain = { features: { hour: 9 }, candidateFeatures: null, position: null };
    assert.equal(
      trainingFeatures(example('notification_send.yaml'), plain),
      plain.features,
      'other tasks read the features as logged',
    );
  });
});
