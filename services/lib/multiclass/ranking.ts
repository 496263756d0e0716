// The shared tail of every multi-class scorer: softmax over the rows in use, top-k selection and the
// rank of a class, all in place on caller buffers. Rows in use are 0..active−1 (vocabulary.ts);
// rows past them are written 0. Ties always go to the lower row, in topK and rankOf alike, so a
// metric computed from rankOf agrees with what topK served.

import { ScoringArgumentError } from './errors.js';

/** Turns logits[0..active) into probabilities (max subtracted first: no overflow); zeroes rows active..rows. */
export function softmaxInPlace(logits: Float64Array, active: number, rows: number): void {
  let max = -Infinity;
  for (let r = 0; r < active; r++) if ((logits[r] as number) > max) max = logits[r] as number;
  let sum = 0;
  for (let r = 0; r < active; r++) {
    const e = Math.exp((logits[r] as number) - max);
    logits[r] = e;
    sum += e;
  }
  for (let r = 0; r < active; r++) logits[r] = (logits[r] as number) / sum;
  logits.fill(0, active, rows);
}

/** Checks a probability buffer: `method` names the caller in the message. */
export function checkProbaBuffer(method: string, out: Float64Array, rows: number): void {
  if (!(out instanceof Float64Array) || out.length < rows) {
    throw new ScoringArgumentError(
      method,
      `out must be a Float64Array of at least ${rows} entries (the model's rows), got ${describe(out)}`,
    );
  }
}

/** Checks the arguments of a topK call. */
export function checkTopK(method: string, k: number, outRows: Int32Array, outProb: Float64Array): void {
  if (!Number.isInteger(k) || k < 1)
    throw new ScoringArgumentError(method, `k must be an integer ≥ 1, got ${String(k)}`);
  if (!(outRows instanceof Int32Array) || outRows.length < k)
    throw new ScoringArgumentError(
      method,
      `outRows must be an Int32Array of at least k = ${k} entries, got ${describe(outRows)}`,
    );
  if (!(outProb instanceof Float64Array) || outProb.length < k)
    throw new ScoringArgumentError(
      method,
      `outProb must be a Float64Array of at least k = ${k} entries, got ${describe(outProb)}`,
    );
}

/**
 * Writes the k most probable of rows 0..active−1 into outRows/outProb, best first, ties to the lower
 * row; returns how many were written (min(k, active)). Insertion into the k-long output: O(active·k)
 * worst case, about O(active) for the small k served.
 */
export function selectTopK(
  proba: Float64Array,
  active: number,
  k: number,
  outRows: Int32Array,
  outProb: Float64Array,
): number {
  let n = 0;
  for (let r = 0; r < active; r++) {
    const p = proba[r] as number;
    if (n === k && p <= (outProb[k - 1] as number)) continue;
    let at = n < k ? n++ : k - 1;
    while (at > 0 && (outProb[at - 1] as number) < p) {
      outRows[at] = outRows[at - 1] as number;
      outProb[at] = outProb[at - 1] as number;
      at--;
    }
    outRows[at] = r;
    outProb[at] = p;
  }
  return n;
}

/** The 1-based rank of `row` among rows 0..active−1 as selectTopK orders them (ties: lower row first). */
export function rankOf(proba: Float64Array, active: number, row: number): number {
  const p = proba[row] ?? 0;
  let rank = 1;
  for (let r = 0; r < active; r++) {
    const q = proba[r] as number;
    if (q > p || (q === p && r < row)) rank++;
  }
  return rank;
}

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length: number }).length})`;
  return value === null ? 'null' : typeof value;
}
