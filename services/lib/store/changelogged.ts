// A store whose every write is first produced to a compacted changelog (a put as the value, a
// delete as a tombstone), each record to the partition `partitionOf` its key gives: the instance
// that takes a partition over restores that changelog partition (ChangelogRestorer) and continues
// with the same state. Records of no partition (null) stay local. Reads are the local store's.
import type { Producer } from 'kafkajs';
import type { KeyValueStore, WriteSet } from './rocks.js';
import { sendInChunks } from '../kafka.js';

export function changeloggedStore(
  local: KeyValueStore,
  producer: Producer,
  topic: string,
  partitionOf: (key: string) => number | null,
): KeyValueStore {
  return {
    get: (key) => local.get(key),
    getMany: (keys) => local.getMany(keys),
    scan: (range, limit) => local.scan(range, limit),
    close: () => local.close(),
    async write(changes: WriteSet) {
      const records: Array<{ key: string; value: Buffer | null; partition: number }> = [];
      for (const [key, value] of changes.put) {
        const partition = partitionOf(key);
        if (partition !== null)
          records.push({ key, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength), partition });
      }
      for (const key of changes.del) {
        const partition = partitionOf(key);
        if (partition !== null) records.push({ key, value: null, partition });
      }
      // The changelog first: a crash between the two leaves the changelog ahead, and replaying the
      // batch rewrites it identically; never the store ahead of what a takeover would restore.
      await sendInChunks(producer, topic, records);
      await local.write(changes);
    },
  };
}
