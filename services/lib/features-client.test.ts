import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LookupRouter, lookupSubject } from './features-client.js';
import { partitionOfKey } from './partitioning/key-partition.js';
import type { Blueprint } from './schemas/generated.js';

const blueprintOn = (name: string, ...eventTopics: string[]) =>
  ({ name, version: 1, features: { streams: eventTopics.map((topic) => ({ topic })) } }) as unknown as Blueprint;

test('lookupSubject - the subject of the entity partition', () => {
  assert.equal(lookupSubject('user-7', 6), `looper.features.lookup.${partitionOfKey('user-7', 6)}`);
});

test('LookupRouter - learns a blueprint route once, then answers without asking again', async () => {
  const asked: string[][] = [];
  const router = new LookupRouter(
    async (list) => {
      asked.push([...list]);
      return new Map(list.map((t) => [t, 6]));
    },
    () => undefined,
  );
  const bp = blueprintOn('send', 'app.opens', 'app.sessions', 'app.opens');
  const first = router.subjectOf(bp, 'user-7');
  assert.ok(first instanceof Promise);
  assert.equal(await first, lookupSubject('user-7', 6));
  assert.equal(router.subjectOf(bp, 'user-8'), lookupSubject('user-8', 6));
  assert.deepEqual(asked, [['app.opens', 'app.sessions']]);
});

test('LookupRouter - with no event topic yet any instance answers, asked again only after a pause; a missing topic beside an existing one routes by it', async () => {
  let calls = 0;
  let existing = new Map<string, number>();
  const router = new LookupRouter(
    async () => {
      calls++;
      return existing;
    },
    () => undefined,
  );
  const bp = blueprintOn('send', 'app.opens', 'app.sessions');
  assert.equal(await router.subjectOf(bp, 'u'), 'looper.features.lookup.any');
  assert.equal(router.subjectOf(bp, 'u'), 'looper.features.lookup.any');
  assert.equal(calls, 1);
  existing = new Map([['app.sessions', 6]]);
  const later = blueprintOn('send', 'app.opens', 'app.sessions');
  (later as { version: number }).version = 2;
  assert.equal(await router.subjectOf(later, 'u'), lookupSubject('u', 6));
});

test('LookupRouter - an unreachable broker is an error that says so, not retried at once', async () => {
  let calls = 0;
  const router = new LookupRouter(
    async () => {
      calls++;
      throw new Error('no broker');
    },
    () => undefined,
  );
  const bp = blueprintOn('send', 'app.opens');
  assert.deepEqual(await router.subjectOf(bp, 'u'), {
    error: "the partitions of send's event topics are unknown: no broker",
  });
  assert.deepEqual(await router.subjectOf(bp, 'u'), {
    error: "the partitions of send's event topics are unknown: no broker",
  });
  assert.equal(calls, 1);
});

test('LookupRouter - event topics with different partition counts route by the first and say so once', async () => {
  const logged: string[] = [];
  const router = new LookupRouter(
    async () =>
      new Map([
        ['a', 6],
        ['b', 12],
      ]),
    (line) => logged.push(line),
  );
  assert.equal(await router.subjectOf(blueprintOn('mixed', 'a', 'b'), 'u'), lookupSubject('u', 6));
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /different partition counts \(a 6, b 12\)/);
});
