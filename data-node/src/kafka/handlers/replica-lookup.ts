import type { PartitionReplica } from "../../partition/partition.ts";
import type { BrokerContext } from "../broker-context.ts";
import { ErrorCode } from "../protocol/errors.ts";

// The part of a partition replica the data handlers use (tests fake exactly this).
export type DataReplica = Pick<
  PartitionReplica,
  "produce" | "read" | "waitForData" | "listOffset" | "isLeader" | "leaderEpoch" | "highWatermark"
>;

export type Lookup = { replica: DataReplica } | { errorCode: number };

// The local leader replica of a partition, or the error Kafka answers: UNKNOWN_TOPIC_OR_PARTITION
// when the cluster has no such partition, NOT_LEADER_OR_FOLLOWER when it lives elsewhere (or this
// replica is a follower, or a stale image cannot tell) so the client refreshes its metadata.
export function leaderReplica(ctx: BrokerContext, topic: string, partition: number): Lookup {
  const replica = ctx.partition(topic, partition);
  if (replica) {
    return replica.isLeader ? { replica } : { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  }
  const known = ctx.metadata.topic(topic)?.partitions.some((p) => p.partitionIndex === partition);
  const elsewhere = known || !ctx.metadata.current();
  return { errorCode: elsewhere ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
}
