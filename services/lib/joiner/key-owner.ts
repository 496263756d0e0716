// Which input partition each joiner record belongs to, so that its changelog record goes to that
// partition and the instance given the partition restores it (see services/joiner/main.ts). A
// decision's records follow its decision id — drawn to share its entity's partition
// (partitioning/decision-id.ts), which is also where its outcomes arrive — and a recent event
// follows its entity, the key of the label topic it came from.
import { partitionOfKey } from '../partitioning/key-partition.js';
import { OFFSET_PREFIX } from '../stateful-consumer.js';

const OUTBOX_PREFIX = '~outbox/';

/** The Kafka key (decision id or entity) a joiner record's partition follows; null when it has none. */
export function ownerKey(key: string): string | null {
  const split = key.split('/');
  switch (split[0]) {
    case 'p':
    case 'd':
    case 'o':
      return split.length === 2 ? decodeURIComponent(split[1]!) : null;
    case 'c':
      return split.length === 3 ? decodeURIComponent(split[2]!) : null;
    case 'e':
      return split.length === 4 ? decodeURIComponent(split[3]!) : null;
    case 'v':
      return split.length === 5 ? decodeURIComponent(split[2]!) : null;
    case 'f':
      // f/<forgetAt>/v/<the recent event's whole key> or f/<forgetAt>/<d|o>/<decision id>
      if (split[2] === 'v') return ownerKey(decodeURIComponent(split.slice(3).join('/')));
      return split.length === 4 ? decodeURIComponent(split[3]!) : null;
    default:
      // An example's id starts with its decision id.
      if (key.startsWith(OUTBOX_PREFIX)) return key.slice(OUTBOX_PREFIX.length).split('/')[0] ?? null;
      return null;
  }
}

/** The input partition a joiner record belongs to; null for records of no partition. */
export function recordPartition(key: string, partitions: number): number | null {
  if (key.startsWith(OFFSET_PREFIX)) {
    const partition = Number(key.slice(key.lastIndexOf('/') + 1));
    return Number.isInteger(partition) ? partition % partitions : null;
  }
  const owner = ownerKey(key);
  return owner === null ? null : partitionOfKey(owner, partitions);
}
