// The output classes of a model, as rows. Row 0 is always the reserved class "__other__" (every label
// the model does not keep); class rows follow. A vocabulary is either
// - declared: a fixed list of class names, rows 1..n in list order; or
// - learned: at most `capacity` classes chosen by frequency. A space-saving summary (Metwally et al.,
//   2005) tracks `capacity + candidates` names in bounded memory; a tracked name gets a row while
//   rows are free, and later displaces the weakest kept class only when its guaranteed count
//   (count − error) exceeds that class's count, so rare labels cannot churn the rows.
//
// How models grow: `size` (capacity + 1) is fixed at creation, so a model allocates all its output
// rows up front and a row index never moves. Rows are taken in order, so the rows in use are always
// 0..activeCount−1 (models loop over those only: a large capacity costs memory, not time). When a
// row changes hands (a class displaced), observe() calls the listener before returning, and the
// model resets that row's parameters: nothing learned about the old class leaks into the new one.
// Everything is deterministic: ties go to the entry tracked first, and toJSON keeps that order.
// Cost (training path only; scoring never calls observe): a label that has a row costs one Map
// lookup; an untracked label arriving when the summary is full scans it for the least-counted
// candidate, O(capacity + candidates).

import { ArtifactError, MulticlassOptionsError } from './errors.js';
import { InvariantError } from '../errors.js';

export const OTHER_CLASS = '__other__';
export const OTHER_ROW = 0;
export const DEFAULT_VOCABULARY_CAPACITY = 1000;

/** Called when `row` starts to hold `admitted`; `displaced` is the class it held before, or null. */
export type RowListener = (row: number, displaced: string | null, admitted: string) => void;

/** [name, count, error, row (−1: tracked, no row)], in tracking order. */
export type VocabularyEntry = readonly [string, number, number, number];

export type VocabularyJson =
  | { readonly kind: 'declared'; readonly classes: readonly string[] }
  | {
      readonly kind: 'learned';
      readonly capacity: number;
      readonly candidates: number;
      readonly entries: readonly VocabularyEntry[];
    };

interface Counter {
  readonly name: string;
  count: number;
  /** Space-saving overestimate bound: the count inherited from the entry this one replaced. */
  error: number;
  row: number;
}

export class ClassVocabulary {
  /** Output rows, "__other__" included: what a model allocates. Never changes. */
  readonly size: number;
  private readonly names: (string | null)[];
  private readonly rows = new Map<string, number>();
  private active = 1;
  /** Learned vocabularies only: the space-saving summary, in tracking order. */
  private readonly counters: Map<string, Counter> | null;
  /** The kept class with the lowest count (cached: counts only grow, so it changes only when it grows). */
  private weakest: Counter | null = null;

  private constructor(
    readonly kind: 'declared' | 'learned',
    /** Class rows besides "__other__". */
    readonly capacity: number,
    /** Learned: names tracked beyond the kept ones, the room rare labels compete in. */
    readonly candidates: number,
  ) {
    this.size = capacity + 1;
    this.names = new Array<string | null>(this.size).fill(null);
    this.names[OTHER_ROW] = OTHER_CLASS;
    this.counters = kind === 'learned' ? new Map() : null;
  }

  /** A fixed vocabulary: `classes` get rows 1..n in order; any other label trains "__other__". */
  static declared(classes: readonly string[]): ClassVocabulary {
    const problems = classProblems(classes);
    if (classes.length === 0) problems.push('declare at least one class, or use a learned vocabulary');
    if (problems.length > 0) throw new MulticlassOptionsError('vocabulary', problems);
    const vocabulary = new ClassVocabulary('declared', classes.length, 0);
    for (const name of classes) vocabulary.assign(name, vocabulary.active++);
    return vocabulary;
  }

