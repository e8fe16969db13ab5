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

// ListOffsets v0-5: -2 earliest, -1 latest (the high watermark, which is also the last stable offset
// since there are no transactions), otherwise the first offset with a timestamp at or after it.
export function createListOffsetsHandler(ctx: BrokerContext): Handler<2> {
  return (req) => {
    const res: ListOffsetsResponse = {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const found = leaderReplica(ctx, t.name, p.partitionIndex);
          if ("errorCode" in found) return entry(p.partitionIndex, found.errorCode);
          const r = found.replica.listOffset(Number(p.timestamp));
          if (r.errorCode !== 0) return entry(p.partitionIndex, r.errorCode);
          // No record at or after the timestamp: offset and epoch stay -1, as in Kafka.
          const epoch = r.offset >= 0 ? found.replica.leaderEpoch : -1;
          return entry(p.partitionIndex, 0, r.offset, r.timestamp, epoch);
        }),
      })),
    };
    return res;
  };
}
