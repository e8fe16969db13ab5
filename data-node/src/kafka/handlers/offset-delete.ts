import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { OffsetDeleteResponse } from "../protocol/generated/offset-delete-response.ts";

// OffsetDelete v0 (KIP-496): partitions the cluster does not have are UNKNOWN_TOPIC_OR_PARTITION, as
// Kafka checks them against its metadata before the coordinator (a stale image cannot tell, so then
// the coordinator judges them all); a group error leaves the topics out.
export function createOffsetDeleteHandler(ctx: BrokerContext): Handler<47> {
  return async (req) => {
    const exists = (topic: string, partition: number) =>
      !ctx.metadata.current() ||
      ctx.metadata.topic(topic)?.partitions.some((p) => p.partitionIndex === partition) === true;
    const known = req.topics.map((t) => ({
      name: t.name,
      partitionIndexes: t.partitions.map((p) => p.partitionIndex).filter((p) => exists(t.name, p)),
    }));
    const result = await ctx.groups.deleteOffsets({ groupId: req.groupId, topics: known }, ctx.now());
    const outcome = (topic: number, partition: number) =>
      result.topics[topic].partitions.find((p) => p.partitionIndex === partition)?.errorCode ??
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const res: OffsetDeleteResponse = {
      errorCode: result.errorCode,
      throttleTimeMs: 0,
      topics:
        result.errorCode !== 0
          ? []
          : req.topics.map((t, i) => ({
              name: t.name,
              partitions: t.partitions.map((p) => ({
                partitionIndex: p.partitionIndex,
                errorCode: outcome(i, p.partitionIndex),
              })),
            })),
    };
    return res;
  };
}
