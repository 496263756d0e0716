import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeArtifact, encodeArtifact } from '../learners/artifact.js';
import type { FeatureValues } from '../feature-values.js';
import { Order2Chain, SequenceStream } from './generator.js';
import { loadNGramScorer, NGramModel } from './markov.js';

function close(actual: Float64Array, expected: number[], tolerance = 1e-12): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((p, r) =>
    assert.ok(Math.abs(p - (expected[r] as number)) <= tolerance, `row ${r}: ${p} vs ${expected[r]}`),
  );
}

/** Rows: "__other__", a, b, c (A = 4), k = 0.5, so every context has k·A = 2 pseudo-counts. */
function handModel(): NGramModel {
  const model = new NGramModel({ sequenceFeature: 's', classes: ['a', 'b', 'c'], k: 0.5 });
  model.learnMany([{ s: ['a', 'b'] }, { s: ['a', 'b'] }, { s: ['c', 'b'] }, { s: [] }], ['c', 'c', 'a', 'b']);
  return model;
}

test('ngram - unigram add-k: (n(c) + k) / (N + k·A)', () => {
  const out = new Float64Array(4);
  handModel().predictProba({ s: [] }, out);
  // counts: a 1, b 1, c 2 (N = 4)
  close(out, [0.5 / 6, 1.5 / 6, 1.5 / 6, 2.5 / 6]);
});

test('ngram - a seen item backs off to the unigram with k·A pseudo-counts', () => {
  const out = new Float64Array(4);
  handModel().predictProba({ s: ['b', 'b'] }, out); // pair (b, b) unseen: P1(· | b); after b came c 2, a 1
  close(out, [1 / 30, 9 / 30, 3 / 30, 17 / 30]);
});

test('ngram - a seen pair backs off to its newest item', () => {
  const out = new Float64Array(4);
  handModel().predictProba({ s: ['x', 'a', 'b'] }, out); // pair (a, b): c 2
  close(out, [1 / 60, 9 / 60, 3 / 60, 47 / 60]);
});

test('ngram - an unseen item is the "__other__" context; order 1 ignores pairs', () => {
  const out = new Float64Array(4);
  handModel().predictProba({ s: ['zz'] }, out);
  close(out, [0.5 / 6, 1.5 / 6, 1.5 / 6, 2.5 / 6]);
  const single = new NGramModel({ sequenceFeature: 's', classes: ['a', 'b', 'c'], k: 0.5, order: 1 });
  single.learnMany([{ s: ['a', 'b'] }, { s: ['a', 'b'] }, { s: ['c', 'b'] }, { s: [] }], ['c', 'c', 'a', 'b']);
  single.predictProba({ s: ['a', 'b'] }, out);
  close(out, [1 / 30, 9 / 30, 3 / 30, 17 / 30]);
});

test('ngram - topK ranks the smoothed distribution', () => {
  const rows = new Int32Array(3);
  const probs = new Float64Array(3);
  assert.equal(handModel().topK({ s: ['a', 'b'] }, 3, rows, probs), 3);
  assert.deepEqual(Array.from(rows), [3, 1, 2]);
  close(probs, [47 / 60, 9 / 60, 3 / 60]);
});

test('ngram - when the pair contexts are full, the least-used tenth goes (fewest counts, then oldest)', () => {
  const items = Array.from({ length: 10 }, (_, i) => `i${i}`);
  const many = new NGramModel({ sequenceFeature: 's', capacity: 10, maxContexts: 10 });
  // 10 pair contexts (i0, i1) ... (i9, i0); (i3, i4) seen twice, the rest once
  many.learnMany(
    items.map((): FeatureValues => ({ s: [] })),
    items,
  ); // every item gets a row
  items.forEach((item, i) => many.learnOne({ s: [item, items[(i + 1) % 10] as string] }, 'i0'));
  many.learnOne({ s: ['i3', 'i4'] }, 'i1');
  assert.equal(many.pairContexts, 10);
  many.learnOne({ s: ['i5', 'i5'] }, 'i2'); // full: (i0, i1), count 1 and oldest, goes
  assert.equal(many.pairContexts, 10);
  const out = new Float64Array(many.rows);
  const fresh = new Float64Array(many.rows);
  many.predictProba({ s: ['i0', 'i1'] }, out);
  many.predictProba({ s: ['zz', 'i1'] }, fresh); // the newest item alone
  assert.deepEqual(out, fresh, '(i0, i1) backs off to i1: its pair counts are gone');
  many.predictProba({ s: ['i1', 'i2'] }, out);
  many.predictProba({ s: ['zz', 'i2'] }, fresh);
  assert.notDeepEqual(out, fresh, '(i1, i2) is kept');
});

