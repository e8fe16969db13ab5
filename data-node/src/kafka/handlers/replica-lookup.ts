import type { PartitionReplica } from "../../partition/partition.ts";
import type { BrokerContext } from "../broker-context.ts";
import { ErrorCode } from "../protocol/errors.ts";

// The part of a partition replica the data handlers use (tests fake exactly this).
export type DataReplica = Pick<
  PartitionReplica,
  | "produce"
  | "read"
  | "waitForData"
  | "listOffset"
  | "endOffsetForEpoch"
  | "isLeader"
  | "leaderEpoch"
  | "highWatermark"
>;

export type Lookup = { replica: DataReplica } | { errorCode: number };

// The local leader replica of a partition, or the error Kafka answers: UNKNOWN_TOPIC_OR_PARTITION
// when the cluster has no such partition, NOT_LEADER_OR_FOLLOWER when it lives elsewhere (or this
// replica is a follower, or a stale image cannot tell) so the client refreshes its metadata.
// `currentLeaderEpoch` (the client's, from its metadata; -1: unknown) must be this replica's epoch:
// an older one is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH (KIP-320), checked first.
export function leaderReplica(
  ctx: BrokerContext,
  topic: string,
  partition: number,
  currentLeaderEpoch = -1,
): Lookup {
  const replica = ctx.partition(topic, partition);
  if (replica) {
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < replica.leaderEpoch)
      return { errorCode: ErrorCode.FENCED_LEADER_EPOCH };
    if (currentLeaderEpoch > replica.leaderEpoch) return { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH };
    return replica.isLeader ? { replica } : { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  }
  const known = ctx.metadata.topic(topic)?.partitions.some((p) => p.partitionIndex === partition);
  const elsewhere = known || !ctx.metadata.current();
  return { errorCode: elsewhere ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
}
