// The one small store interface Looper's stateful services use, backed by RocksDB
// (rocksdb-native: batched multi-get, atomic write batches). State and the input offsets that
// produced it are written in one batch, so a restart resumes exactly where the state stands.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const require = createRequire(import.meta.url);

interface NativeReadBatch {
  get(key: string): Promise<Buffer | null>;
  flush(): Promise<void>;
  tryFlush(): void;
}
interface NativeWriteBatch {
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  tryPut(key: string, value: Uint8Array): void;
  tryDelete(key: string): void;
  flush(): Promise<void>;
  destroy(): void;
}
interface NativeRocksDB {
  ready(): Promise<void>;
  close(): Promise<void>;
  read(opts?: object): NativeReadBatch;
  write(opts?: object): NativeWriteBatch;
  get(key: string): Promise<Buffer | null>;
  iterator(
    range: { gt?: string; gte?: string; lt?: string; lte?: string },
    opts?: { limit?: number },
  ): AsyncIterable<{ key: Buffer; value: Buffer }>;
}

const RocksDB = require('rocksdb-native') as new (path: string, opts?: object) => NativeRocksDB;

export interface KeyRange {
  gte: string;
  lt: string;
}

export interface WriteSet {
  put: Array<[string, Uint8Array]>;
  del: string[];
}

export interface KeyValueStore {
  get(key: string): Promise<Buffer | null>;
  /** One batched read; values in the order of `keys`, null where absent. */
  getMany(keys: readonly string[]): Promise<Array<Buffer | null>>;
  /** Applies every put and delete atomically. */
  write(changes: WriteSet): Promise<void>;
  /** Keys and values in [gte, lt), in key order, at most `limit`. */
  scan(range: KeyRange, limit?: number): Promise<Array<[string, Buffer]>>;
  close(): Promise<void>;
}

/** The smallest key after `key`: where a scan resumes past it. */
export const keyAfter = (key: string): string => `${key}\0`;

/** The rows of `range` in key order, at most `pageSize` a scan: a range too large to read at once. */
export async function* scanPages(
  store: KeyValueStore,
  range: KeyRange,
  pageSize: number,
): AsyncGenerator<Array<[string, Buffer]>> {
  for (let gte: string | null = range.gte; gte !== null;) {
    const page = await store.scan({ gte, lt: range.lt }, pageSize);
    if (page.length > 0) yield page;
    gte = page.length === pageSize ? keyAfter(page[page.length - 1]![0]) : null;
  }
}

export async function openRocksStore(path: string): Promise<KeyValueStore> {
  mkdirSync(path, { recursive: true });
  const db = new RocksDB(path);
  await db.ready();
  return {
    get: (key) => db.get(key),
    async getMany(keys) {
      if (keys.length === 0) return [];
      const batch = db.read({ autoDestroy: true });
      const pending = keys.map((k) => batch.get(k));
      batch.tryFlush();
      return Promise.all(pending);
    },
    async write({ put, del }) {
      if (put.length === 0 && del.length === 0) return;
      const batch = db.write({ autoDestroy: true });
      for (const [key, value] of put) batch.tryPut(key, value);
      for (const key of del) batch.tryDelete(key);
      await batch.flush();
    },
    async scan(range, limit = Number.POSITIVE_INFINITY) {
      const rows: Array<[string, Buffer]> = [];
      for await (const { key, value } of db.iterator(range, { limit })) rows.push([key.toString(), value]);
      return rows;
    },
    close: () => db.close(),
  };
}
