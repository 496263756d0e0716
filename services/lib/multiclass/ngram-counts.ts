// The counts of an n-gram model: for each context (a previous item, or a pair of them, as rows of
// the vocabulary), how often each row came next. Contexts are sparse (parallel typed arrays that
// grow by doubling while learning), so scoring iterates them without allocating. A table holds at
// most `maxContexts` contexts: when full, it drops the least-used tenth in one pass (fewest
// observations, then least recently updated, then lowest key), so eviction costs O(log n) amortised
// per new context and repeats exactly for the same examples.

import { ArtifactError } from './errors.js';

/** [key, total, lastUsed, rows, counts]: one context as the artifact stores it. */
export type ContextJson = readonly [number, number, number, readonly number[], readonly number[]];

export class NextCounts {
  rows: Int32Array;
  counts: Float64Array;
  size = 0;
  /** The sum of counts, kept as added (and recomputed in entry order after a removal). */
  total = 0;
  /** The tick (examples seen) of the last update: the eviction tie-break. */
  lastUsed = 0;

  constructor(capacity = 4) {
    this.rows = new Int32Array(capacity);
    this.counts = new Float64Array(capacity);
  }

  add(row: number, weight: number, tick: number): void {
    this.lastUsed = tick;
    this.total += weight;
    for (let j = 0; j < this.size; j++) {
      if (this.rows[j] === row) {
        this.counts[j] = (this.counts[j] as number) + weight;
        return;
      }
    }
    if (this.size === this.rows.length) {
      const rows = new Int32Array(this.size * 2);
      const counts = new Float64Array(this.size * 2);
      rows.set(this.rows);
      counts.set(this.counts);
      this.rows = rows;
      this.counts = counts;
    }
    this.rows[this.size] = row;
    this.counts[this.size++] = weight;
  }

  /** Forgets what came next when it was `row` (the row now holds another class). */
  removeRow(row: number): void {
    let kept = 0;
    let total = 0;
    for (let j = 0; j < this.size; j++) {
      if (this.rows[j] === row) continue;
      this.rows[kept] = this.rows[j] as number;
      this.counts[kept] = this.counts[j] as number;
      total += this.counts[kept++] as number;
    }
    if (kept !== this.size) this.total = total;
    this.size = kept;
  }
}

export class ContextTable {
  private readonly contexts = new Map<number, NextCounts>();

  constructor(readonly maxContexts: number) {}

  get count(): number {
    return this.contexts.size;
  }

  get(key: number): NextCounts | undefined {
    return this.contexts.get(key);
  }

  /** The context of `key`, created (after an eviction pass when the table is full) if absent. */
  getOrCreate(key: number): NextCounts {
    let context = this.contexts.get(key);
    if (context === undefined) {
      if (this.contexts.size >= this.maxContexts) this.evict(Math.max(1, Math.ceil(this.maxContexts / 10)));
      context = new NextCounts();
      this.contexts.set(key, context);
    }
    return context;
  }

  /** Drops the contexts whose key `involves` the row, and the row from every other context. */
  forgetRow(row: number, involves: (key: number) => boolean): void {
    for (const [key, context] of [...this.contexts]) {
      if (involves(key)) this.contexts.delete(key);
      else context.removeRow(row);
    }
  }

  toJSON(): ContextJson[] {
    return [...this.contexts].map(([key, c]): ContextJson => [
      key,
      c.total,
      c.lastUsed,
      Array.from(c.rows.subarray(0, c.size)),
      Array.from(c.counts.subarray(0, c.size)),
    ]);
  }

  /** Refills an empty table from `toJSON`; `validKey` and `validRow` say what the model can hold. */
  load(json: unknown, validKey: (key: number) => boolean, validRow: (row: number) => boolean): void {
    if (!Array.isArray(json) || json.length > this.maxContexts)
      throw new ArtifactError(`the n-gram contexts must be a list of at most ${this.maxContexts}`);
    for (const entry of json as unknown[]) {
      const [key, total, lastUsed, rows, counts] = Array.isArray(entry) ? (entry as unknown[]) : [];
      const valid =
        typeof key === 'number' &&
        Number.isInteger(key) &&
        validKey(key) &&
        !this.contexts.has(key) &&
        isCount(total) &&
        typeof lastUsed === 'number' &&
        Number.isInteger(lastUsed) &&
        Array.isArray(rows) &&
        Array.isArray(counts) &&
        rows.length === counts.length &&
        rows.every((r) => typeof r === 'number' && Number.isInteger(r) && validRow(r)) &&
        new Set(rows).size === rows.length &&
        counts.every(isCount);
      if (!valid) throw new ArtifactError(`n-gram context ${JSON.stringify(entry).slice(0, 120)} is invalid`);
      const context = new NextCounts(Math.max(4, rows.length));
      context.rows.set(rows as number[]);
      context.counts.set(counts as number[]);
      context.size = rows.length;
      context.total = total;
      context.lastUsed = lastUsed;
      this.contexts.set(key, context);
    }
  }

  private evict(how: number): void {
    const order = [...this.contexts].sort(
      ([ka, a], [kb, b]) => a.total - b.total || a.lastUsed - b.lastUsed || ka - kb,
    );
    for (let i = 0; i < how && i < order.length; i++) this.contexts.delete((order[i] as [number, NextCounts])[0]);
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
