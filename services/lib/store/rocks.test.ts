import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRocksStore } from './rocks.js';

describe('rocks store', () => {
  it('rocks store - a write batch applies puts and deletes together and survives reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'looper-rocks-'));
    try {
      let store = await openRocksStore(dir);
      await store.write({
        put: [
          ['a', Buffer.from('1')],
          ['b', Buffer.from('2')],
          ['c', Buffer.from('3')],
        ],
        del: [],
      });
      await store.write({ put: [['d', Buffer.from('4')]], del: ['b'] });
      assert.deepEqual(
        (await store.getMany(['a', 'b', 'd', 'zz'])).map((v) => v?.toString() ?? null),
        ['1', null, '4', null],
      );
      await store.close();
      store = await openRocksStore(dir);
      assert.equal((await store.get('c'))?.toString(), '3');
      assert.deepEqual(
        (await store.scan({ gte: 'a', lt: 'd' })).map(([k, v]) => [k, v.toString()]),
        [
          ['a', '1'],
          ['c', '3'],
        ],
      );
      assert.deepEqual(
        (await store.scan({ gte: 'a', lt: 'z' }, 1)).map(([k]) => k),
        ['a'],
      );
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
