// Decoded feature states of recently touched entities, in front of RocksDB: lookups and batches
// touch the same hot entities, and decoding them on every request would scale with their history.
import { decodeFeatureState, type FeatureState } from '../lib/features/index.js';
import type { KeyValueStore } from '../lib/store/rocks.js';

export class FeatureStateCache {
  private readonly entries = new Map<string, FeatureState>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly capacity = 200_000,
  ) {}

  /** States for `keys` (undefined where none is stored), with one batched read for the misses. */
  async getMany(keys: readonly string[]): Promise<Array<FeatureState | undefined>> {
    const result: Array<FeatureState | undefined> = new Array(keys.length);
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const hit = this.entries.get(key);
      if (hit) result[i] = hit;
      else missing.push(i);
    });
    if (missing.length > 0) {
      const stored = await this.store.getMany(missing.map((i) => keys[i]!));
      missing.forEach((i, j) => {
        const bytes = stored[j];
        if (bytes) {
          const state = decodeFeatureState(bytes);
          result[i] = state;
          this.set(keys[i]!, state);
        }
      });
    }
    return result;
  }

  set(key: string, state: FeatureState): void {
    this.entries.delete(key);
    this.entries.set(key, state);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

export function stateKey(specId: string, entity: string): string {
  return `s/${specId}/${entity}`;
}
