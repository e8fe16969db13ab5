import type { OffsetCommitPartition } from "../../groups/types.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { OffsetCommitResponse } from "../protocol/generated/offset-commit-response.ts";

// OffsetCommit v0-8. v0 carries no generation or member (a consumer that only stores offsets);
// v1's per-partition commit timestamp is not kept (the broker stamps commits, as Kafka does from
// v2); v2-4 carry a retention time; v6 adds the leader epoch; v7 the group instance id.
export function createOffsetCommitHandler(ctx: BrokerContext): Handler<8> {
  return async (req, rc) => {
    const v = rc.apiVersion;
    // Partitions of unknown topics are answered here, as Kafka does, and never reach the log.
    const known = (topic: string, partition: number) => {
      const t = ctx.metadata.topic(topic);
      return t !== undefined && partition >= 0 && partition < t.partitions.length;
    };
    const topics: { name: string; partitions: OffsetCommitPartition[] }[] = [];
    for (const t of req.topics) {
      const partitions = t.partitions
        .filter((p) => known(t.name, p.partitionIndex))
        .map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1,
          committedMetadata: p.committedMetadata,
        }));
      if (partitions.length > 0) topics.push({ name: t.name, partitions });
    }
    const errors = new Map<string, number>();
    const keyOf = (topic: string, partition: number) => `${partition}:${topic}`;
    if (topics.length > 0) {
      const retention = v >= 2 && v <= 4 && req.retentionTimeMs >= 0n ? Number(req.retentionTimeMs) : null;
      const result = await ctx.groups.commitOffsets(
        {
          groupId: req.groupId,
          generationId: v >= 1 ? req.generationIdOrMemberEpoch : -1,
          memberId: v >= 1 ? req.memberId : "",
          groupInstanceId: v >= 7 ? req.groupInstanceId : null,
          retentionTimeMs: retention,
          topics,
        },
        ctx.now(),
      );
      for (const t of result.topics)
        for (const p of t.partitions) errors.set(keyOf(t.name, p.partitionIndex), p.errorCode);
    }
    // A stale image cannot tell a new topic from a missing one: ask the client to retry instead.
    const unknown = ctx.metadata.current()
      ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    const res: OffsetCommitResponse = {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: errors.get(keyOf(t.name, p.partitionIndex)) ?? unknown,
        })),
      })),
    };
    return res;
  };
}
