// Pending writes of one batch laid over the store, so that later records of the batch read what
// earlier ones wrote, and the whole batch is still written at once. Keys the batch will read can
// be fetched ahead in one multi-get: a read per record would make the batch wait on the store as
// many times as it has records.
import type { KeyRange, KeyValueStore, WriteSet } from './rocks.js';

export class BatchOverlay {
  private readonly puts = new Map<string, Uint8Array>();
  private readonly dels = new Set<string>();
  /** Stored values read ahead (null: absent). The store is not written while the batch runs. */
  private readonly fetched = new Map<string, Uint8Array | null>();

  constructor(private readonly store: KeyValueStore) {}

  /** Reads `keys` from the store in one multi-get, so that getMany answers them without waiting. */
  async prefetch(keys: Iterable<string>): Promise<void> {
    const wanted = [...new Set(keys)].filter((k) => !this.fetched.has(k));
    const stored = await this.store.getMany(wanted);
    wanted.forEach((k, i) => this.fetched.set(k, stored[i] ?? null));
  }

  async getMany(keys: readonly string[]): Promise<Array<Uint8Array | null>> {
    const values: Array<Uint8Array | null> = new Array(keys.length).fill(null);
    const missing: number[] = [];
    keys.forEach((k, i) => {
      if (this.dels.has(k)) return;
      const put = this.puts.get(k);
      if (put !== undefined) values[i] = put;
      else if (this.fetched.has(k)) values[i] = this.fetched.get(k)!;
      else missing.push(i);
    });
    if (missing.length > 0) {
      const stored = await this.store.getMany(missing.map((i) => keys[i]!));
      missing.forEach((i, j) => (values[i] = stored[j] ?? null));
    }
    return values;
  }

  async scanKeys(range: KeyRange): Promise<string[]> {
    const keys = new Set((await this.store.scan(range)).map(([k]) => k));
    for (const k of this.dels) keys.delete(k);
    for (const k of this.puts.keys()) if (k >= range.gte && k < range.lt) keys.add(k);
    return [...keys].sort();
  }

  apply(changes: WriteSet): void {
    for (const key of changes.del) {
      this.puts.delete(key);
      this.dels.add(key);
    }
    for (const [key, value] of changes.put) {
      this.dels.delete(key);
      this.puts.set(key, value);
    }
  }

  toWriteSet(): WriteSet {
    return { put: [...this.puts], del: [...this.dels] };
  }
}
