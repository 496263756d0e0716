// Where Kafka puts a keyed record: the partition the Java client's default partitioner (murmur2 of
// the key's UTF-8 bytes) chooses, which kafkajs's DefaultPartitioner reproduces. Services that
// must find an entity's partition without producing — a feature lookup routed to the instance
// that owns it, a trainer that knows which blueprints it holds — ask here, through the same
// partitioner our producers use, so the answer cannot drift from where records really go.
import { Partitioners, type PartitionMetadata } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();
const layouts = new Map<number, PartitionMetadata[]>();

function layout(partitions: number): PartitionMetadata[] {
  let found = layouts.get(partitions);
  if (!found) {
    found = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0], offlineReplicas: [] }));
    layouts.set(partitions, found);
  }
  return found;
}

/** The partition of a record keyed `key` in a topic of `partitions` partitions. */
export function partitionOfKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`a topic has a whole number of partitions ≥ 1, not ${partitions}`);
  return partitioner({ topic: '', partitionMetadata: layout(partitions), message: { key, value: null } });
}
