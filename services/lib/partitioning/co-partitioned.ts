// Partition assignment for state that spans topics: partition p of every subscribed topic goes to
// the same group member, so an entity keyed into partition p of several product topics has all its
// state on one instance, and a lookup routed by the entity's partition number finds all of it
// there. kafkajs's round-robin assigner only does this by accident (when partition counts line up),
// and Kafka Streams' equivalent is not available in JavaScript, so this assigner is our own.
import { AssignerProtocol, type Assignment, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITIONED = 'LooperCoPartitioned';

/**
 * Partition number p of every topic → the (p mod members)-th member in id order. Pure: the group
 * leader computes it, and every member could recompute it from the same inputs.
 */
export function assignCoPartitioned(
  memberIds: readonly string[],
  partitionsByTopic: Readonly<Record<string, readonly number[]>>,
): Map<string, Assignment> {
  const members = [...memberIds].sort();
  const plan = new Map<string, Assignment>(members.map((m) => [m, {}]));
  if (members.length === 0) return plan;
  for (const topic of Object.keys(partitionsByTopic).sort()) {
    for (const partition of [...partitionsByTopic[topic]!].sort((a, b) => a - b)) {
      const assignment = plan.get(members[partition % members.length]!)!;
      (assignment[topic] ??= []).push(partition);
    }
  }
  return plan;
}

/** The partition numbers an assignment holds in any topic: the lookup subjects an instance answers. */
export function partitionNumbers(assigned: ReadonlyArray<{ partition: number }>): number[] {
  return [...new Set(assigned.map((a) => a.partition))].sort((a, b) => a - b);
}

export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED,
  version: 0,
  async assign({ members, topics }) {
    const partitionsByTopic = Object.fromEntries(
      topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)]),
    );
    const plan = assignCoPartitioned(
      members.map((m) => m.memberId),
      partitionsByTopic,
    );
    return members.map(({ memberId }) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: plan.get(memberId) ?? {},
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
