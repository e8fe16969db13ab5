import { assignableBrokers } from "./assignment.ts";
import type { MetaImage } from "./image.ts";
import type { PartitionAssignment } from "./records.ts";

// CreateTopics with the client's own replica assignment, checked as Kafka's controller checks it.

export interface ReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

export type ManualAssignmentError = { error: "INVALID_REPLICA_ASSIGNMENT"; message: string };

const invalid = (message: string): ManualAssignmentError => ({
  error: "INVALID_REPLICA_ASSIGNMENT",
  message,
});

// Partitions numbered 0..n-1, each once, with the same number of distinct registered brokers, at least
// one of them active (unfenced, not shutting down). The first broker listed is the preferred leader; the
// first active one leads until the partition's Raft group elects.
export function manualAssignment(
  image: MetaImage,
  assignments: readonly ReplicaAssignment[],
): PartitionAssignment[] | ManualAssignmentError {
  const active = new Set(assignableBrokers(image));
  const byPartition = new Map<number, PartitionAssignment>();
  let replicationFactor: number | undefined;
  for (const { partitionIndex, brokerIds } of assignments) {
    if (byPartition.has(partitionIndex))
      return invalid(`partition ${partitionIndex} is assigned more than once`);
    if (brokerIds.length === 0) return invalid(`partition ${partitionIndex} has an empty replica list`);
    const unknown = brokerIds.find((id) => image.broker(id) === undefined);
    if (unknown !== undefined) return invalid(`broker ${unknown} is not registered`);
    const repeated = brokerIds.find((id, i) => brokerIds.indexOf(id) !== i);
    if (repeated !== undefined)
      return invalid(`partition ${partitionIndex} lists broker ${repeated} more than once`);
    if (replicationFactor !== undefined && brokerIds.length !== replicationFactor) {
      return invalid(
        `partition ${partitionIndex} has ${brokerIds.length} replicas, the partitions before it ${replicationFactor}`,
      );
    }
    replicationFactor = brokerIds.length;
    const isr = brokerIds.filter((id) => active.has(id));
    if (isr.length === 0)
      return invalid(`every broker of partition ${partitionIndex} is fenced or shutting down`);
    byPartition.set(partitionIndex, {
      partition: partitionIndex,
      replicas: [...brokerIds],
      leader: isr[0],
      leaderEpoch: 0,
      isr,
    });
  }
  const out: PartitionAssignment[] = [];
  for (let i = 0; i < byPartition.size; i++) {
    const p = byPartition.get(i);
    if (!p) return invalid("partitions must be numbered 0 to n-1");
    out.push(p);
  }
  return out;
}
