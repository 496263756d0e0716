// Hashing of sequence items and feature values as text, without allocating: a string is folded as
// is, a number as String(n) would write it. Integers (the usual item ids) are folded digit by digit
// from a scratch buffer; other numbers go through String() (rare, and the only allocation here).
// The text is what a scorer in another language must hash: JavaScript's shortest round-trip
// decimal form for numbers (3 → "3", 0.5 → "0.5", -0 → "0").

import { FNV_PRIME, fnv1aFold } from '../learners/hash.js';

const DIGITS = new Uint8Array(20); // a safe integer has at most 16 digits

/** Folds the text of `item` into an FNV-1a state. */
export function foldItem(state: number, item: string | number): number {
  return typeof item === 'string' ? fnv1aFold(state, item) : foldNumber(state, item);
}

/** Folds String(n) into an FNV-1a state; safe integers without building the string. */
export function foldNumber(state: number, n: number): number {
  if (!Number.isSafeInteger(n)) return fnv1aFold(state, String(n));
  let hash = state;
  let v = n;
  if (v < 0) {
    hash = Math.imul(hash ^ 0x2d, FNV_PRIME); // '-'
    v = -v;
  }
  let length = 0;
  do {
    const digit = v % 10;
    DIGITS[length++] = 0x30 + digit;
    v = (v - digit) / 10;
  } while (v > 0);
  for (let i = length - 1; i >= 0; i--) hash = Math.imul(hash ^ (DIGITS[i] as number), FNV_PRIME);
  return hash;
}

/** Folds one byte (a separator) into an FNV-1a state. */
export function foldByte(state: number, byte: number): number {
  return Math.imul(state ^ byte, FNV_PRIME);
}

/** A usable item of a sequence or category value: a string, or a finite number; null otherwise. */
export function itemOf(value: unknown): string | number | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return null;
}
