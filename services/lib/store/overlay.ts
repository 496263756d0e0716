// Pending writes of one batch laid over the store, so that later records of the batch read what
// earlier ones wrote, and the whole batch is still written at once.
import type { KeyRange, KeyValueStore, WriteSet } from './rocks.js';

export class BatchOverlay {
  private readonly puts = new Map<string, Uint8Array>();
  private readonly dels = new Set<string>();

  constructor(private readonly store: KeyValueStore) {}

  async getMany(keys: readonly string[]): Promise<Array<Uint8Array | null>> {
    const missing = keys.filter((k) => !this.puts.has(k) && !this.dels.has(k));
    const stored = await this.store.getMany(missing);
    const fromStore = new Map(missing.map((k, i) => [k, stored[i] ?? null]));
    return keys.map((k) => (this.dels.has(k) ? null : (this.puts.get(k) ?? fromStore.get(k) ?? null)));
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