  /** A vocabulary learned from the labels: the `capacity` most frequent (default 1000). */
  static learned(options: { capacity?: number; candidates?: number } = {}): ClassVocabulary {
    const capacity = options.capacity ?? DEFAULT_VOCABULARY_CAPACITY;
    const candidates = options.candidates ?? capacity;
    const problems: string[] = [];
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 100_000)
      problems.push(`capacity must be an integer from 1 to 100000, got ${String(capacity)}`);
    if (!Number.isInteger(candidates) || candidates < 1 || candidates > 1_000_000)
      problems.push(`candidates must be an integer from 1 to 1000000, got ${String(candidates)}`);
    if (problems.length > 0) throw new MulticlassOptionsError('vocabulary', problems);
    return new ClassVocabulary('learned', capacity, candidates);
  }

  /** Rows in use: always rows 0..activeCount−1. */
  get activeCount(): number {
    return this.active;
  }

  /** The row of `name`, or OTHER_ROW when it has none. */
  indexOf(name: string): number {
    return this.rows.get(name) ?? OTHER_ROW;
  }

  /** Whether `name` has a row of its own. */
  has(name: string): boolean {
    return this.rows.has(name);
  }

  /** The class of `row`, or null for a free or out-of-range row. */
  nameAt(row: number): string | null {
    return this.names[row] ?? null;
  }

  /** The class of each row in use, in row order ("__other__" first). */
  classNames(): string[] {
    return this.names.slice(0, this.active) as string[];
  }

  /** The space-saving count of `name` (an overestimate by at most its error); 0 when untracked. */
  countOf(name: string): number {
    return this.counters?.get(name)?.count ?? 0;
  }

  /**
   * Counts one occurrence of `name` and returns the row it trains: its own, or OTHER_ROW. When a row
   * is (re)assigned, `onAssign` runs first. Declared vocabularies only look the name up.
   */
  observe(name: string, onAssign?: RowListener): number {
    const counters = this.counters;
    if (counters === null || name === OTHER_CLASS) return this.indexOf(name);
    let counter = counters.get(name);
    if (counter === undefined) {
      let inherited = 0;
      if (counters.size >= this.capacity + this.candidates) {
        const victim = this.leastTracked();
        counters.delete(victim.name);
        inherited = victim.count;
      }
      counter = { name, count: inherited, error: inherited, row: -1 };
      counters.set(name, counter);
    }
    counter.count += 1;
    if (counter.row >= 0) {
      if (counter === this.weakest) this.weakest = null;
      return counter.row;
    }
    if (this.active < this.size) {
      this.take(counter, this.active++, null, onAssign);
    } else {
      const weakest = this.weakestKept();
      if (counter.count - counter.error > weakest.count) {
        const row = weakest.row;
        weakest.row = -1;
        this.rows.delete(weakest.name);
        this.take(counter, row, weakest.name, onAssign);
      }
    }
    return counter.row >= 0 ? counter.row : OTHER_ROW;
  }

  toJSON(): VocabularyJson {
    if (this.counters === null) return { kind: 'declared', classes: this.names.slice(1) as string[] };
    const entries = [...this.counters.values()].map((c): VocabularyEntry => [c.name, c.count, c.error, c.row]);
    return { kind: 'learned', capacity: this.capacity, candidates: this.candidates, entries };
  }

  /** The vocabulary `toJSON` wrote (it travels in artifacts, hence ArtifactError when unusable). */
  static fromJSON(json: unknown): ClassVocabulary {
    const j = json as Partial<Record<string, unknown>> | null;
    try {
      if (j?.kind === 'declared' && Array.isArray(j.classes)) return ClassVocabulary.declared(j.classes as string[]);
      if (j?.kind !== 'learned' || !Array.isArray(j.entries))
        throw new ArtifactError('the vocabulary is neither declared (classes) nor learned (entries)');
      const vocabulary = ClassVocabulary.learned({
        capacity: j.capacity as number,
        candidates: j.candidates as number,
      });
      vocabulary.restoreEntries(j.entries as unknown[]);
      return vocabulary;
    } catch (cause) {
      if (cause instanceof ArtifactError) throw cause;
      throw new ArtifactError('the stored vocabulary is invalid', { cause });
    }
  }

  private restoreEntries(entries: readonly unknown[]): void {
    const counters = this.counters as Map<string, Counter>;
    if (entries.length > this.capacity + this.candidates)
      throw new ArtifactError(`the vocabulary tracks ${entries.length} names, more than capacity + candidates`);
    for (const entry of entries) {
      const [name, count, error, row] = Array.isArray(entry) ? (entry as unknown[]) : [];
      const valid =
        typeof name === 'string' &&
        name !== '' &&
        name !== OTHER_CLASS &&
        !counters.has(name) &&
        typeof count === 'number' &&
        Number.isFinite(count) &&
        typeof error === 'number' &&
        error >= 0 &&
        error <= count &&
        typeof row === 'number' &&
        Number.isInteger(row) &&
        row >= -1 &&
        row <= this.capacity &&
        row !== OTHER_ROW;
      if (!valid) throw new ArtifactError(`vocabulary entry ${JSON.stringify(entry)} is invalid (or tracked twice)`);
      const counter: Counter = { name, count, error, row };
      counters.set(name, counter);
      if (row > 0) {
        if (this.names[row] !== null) throw new ArtifactError(`vocabulary row ${row} is held twice`);
        this.assign(name, row);
        this.active++;
      }
    }
    for (let row = 1; row < this.active; row++)
      if (this.names[row] === null) throw new ArtifactError(`vocabulary rows are not contiguous: row ${row} is free`);
  }

  private take(counter: Counter, row: number, displaced: string | null, onAssign: RowListener | undefined): void {
    counter.row = row;
    this.assign(counter.name, row);
    this.weakest = null;
    onAssign?.(row, displaced, counter.name);
  }

  private assign(name: string, row: number): void {
    this.names[row] = name;
    this.rows.set(name, row);
  }

  private weakestKept(): Counter {
    if (this.weakest === null) this.weakest = this.least((c) => c.row >= 0);
    return this.weakest;
  }

  /** The tracked name without a row with the lowest count: the one space-saving replaces. */
  private leastTracked(): Counter {
    return this.least((c) => c.row < 0);
  }

  private least(eligible: (c: Counter) => boolean): Counter {
    let best: Counter | null = null;
    for (const c of (this.counters as Map<string, Counter>).values())
      if (eligible(c) && (best === null || c.count < best.count)) best = c;
    if (best === null) throw new InvariantError('vocabulary invariant broken: no eligible entry'); // unreachable: candidates ≥ 1
    return best;
  }
}

function classProblems(classes: readonly unknown[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  classes.forEach((name, i) => {
    if (typeof name !== 'string' || name === '')
      problems.push(`class ${i} is ${JSON.stringify(name)}: class names are non-empty strings`);
    else if (name === OTHER_CLASS)
      problems.push(`class ${i} is "${OTHER_CLASS}", which is reserved for labels outside the vocabulary`);
    else if (seen.has(name)) problems.push(`class "${name}" is declared twice`);
    else seen.add(name);
  });
  return problems;
}
