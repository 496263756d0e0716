// Decision ids that land in their entity's partition. Decisions are keyed by entity and outcomes
// by decision id, so with ordinary random ids a decision and its outcome sit in unrelated
// partitions and every joiner instance would need every outcome. An id is instead drawn until its
// own partition equals the entity's (on average as many draws as there are partitions, ~1 µs
// each), so an outcome keyed by its decision id — by the SDK or by any producer using the Java
// client's partitioner — arrives in the partition of its decision, with no repartition step.
import { randomUUID } from 'node:crypto';
import { partitionOfKey } from './key-partition.js';

/** Draws beyond which a plain id is returned (never reached in practice: 1 in e^-100 at 6 partitions). */
const MAX_DRAWS = 600;

export function mintDecisionId(entity: string, partitions: number): string {
  if (partitions <= 1) return randomUUID();
  const home = partitionOfKey(entity, partitions);
  for (let i = 0; i < MAX_DRAWS; i++) {
    const id = randomUUID();
    if (partitionOfKey(id, partitions) === home) return id;
  }
  return randomUUID();
}
