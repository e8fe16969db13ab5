import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import type { OffsetForLeaderEpochResponse } from "../protocol/generated/offset-for-leader-epoch-response.ts";
import { leaderReplica } from "./replica-lookup.ts";

// OffsetForLeaderEpoch v0-4 (KIP-101, KIP-320): for each partition, the largest epoch at or below the
// requested one and the offset where it ends in the leader's log. Consumers ask after a leader change,
// with the epoch of the last record they consumed, and see a truncated log when the answer is below
// their position. Only the leader answers, whoever asks (replica_id, v3+, changes nothing); v2+
// fences a stale or future current_leader_epoch.
export function createOffsetForLeaderEpochHandler(ctx: BrokerContext): Handler<23> {
  return (req) => {
    const res: OffsetForLeaderEpochResponse = {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const found = leaderReplica(ctx, t.topic, p.partition, p.currentLeaderEpoch);
          const r =
            "replica" in found
              ? found.replica.endOffsetForEpoch(p.leaderEpoch)
              : { errorCode: found.errorCode, leaderEpoch: -1, endOffset: -1 };
          return {
            errorCode: r.errorCode,
            partition: p.partition,
            leaderEpoch: r.leaderEpoch,
            endOffset: BigInt(r.endOffset),
          };
        }),
      })),
    };
    return res;
  };
}
