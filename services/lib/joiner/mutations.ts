// What a joiner step changes in the store: written by the service in one batch together with the
// offsets of the records that produced it, so state and position commit together.
import type { Example } from '../schemas/generated.js';

export interface Mutations {
  /** Keys to write, with their values (index and timer keys have an empty value). */
  put: Array<[key: string, value: Uint8Array]>;
  /** Keys to delete. No key is both put and deleted by one step. */
  del: string[];
}

/** Why a record produced no example. */
export type IgnoreReason =
  /** The decision is already pending or done. */
  | 'duplicate_decision'
  /** The decision already has its example, or an early outcome is already kept for it. */
  | 'duplicate_outcome'
  /** The outcome came later than the decision's label window. */
  | 'late_outcome'
  /** The label reads a field the outcome or event lacks, or that is not a number. */
  | 'no_label_value'
  /** The outcome came from a source the decision's label does not read (e.g. looper.outcomes for a label on a product topic). */
  | 'wrong_source'
  /** The window closed without an outcome and the blueprint declares no `missing` label. */
  | 'closed_without_label'
  /** A ranking outcome names no candidate, or one the decision did not show. */
  | 'unknown_candidate';

export interface Ignored {
  decisionId: string;
  reason: IgnoreReason;
}

/** The result of every joiner step: examples to produce on looper.examples, and the store changes. */
export interface JoinResult {
  examples: Example[];
  mutations: Mutations;
  /** Records (or closed windows) that made no example, and why: for metrics and logs. */
  ignored: Ignored[];
}

export const EMPTY_VALUE: Uint8Array = Buffer.alloc(0);

export function emptyResult(): JoinResult {
  return { examples: [], mutations: { put: [], del: [] }, ignored: [] };
}

/** Folds `next` into `into` (mutating it): later steps win, so a key put then deleted ends up deleted. */
export function addResult(into: JoinResult, next: JoinResult): JoinResult {
  into.examples.push(...next.examples);
  into.ignored.push(...next.ignored);
  const deleted = new Set(next.mutations.del);
  const written = new Set(next.mutations.put.map(([key]) => key));
  into.mutations.put = into.mutations.put
    .filter(([key]) => !deleted.has(key) && !written.has(key))
    .concat(next.mutations.put);
  into.mutations.del = into.mutations.del
    .filter((key) => !written.has(key) && !deleted.has(key))
    .concat(next.mutations.del);
  return into;
}
