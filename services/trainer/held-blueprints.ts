// Which blueprints this trainer instance learns. Examples are keyed by blueprint name, so all of a
// blueprint's examples are in one partition of looper.examples and the consumer group gives that
// partition — and with it the blueprint — to exactly one trainer instance. Two instances learning
// one blueprint would each see part of its examples and publish competing versions.
//
// Whether a blueprint is held is decided by where its name hashes (partitionOfKey, the producers'
// own partitioner), never by the partition a record came from: records written before examples
// were keyed by blueprint are keyed by entity and sit in any partition, and must reach only the
// instance that holds their blueprint.
//
// Pure: main.ts feeds it the group's assignments.
import { partitionOfKey } from '../lib/partitioning/key-partition.js';

/** The partitions of `topic` in a kafkajs GROUP_JOIN `memberAssignment`, ascending. */
export function assignedPartitions(
  memberAssignment: Readonly<Record<string, readonly number[]>>,
  topic: string,
): number[] {
  return [...(memberAssignment[topic] ?? [])].sort((a, b) => a - b);
}

/** An assignment of looper.examples to this instance. */
export interface ExamplesAssignment {
  /** The partitions this instance reads. */
  readonly partitions: Iterable<number>;
  /** How many partitions the topic has: where a blueprint's name hashes depends on it. */
  readonly partitionCount: number;
}

export class HeldBlueprints {
  private held: ReadonlySet<number> = new Set();
  private partitionCount = 1;
  /** Blueprint name → its partition, for the current partition count: asked for every example. */
  private readonly partitionOfBlueprint = new Map<string, number>();

  /** The partitions held now, ascending; none until the group assigns some. */
  get partitions(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** The partition of looper.examples that holds a blueprint's examples. */
  partitionOf(blueprint: string): number {
    let partition = this.partitionOfBlueprint.get(blueprint);
    if (partition === undefined) {
      partition = partitionOfKey(blueprint, this.partitionCount);
      this.partitionOfBlueprint.set(blueprint, partition);
    }
    return partition;
  }

  /** Whether this instance learns `blueprint`: its examples' partition is assigned here. */
  holds(blueprint: string): boolean {
    return this.held.has(this.partitionOf(blueprint));
  }

  /**
   * Takes the group's new assignment and returns, in the order given, the blueprints among
   * `trainers` (those with a trainer in memory) it no longer holds: their trainers are dropped
   * without publishing, as the instance now holding them continues their newest published version.
   */
  reassign(assignment: ExamplesAssignment, trainers: Iterable<string>): string[] {
    const { partitionCount } = assignment;
    if (!Number.isInteger(partitionCount) || partitionCount < 1)
      throw new RangeError(`a topic has a whole number of partitions ≥ 1, not ${partitionCount}`);
    if (partitionCount !== this.partitionCount) {
      this.partitionCount = partitionCount;
      this.partitionOfBlueprint.clear();
    }
    this.held = new Set(assignment.partitions);
    return [...trainers].filter((blueprint) => !this.holds(blueprint));
  }
}
