import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mintDecisionId } from './decision-id.js';
import { partitionOfKey } from './key-partition.js';

test('mintDecisionId - every id lands in its entity partition, and ids stay unique UUIDs', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const entity = `user-${i}`;
    const id = mintDecisionId(entity, 6);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(partitionOfKey(id, 6), partitionOfKey(entity, 6), `${id} for ${entity}`);
    ids.add(id);
  }
  assert.equal(ids.size, 2000);
});

test('mintDecisionId - one partition needs no drawing', () => {
  assert.match(mintDecisionId('user-1', 1), /^[0-9a-f-]{36}$/);
});