test('ngram - a row handed to a new class forgets every count of the old one', () => {
  const model = new NGramModel({ sequenceFeature: 's', capacity: 1 });
  model.learnMany([{ s: ['a'] }, { s: ['a'] }], ['a', 'a']); // a: row 1, counts after a: a 2
  model.learnMany([{ s: ['b'] }, { s: ['b'] }, { s: ['b'] }], ['b', 'b', 'b']); // b: counts 1 (other), 2, 3 > 2: takes row 1
  assert.equal(model.classNameAt(1), 'b');
  const { header } = decodeArtifact(model.toArtifact());
  assert.deepEqual(
    header['unigram'],
    [2, 1],
    '"__other__" keeps the two b seen before b had a row; row 1 holds only the last b',
  );
  // [context row, total, last used, next rows, counts]: the context "after a" (row 1) is gone with a.
  assert.deepEqual(header['singles'], [
    [0, 2, 4, [0], [2]],
    [1, 1, 5, [1], [1]],
  ]);
});

test('ngram - a restored model predicts exactly alike and goes on learning exactly alike', () => {
  const chain = Order2Chain.random({ items: 12, seed: 4 });
  const stream = new SequenceStream(chain, 3);
  const model = new NGramModel({ sequenceFeature: 'recent', capacity: 10, maxContexts: 60 }); // small: rows change hands, contexts are evicted
  for (let i = 0; i < 3000; i++) {
    const s = stream.next();
    model.learnOne(s.x, s.label);
  }
  const copy = loadNGramScorer(model.toArtifact());
  const a = new Float64Array(model.rows);
  const b = new Float64Array(model.rows);
  for (let i = 0; i < 300; i++) {
    const { x } = stream.next();
    model.predictProba(x, a);
    copy.predictProba(x, b);
    assert.deepEqual(b, a);
  }
  for (let i = 0; i < 1000; i++) {
    const s = stream.next();
    model.learnOne(s.x, s.label);
    copy.learnOne(s.x, s.label);
  }
  assert.deepEqual(Buffer.from(copy.toArtifact()), Buffer.from(model.toArtifact()));
  assert.equal(copy.examplesSeen, 4000);
});

test('ngram - refuses bad options, labels and artifacts, saying what to do', () => {
  assert.throws(() => new NGramModel({ order: 3, k: 0 }), {
    name: 'MulticlassOptionsError',
    message:
      'invalid ngram options:\n  - sequenceFeature must name the last_n feature holding the items, got undefined\n  - order must be 1 or 2, got 3\n' +
      '  - k must be a number in (0, 100]: try 0.01 to 1; got 0',
  });
  const model = handModel();
  assert.throws(() => model.learnOne({ s: ['a'] }, Number.POSITIVE_INFINITY), {
    name: 'MulticlassInputError',
    message: 'ngram: label 0 is Infinity: a numeric label must be finite',
  });
  assert.throws(() => model.topK({ s: [] }, -1, new Int32Array(1), new Float64Array(1)), {
    name: 'ScoringArgumentError',
    message: 'ngram.topK: k must be an integer ≥ 1, got -1',
  });
  assert.throws(() => NGramModel.restore(encodeArtifact({ format: 'looper-ngram/2', family: 'ngram' }, [])), {
    name: 'ArtifactError',
    message:
      'model artifact: format "looper-ngram/2" is not looper-ngram/1: load it with loadMulticlassScorer, which reads every multi-class format',
  });
  const damaged = encodeArtifact(
    {
      format: 'looper-ngram/1',
      family: 'ngram',
      hyperParameters: { sequenceFeature: 's', classes: ['a'] },
      vocabulary: { kind: 'declared', classes: ['a'] },
      examplesSeen: 1,
      unigram: [1],
      unigramTotal: 1,
      singles: [],
      pairs: [],
    },
    [],
  );
  assert.throws(() => NGramModel.restore(damaged), {
    name: 'ArtifactError',
    message: 'model artifact: the unigram counts must be 2 counts ≥ 0 (one per class in use) and a total',
  });
});
