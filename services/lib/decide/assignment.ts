// Deterministic assignment of entities to shares (a canary's share, experiment arms): no state, so
// every predictor replica puts an entity on the same side, and it stays there across requests and
// restarts. It runs on the decide path, so it neither allocates nor concatenates strings.
//
// The hash is FNV-1a over the UTF-8 bytes of salt + '\u0000' + entity, then murmur3's 32-bit
// finalizer. Bytes rather than UTF-16 units so an analysis in another language can recompute an
// assignment; the finalizer because FNV-1a alone mixes its last bytes poorly, and "user-17" /
// "user-18" must land far apart. Keep it byte-for-byte stable: changing it moves every entity.

import { LooperError } from '../errors.js';
import { FNV_OFFSET, FNV_PRIME, fnv1aFold } from '../learners/hash.js';

const TWO_TO_32 = 0x1_0000_0000;
/** How far shares may sum from 1 (decimal shares such as 0.1 + 0.2 do not add up exactly). */
export const SHARE_TOLERANCE = 1e-9;

/** An arm and the fraction of entities it receives, in [0, 1]. */
export interface Arm {
  readonly name: string;
  readonly share: number;
}

/** Arms whose shares are not finite, negative, or do not sum to 1. */
export class AssignmentError extends LooperError {
  constructor(message: string) {
    super('invalid_shares', message);
    this.name = 'AssignmentError';
  }
}

/**
 * The 32-bit assignment hash of `entity` under `saltPrefix + salt` (unsigned). The prefix lets a
 * caller salt with e.g. 'canary:' + blueprint without building that string on every request.
 */
export function assignmentHash(entity: string, salt: string, saltPrefix = ''): number {
  let h = fnv1aFold(fnv1aFold(FNV_OFFSET, saltPrefix), salt);
  h = Math.imul(h, FNV_PRIME); // the '\u0000' separator: "ab"+"c" and "a"+"bc" differ
  h = fnv1aFold(h, entity);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Where `entity` falls in [0, 1) under `saltPrefix + salt`; uniform over entities, fixed per entity. */
export function shareOf(entity: string, salt: string, saltPrefix = ''): number {
  return assignmentHash(entity, salt, saltPrefix) / TWO_TO_32;
}

/**
 * The arm `entity` belongs to: arms take consecutive slices of [0, 1) in the order given, each as
 * wide as its share. Throws AssignmentError unless every share is finite and ≥ 0 and they sum to 1.
 */
export function pickArm(entity: string, salt: string, arms: readonly Arm[]): string {
  let total = 0;
  for (const arm of arms) {
    if (!Number.isFinite(arm.share) || arm.share < 0)
      throw new AssignmentError(`arm "${arm.name}" has share ${arm.share}: each share must be a number in [0, 1]`);
    total += arm.share;
  }
  if (arms.length === 0 || Math.abs(total - 1) > SHARE_TOLERANCE) {
    const listed = arms.map((a) => `${a.name} ${a.share}`).join(', ');
    throw new AssignmentError(
      `arm shares must sum to 1, got ${total} (${listed || 'no arms'}): adjust the shares so they add up to 100%`,
    );
  }
  const u = shareOf(entity, salt);
  let cumulative = 0;
  for (const arm of arms) {
    cumulative += arm.share;
    if (u < cumulative) return arm.name;
  }
  // Shares summing to just under 1 leave a sliver at the top: it belongs to the last real arm.
  for (let i = arms.length - 1; i >= 0; i--) if (arms[i]!.share > 0) return arms[i]!.name;
  throw new AssignmentError('unreachable: shares summing to 1 include a positive one');
}
