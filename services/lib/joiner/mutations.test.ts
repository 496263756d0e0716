import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { addResult, emptyResult, EMPTY_VALUE, type JoinResult } from './mutations.js';
import { compileJoinerOptions, joinerDefaults } from './options.js';

const step = (put: string[], del: string[]): JoinResult => ({
  examples: [],
  ignored: [],
  mutations: { put: put.map((k) => [k, EMPTY_VALUE]), del },
});

describe('joiner mutations and options', () => {
  it('joiner mutations - folding steps into one batch keeps the last change of each key', () => {
    const batch = emptyResult();
    addResult(batch, step(['p/a', 'c/1/a'], []));
    addResult(batch, step(['d/a'], ['p/a', 'c/1/a', 'o/b']));
    addResult(batch, step(['o/b'], []));
    assert.deepEqual(
      batch.mutations.put.map(([k]) => k),
      ['d/a', 'o/b'],
    );
    assert.deepEqual(batch.mutations.del, ['p/a', 'c/1/a']);
  });

  it('joiner options - defaults to an hour of memory for early outcomes and done markers, ten minutes for recent events', () => {
    assert.deepEqual(compileJoinerOptions(), {
      earlyOutcomeRetentionMs: 3_600_000,
      doneRetentionMs: 3_600_000,
      recentEventRetentionMs: 600_000,
    });
    assert.deepEqual(compileJoinerOptions({ doneRetentionMs: 0 }), { ...joinerDefaults, doneRetentionMs: 0 });
  });

  it('joiner options - rejects retentions that are not whole milliseconds, saying what the default is', () => {
    assert.throws(
      () => compileJoinerOptions({ earlyOutcomeRetentionMs: -1, doneRetentionMs: 1.5 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.length === 2 &&
        e.problems[0] === 'joiner earlyOutcomeRetentionMs: -1 is not a whole number of ms ≥ 0; the default is 3600000',
    );
  });
});
