import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../learners/backend.js';
import { benchSearch } from './bench.js';

before(async () => {
  await initBackend();
});

test('bench - a small search reports its evaluations per family and what it chose', async () => {
  const f = await benchSearch(900, 3);
  assert.equal(f.budget, 3);
  const perFamily = Object.values(f.perFamily);
  assert.equal(
    perFamily.reduce((s, p) => s + p.evaluations, 0),
    f.evaluations,
  );
  for (const p of perFamily) assert.ok(p.meanSeconds > 0 && Number.isFinite(p.meanSeconds));
  assert.ok(f.chosen !== null && f.metric !== null && f.metric > 0.5);
});
