// A changelog restore against the real broker into a real RocksDB store: the newest record of each
// key wins, a tombstone deletes, the checkpoint spares a second read, and an aborted restore (its
// assignment went elsewhere) checkpoints nothing, so the next one reads it all again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { createKafkaClient, producerDefaults, sendInChunks } from '../../services/lib/kafka.js';
import { openRocksStore, type KeyValueStore } from '../../services/lib/store/rocks.js';
import { ChangelogRestorer, checkpointKey } from '../../services/lib/store/changelog-restore.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import { createTestTopic, deleteTestTopic } from '../support/topics.js';

const KEYS = 1000;
/** Three versions a key of 1 KB each: some 3 MB a partition, several fetches. */
const VERSIONS = 3;
const value = (key: number, version: number) => Buffer.from(`${key}:${version}:`.padEnd(1024, '.'));
/** Every seventh key's newest record is a tombstone. */
const deleted = (key: number) => key % 7 === 0;

describe('changelog restore on the local broker', () => {
  let kafka: Kafka;
  const topic = uniqueName('looper.test.changelog');
  const dirs: string[] = [];
  const stores: KeyValueStore[] = [];
  const openStore = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'looper-restore-'));
    dirs.push(dir);
    const store = await openRocksStore(dir);
    stores.push(store);
    return store;
  };

  before(async () => {
    await ensureStack();
    kafka = createKafkaClient(testConfig, { clientId: 'looper-test' });
    await createTestTopic(kafka, topic, 2);
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    for (let version = 0; version < VERSIONS; version++) {
      const messages = Array.from({ length: KEYS }, (_, key) => ({
        key: `k${key}`,
        value: version === VERSIONS - 1 && deleted(key) ? null : value(key, version),
        partition: key % 2,
      }));
      await sendInChunks(producer, topic, messages);
    }
    await producer.disconnect();
  });

  after(async () => {
    for (const store of stores) await store.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await deleteTestTopic(kafka, topic);
  });

  async function assertRestored(store: KeyValueStore): Promise<void> {
    const stored = await store.getMany(Array.from({ length: KEYS }, (_, key) => `k${key}`));
    for (let key = 0; key < KEYS; key++) {
      if (deleted(key)) assert.equal(stored[key], null, `k${key} was deleted`);
      else assert.deepEqual(stored[key], value(key, VERSIONS - 1), `k${key} holds its newest version`);
    }
  }

  it('changelog restore - the newest record of each key, tombstones delete, and the checkpoint spares a second read', async () => {
    const store = await openStore();
    const restorer = new ChangelogRestorer(kafka, store, topic);
    await store.write({ put: [['k0', value(0, 0)]], del: [] }); // deleted by the restore
    const first = await restorer.restore([0, 1]);
    assert.equal(first.records, KEYS * VERSIONS);
    assert.equal(first.keys, KEYS);
    await assertRestored(store);
    const second = await restorer.restore([0, 1]);
    assert.equal(second.records, 0, 'nothing read again after the checkpoint');
  });

  it('changelog restore - an aborted restore stops at its next batch, checkpoints nothing, and the next restore reads it all', async () => {
    const store = await openStore();
    const stale = new AbortController();
    let writes = 0;
    // Aborted once the first fetched batch is written, as when the group rebalances mid-restore.
    const aborting: KeyValueStore = {
      ...store,
      write: async (changes) => {
        await store.write(changes);
        if (++writes === 1) stale.abort(new Error('the group is rebalancing: this assignment is out of date'));
      },
    };
    await assert.rejects(
      new ChangelogRestorer(kafka, aborting, topic).restore([0, 1], stale.signal),
      /the group is rebalancing/,
    );
    assert.equal(writes, 1, 'no batch is written after the abort');
    assert.deepEqual(await store.getMany([checkpointKey(0), checkpointKey(1)]), [null, null], 'no checkpoint');
    const next = await new ChangelogRestorer(kafka, store, topic).restore([0, 1]);
    assert.equal(next.records, KEYS * VERSIONS, 'the next restore reads every record again');
    await assertRestored(store);
  });
});
