// Where Kafka puts a keyed record: the partition the Java client's default partitioner chooses,
// toPositive(murmur2(UTF-8 bytes of the key)) mod partitions, which kafkajs's DefaultPartitioner
// reproduces. Services that must find a key's partition without producing it — a feature lookup
// routed to the instance that holds the entity, a decision id drawn to share its entity's
// partition, a trainer knowing which blueprints it holds — ask here. Written out rather than
// taken from kafkajs, which does not export its murmur2 and whose partitioner allocates on every
// call; the tests hold it to Kafka's own murmur2 values and to kafkajs's partitioner.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** Kafka's murmur2 of a key's UTF-8 bytes, as a signed 32-bit integer (Utils.murmur2 in the Java client). */
export function murmur2(key: string): number {
  if (key.length * 3 > scratch.length) scratch = new Uint8Array(key.length * 3);
  const length = encoder.encodeInto(key, scratch).written;
  const data = scratch;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The tail bytes, as Java's switch with fall-through takes them.
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a record keyed `key` in a topic of `partitions` partitions. */
export function partitionOfKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`a topic has a whole number of partitions ≥ 1, not ${partitions}`);
  return (murmur2(key) & 0x7fffffff) % partitions;
}
