import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../learners/random.js';
import { ClassVocabulary, OTHER_CLASS, OTHER_ROW } from './vocabulary.js';

test('vocabulary - a declared one puts "__other__" at row 0 and the classes after it, in order', () => {
  const v = ClassVocabulary.declared(['cat', 'dog', 'fish']);
  assert.equal(v.size, 4);
  assert.equal(v.activeCount, 4);
  assert.deepEqual(v.classNames(), [OTHER_CLASS, 'cat', 'dog', 'fish']);
  assert.equal(v.indexOf('dog'), 2);
  assert.equal(v.indexOf('bird'), OTHER_ROW);
  assert.equal(v.nameAt(3), 'fish');
  assert.equal(v.nameAt(4), null);
  assert.equal(v.observe('bird'), OTHER_ROW, 'an undeclared label trains "__other__"');
  assert.equal(v.observe('cat'), 1);
  assert.equal(v.activeCount, 4, 'a declared vocabulary never grows');
});

test('vocabulary - a learned one gives rows in order of first sight while rows are free', () => {
  const v = ClassVocabulary.learned({ capacity: 3 });
  const assigned: string[] = [];
  const listen = (row: number, displaced: string | null, admitted: string) =>
    assigned.push(`${row}:${displaced}->${admitted}`);
  assert.equal(v.size, 4);
  assert.equal(v.activeCount, 1, 'only "__other__" at first');
  assert.deepEqual(
    ['b', 'a', 'b', 'c'].map((name) => v.observe(name, listen)),
    [1, 2, 1, 3],
  );
  assert.deepEqual(assigned, ['1:null->b', '2:null->a', '3:null->c']);
  assert.equal(v.activeCount, 4);
  assert.equal(v.observe(OTHER_CLASS, listen), OTHER_ROW);
});

test('vocabulary - a newcomer displaces the weakest class only once its guaranteed count exceeds that class count', () => {
  const v = ClassVocabulary.learned({ capacity: 2, candidates: 2 });
  const assigned: string[] = [];
  const listen = (row: number, displaced: string | null, admitted: string) =>
    assigned.push(`${row}:${displaced}->${admitted}`);
  v.observe('a', listen); // a: 1, row 1
  v.observe('b', listen); // b: 1, row 2
  v.observe('b', listen); // b: 2
  assert.equal(v.observe('c', listen), OTHER_ROW, 'c: 1 − 0 is not above a: 1');
  assert.equal(v.observe('c', listen), 1, 'c: 2 − 0 > a: 1, so c takes row 1');
  assert.deepEqual(assigned, ['1:null->a', '2:null->b', '1:a->c']);
  assert.equal(v.indexOf('a'), OTHER_ROW);
  assert.deepEqual(v.classNames(), [OTHER_CLASS, 'c', 'b']);
});

test('vocabulary - space-saving: a new name replaces the least-counted candidate and inherits its count as error', () => {
  const v = ClassVocabulary.learned({ capacity: 1, candidates: 1 });
  assert.equal(v.observe('a'), 1); // a: 1 (row 1)
  assert.equal(v.observe('b'), OTHER_ROW); // b: 1, a candidate
  assert.equal(v.observe('c'), OTHER_ROW); // table full: c replaces b → c: 2, error 1; 2 − 1 is not above a: 1
  assert.equal(v.countOf('b'), 0);
  assert.equal(v.countOf('c'), 2);
  assert.equal(v.observe('c'), 1); // c: 3, error 1: 2 > 1
  assert.deepEqual(v.toJSON(), {
    kind: 'learned',
    capacity: 1,
    candidates: 1,
    entries: [
      ['a', 1, 0, -1],
      ['c', 3, 1, 1],
    ],
  });
});

test('vocabulary - keeps the frequent classes of a long-tailed stream', () => {
  const v = ClassVocabulary.learned({ capacity: 5, candidates: 20 });
  const r = new SeededRandom(3);
  for (let i = 0; i < 20_000; i++) {
    const u = r.next();
    v.observe(u < 0.75 ? `top${Math.floor(u / 0.15)}` : `rare${Math.floor(r.next() * 500)}`);
  }
  assert.deepEqual(v.classNames().slice(1).sort(), ['top0', 'top1', 'top2', 'top3', 'top4']);
});

test('vocabulary - toJSON and fromJSON round-trip the whole state: the restored one goes on exactly alike', () => {
  const names = (r: SeededRandom) => `n${Math.floor(r.next() ** 2 * 40)}`;
  const a = ClassVocabulary.learned({ capacity: 6, candidates: 4 });
  const r = new SeededRandom(9);
  for (let i = 0; i < 3000; i++) a.observe(names(r));
  const b = ClassVocabulary.fromJSON(JSON.parse(JSON.stringify(a)));
  assert.deepEqual(b.toJSON(), a.toJSON());
  const rows = (v: ClassVocabulary, seed: number) => {
    const q = new SeededRandom(seed);
    const log: string[] = [];
    for (let i = 0; i < 3000; i++) log.push(`${v.observe(names(q), (row, d, n) => log.push(`${row}:${d}->${n}`))}`);
    return log;
  };
  assert.deepEqual(rows(b, 10), rows(a, 10));
  assert.deepEqual(ClassVocabulary.fromJSON(ClassVocabulary.declared(['x', 'y']).toJSON()).classNames(), [
    OTHER_CLASS,
    'x',
    'y',
  ]);
});

test('vocabulary - refuses bad declarations and options, saying which and why', () => {
  assert.throws(() => ClassVocabulary.declared(['a', '', 'a', OTHER_CLASS]), {
    name: 'MulticlassOptionsError',
    message:
      'invalid vocabulary options:\n  - class 1 is "": class names are non-empty strings\n  - class "a" is declared twice\n' +
      '  - class 3 is "__other__", which is reserved for labels outside the vocabulary',
  });
  assert.throws(() => ClassVocabulary.declared([]), {
    name: 'MulticlassOptionsError',
    message: 'invalid vocabulary options:\n  - declare at least one class, or use a learned vocabulary',
  });
  assert.throws(() => ClassVocabulary.learned({ capacity: 0 }), {
    name: 'MulticlassOptionsError',
    message: /capacity must be an integer from 1 to 100000, got 0/,
  });
});

test('vocabulary - fromJSON refuses damaged state with an ArtifactError', () => {
  assert.throws(() => ClassVocabulary.fromJSON({ kind: 'other' }), {
    name: 'ArtifactError',
    message: 'model artifact: the vocabulary is neither declared (classes) nor learned (entries)',
  });
  const gap = { kind: 'learned', capacity: 3, candidates: 1, entries: [['a', 2, 0, 2]] };
  assert.throws(() => ClassVocabulary.fromJSON(gap), {
    name: 'ArtifactError',
    message: 'model artifact: vocabulary rows are not contiguous: row 1 is free',
  });
  const twice = {
    kind: 'learned',
    capacity: 3,
    candidates: 1,
    entries: [
      ['a', 2, 0, 1],
      ['a', 1, 0, -1],
    ],
  };
  assert.throws(() => ClassVocabulary.fromJSON(twice), {
    name: 'ArtifactError',
    message: 'model artifact: vocabulary entry ["a",1,0,-1] is invalid (or tracked twice)',
  });
  assert.throws(() => ClassVocabulary.fromJSON({ kind: 'declared', classes: ['a', 'a'] }), {
    name: 'ArtifactError',
    message: 'model artifact: the stored vocabulary is invalid',
  });
});
