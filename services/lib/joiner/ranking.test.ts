// The joiner on ranking decisions: one example per shown candidate, labelled by the outcome that
// names the candidate acted on, each with its position and its own features.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { onDecision, onOutcome, onTick, pendingOf } from './join.js';
import { decodePending, encodePending } from './records.js';
import { decision, MINUTE, outcomesLabel, T0, WINDOW } from './test-records.js';

const ID = decision().decisionId;
const ranked = decision({
  blueprint: 'shop_ranking',
  score: null,
  action: 'item-3',
  ranking: ['item-3', 'item-1'],
  scores: { 'item-1': 0.4, 'item-2': 0.1, 'item-3': 0.7 },
  candidates: [
    { id: 'item-1', features: { topic: 'books', quality: 0.5 } },
    { id: 'item-2', features: { topic: 'games', quality: 0.2 } },
    { id: 'item-3', features: { topic: 'music', quality: 0.9 } },
  ],
  shadow: null,
});

describe('joiner on ranking decisions', () => {
  it('joiner ranking - an outcome naming a shown candidate labels every shown candidate, with its position and features', () => {
    const pending = pendingOf(ranked, outcomesLabel());
    const r = onOutcome({ decisionId: ID, value: 1, ts: T0 + MINUTE, candidateId: 'item-1' }, { pending });
    assert.deepEqual(
      r.examples.map((e) => [
        e.exampleId,
        e.candidateId,
        e.position,
        e.label,
        e.labelSource,
        e.score,
        e.candidateFeatures,
        e.ranking,
      ]),
      [
        [`${ID}/item-3`, 'item-3', 0, 0, 'missing', 0.7, { topic: 'music', quality: 0.9 }, ['item-3', 'item-1']],
        [`${ID}/item-1`, 'item-1', 1, 1, 'outcome', 0.4, { topic: 'books', quality: 0.5 }, ['item-3', 'item-1']],
      ],
    );
    assert.ok(
      r.examples.every((e) => e.decisionId === ID && e.features['hour'] === 20),
      'the entity features travel with each',
    );
  });

  it('joiner ranking - an outcome naming no candidate, or one not shown, makes no example and the decision keeps waiting', () => {
    const pending = pendingOf(ranked, outcomesLabel());
    for (const candidateId of [null, 'item-2', 'item-9']) {
      const r = onOutcome({ decisionId: ID, value: 1, ts: T0 + MINUTE, candidateId }, { pending });
      assert.deepEqual(
        [r.examples, r.ignored, r.mutations],
        [[], [{ decisionId: ID, reason: 'unknown_candidate' }], { put: [], del: [] }],
        String(candidateId),
      );
    }
  });

  it('joiner ranking - a window closing without outcome labels every shown candidate with missing', () => {
    const pending = pendingOf(ranked, outcomesLabel());
    const r = onTick(T0 + WINDOW, [pending]);
    assert.deepEqual(
      r.examples.map((e) => [e.candidateId, e.position, e.label, e.labelSource]),
      [
        ['item-3', 0, 0, 'missing'],
        ['item-1', 1, 0, 'missing'],
      ],
    );
  });

  it('joiner ranking - the shown candidates survive the store, and a record written before ranking still reads', () => {
    const r = onDecision(ranked, outcomesLabel(), {});
    const stored = decodePending(r.mutations.put[0]![1]);
    assert.deepEqual(stored, pendingOf(ranked, outcomesLabel()));
    assert.deepEqual(
      stored.decision.shown?.map((c) => [c.id, c.position]),
      [
        ['item-3', 0],
        ['item-1', 1],
      ],
    );
    const older = pendingOf(decision(), outcomesLabel());
    const bytes = JSON.parse(encodePending(older).toString('utf8')) as unknown[];
    const withoutShown = Buffer.from(JSON.stringify(bytes.slice(0, -1)), 'utf8');
    assert.deepEqual(decodePending(withoutShown), older);
  });
});
