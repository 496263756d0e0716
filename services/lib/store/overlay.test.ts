import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValueStore } from './rocks.js';
import { BatchOverlay } from './overlay.js';

/** A store over a map that records the keys of each multi-get. */
function mapStore(entries: Record<string, string>): { store: KeyValueStore; reads: string[][] } {
  const data = new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));
  const reads: string[][] = [];
  const store: KeyValueStore = {
    get: async (key) => data.get(key) ?? null,
    getMany: async (keys) => {
      reads.push([...keys]);
      return keys.map((k) => data.get(k) ?? null);
    },
    write: async () => assert.fail('an overlay never writes'),
    scan: async (range) =>
      [...data].filter(([k]) => k >= range.gte && k < range.lt).sort(([a], [b]) => a.localeCompare(b)),
    close: async () => undefined,
  };
  return { store, reads };
}

const text = (values: Array<Uint8Array | null>) => values.map((v) => (v === null ? null : Buffer.from(v).toString()));

test('batch overlay - prefetched keys are answered without another read; others are read', async () => {
  const { store, reads } = mapStore({ a: '1', b: '2' });
  const overlay = new BatchOverlay(store);
  await overlay.prefetch(['a', 'x', 'a']);
  assert.deepEqual(reads, [['a', 'x']], 'one multi-get, each key once');
  assert.deepEqual(text(await overlay.getMany(['a', 'x'])), ['1', null]);
  assert.deepEqual(reads.length, 1, 'a prefetched key, present or absent, is not read again');
  assert.deepEqual(text(await overlay.getMany(['a', 'b'])), ['1', '2']);
  assert.deepEqual(reads, [['a', 'x'], ['b']]);
  await overlay.prefetch(['a', 'b', 'c']);
  assert.deepEqual(reads[2], ['b', 'c'], 'only keys not yet fetched are fetched');
});

test('batch overlay - the batch reads its own puts and deletes over what was prefetched, and writes them at once', async () => {
  const { store } = mapStore({ a: '1', b: '2' });
  const overlay = new BatchOverlay(store);
  await overlay.prefetch(['a', 'b']);
  overlay.apply({ put: [['a', Buffer.from('10')]], del: ['b'] });
  assert.deepEqual(text(await overlay.getMany(['a', 'b'])), ['10', null]);
  overlay.apply({ put: [['b', Buffer.from('20')]], del: ['a'] });
  assert.deepEqual(text(await overlay.getMany(['a', 'b'])), [null, '20']);
  const writes = overlay.toWriteSet();
  assert.deepEqual(
    { put: writes.put.map(([k, v]) => [k, Buffer.from(v).toString()]), del: writes.del },
    { put: [['b', '20']], del: ['a'] },
  );
});

test("batch overlay - a scan sees the batch's puts and not its deletes", async () => {
  const { store } = mapStore({ 'k/1': '1', 'k/2': '2', 'z/1': '3' });
  const overlay = new BatchOverlay(store);
  overlay.apply({ put: [['k/3', Buffer.from('3')]], del: ['k/1'] });
  assert.deepEqual(await overlay.scanKeys({ gte: 'k/', lt: 'k0' }), ['k/2', 'k/3']);
});
