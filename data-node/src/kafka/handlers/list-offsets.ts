import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import type {
  ListOffsetsPartitionResponse,
  ListOffsetsResponse,
} from "../protocol/generated/list-offsets-response.ts";
import { leaderReplica } from "./replica-lookup.ts";

function entry(
  partitionIndex: number,
  errorCode: number,
  offset = -1,
  timestamp = -1,
  leaderEpoch = -1,
): ListOffsetsPartitionResponse {
  return {
    partitionIndex,
    errorCode,
    // v0 answers a list; one offset is what every v0 client asks for (max_num_offsets 1).
    oldStyleOffsets: errorCode === 0 && offset >= 0 ? [BigInt(offset)] : [],
    timestamp: BigInt(timestamp),
    offset: BigInt(offset),
    leaderEpoch,
  };
}

// ListOffsets v0-7: -2 earliest, -1 latest (the high watermark, which is also the last stable offset
// since there are no transactions), -3 the record with the largest timestamp (v7, KIP-734), otherwise
// the first offset with a timestamp at or after it. v6 is v5 in the flexible encoding.
export function createListOffsetsHandler(ctx: BrokerContext): Handler<2> {
  return (req) => {
    const res: ListOffsetsResponse = {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const found = leaderReplica(ctx, t.name, p.partitionIndex, p.currentLeaderEpoch);
          if ("errorCode" in found) return entry(p.partitionIndex, found.errorCode);
          const r = found.replica.listOffset(Number(p.timestamp));
          if (r.errorCode !== 0) return entry(p.partitionIndex, r.errorCode);
          return entry(p.partitionIndex, 0, r.offset, r.timestamp, r.leaderEpoch);
        }),
      })),
    };
    return res;
  };
}
