import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBlueprintYaml } from '../lib/blueprint/parse.js';
import { parseDecideRequest } from '../lib/decide/request.js';
import type { FeatureValues } from '../lib/feature-values.js';
import type { Scorer } from '../lib/learners/index.js';
import { CandidateRanker } from './rank.js';

const compiled = parseBlueprintYaml(readFileSync(new URL('../../examples/shop_ranking.yaml', import.meta.url), 'utf8'));
if (!compiled.ok) throw new Error('examples/shop_ranking.yaml does not compile');
const bp = compiled.blueprint;
const noExplore = { ...bp, decision: { ...bp.decision, explore: 0, k: 2 } };
const decoder = new TextDecoder();
const parse = (body: unknown) => parseDecideRequest(new TextEncoder().encode(JSON.stringify(body)), bp, decoder);

/** A scorer that reads what the ranker gives it: quality, plus 1 when the user's last topic matches the item's (through the cross). */
const seen: FeatureValues[] = [];
const scorer: Scorer = {
  family: 'test',
  task: 'classification',
  score: (x) => {
    seen.push({ ...x });
    return (x['quality'] as number) + (x['last_viewed_topic×topic'] === 'books|books' ? 1 : 0);
  },
};
const candidates = [
  { id: 'a', features: { topic: 'games', quality: 0.9 } },
  { id: 'b', features: { topic: 'books', quality: 0.2 } },
  { id: 'c', features: { topic: 'music', quality: 0.5 } },
];

describe('ranking in the predictor', () => {
  it('rank - scores every candidate at the top position with the entity × candidate cross, and returns the top k', () => {
    seen.length = 0;
    const ranked = new CandidateRanker().rank(
      noExplore,
      scorer,
      { hour: 9, last_viewed_topic: 'books' },
      candidates,
      () => 0.5,
    );
    assert.deepEqual(ranked.ranking, ['b', 'a']);
    assert.deepEqual(ranked.scores, { a: 0.9, b: 1.2, c: 0.5 });
    assert.equal(ranked.propensity, 1);
    assert.deepEqual(
      seen.map((x) => [x['__position'], x['topic'], x['last_viewed_topic×topic']]),
      [
        [0, 'games', 'books|games'],
        [0, 'books', 'books|books'],
        [0, 'music', 'books|music'],
      ],
    );
    assert.deepEqual(ranked.logged, candidates);
  });

  it('rank - without a model the candidates keep the request order; exploration shows a random top k with its propensity', () => {
    assert.deepEqual(new CandidateRanker().rank(noExplore, null, {}, candidates, () => 0.5).ranking, ['a', 'b']);
    const exploring = { ...bp, decision: { ...bp.decision, explore: 0.1, k: 2 } };
    const draws = [0.05, 0.99, 0.0]; // explore, then swap position 0 with the last, then keep position 1
    const ranked = new CandidateRanker().rank(exploring, scorer, { last_viewed_topic: 'books' }, candidates, () =>
      draws.shift()!,
    );
    assert.deepEqual([ranked.ranking, ranked.explored], [['c', 'b'], true]);
    assert.equal(ranked.propensity, 0.1 / 6, 'one of the 3·2 ordered pairs, drawn with probability explore');
    const policy = new CandidateRanker().rank(exploring, scorer, { last_viewed_topic: 'books' }, candidates, () => 0.5);
    assert.equal(policy.propensity, 0.9 + 0.1 / 6);
    // A raised share (explore_on_shift while a quality_shift alert is open) is the one the propensity tells.
    const raised = (draws: number[]) =>
      new CandidateRanker().rank(
        exploring,
        scorer,
        { last_viewed_topic: 'books' },
        candidates,
        () => draws.shift()!,
        0.2,
      );
    const explored = raised([0.15, 0.99, 0.0]);
    assert.deepEqual([explored.ranking, explored.explored, explored.propensity], [['c', 'b'], true, 0.2 / 6]);
    const kept = raised([0.25]);
    assert.deepEqual([kept.ranking, kept.explored, kept.propensity], [['b', 'a'], false, 0.8 + 0.2 / 6]);
  });

  it('rank - a ranking request must carry valid candidates, each error naming the candidate', () => {
    const ok = parse({
      entity: 'u1',
      context: { hour: 9 },
      candidates: [{ id: 'a', features: { topic: 'books', quality: 0.5, extra: 1 } }, { id: 'b' }],
    });
    assert.ok(ok.ok);
    assert.deepEqual(ok.request.candidates, [
      { id: 'a', features: { topic: 'books', quality: 0.5 } },
      { id: 'b', features: { topic: null, quality: null } },
    ]);
    const refusal = (body: unknown) => {
      const r = parse(body);
      return r.ok ? 'accepted' : `${r.error.code}: ${r.error.message}`;
    };
    assert.equal(
      refusal({ entity: 'u1' }),
      'bad_candidates: candidates is missing: shop_ranking ranks the candidates of each request; send "candidates": [{"id": "...", "features": {...}}, ...]',
    );
    assert.equal(
      refusal({ entity: 'u1', candidates: [] }),
      'bad_candidates: candidates is empty: send "candidates": [{"id": "...", "features": {...}}, ...]',
    );
    assert.equal(
      refusal({ entity: 'u1', candidates: [{ id: 'a' }, { id: 'a' }] }),
      'bad_candidates: candidates[1].id "a" is given twice: each candidate once',
    );
    assert.equal(
      refusal({ entity: 'u1', candidates: [{ id: 7 }] }),
      'bad_candidates: candidates[0].id must be a non-empty string, not 7',
    );
    assert.equal(
      refusal({ entity: 'u1', candidates: [{ id: 'a', features: { quality: 'high' } }] }),
      'bad_candidates: candidates[0].features.quality: "high" is not a finite number',
    );
    assert.equal(
      refusal({ entity: 'u1', candidates: Array.from({ length: 1001 }, (_, i) => ({ id: `i${i}` })) }),
      'bad_candidates: candidates has 1001 entries, over the 1000 limit: send fewer, pre-filtered candidates',
    );
  });
});
