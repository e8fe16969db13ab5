import { deleteRecords } from "../../partition/delete-records.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import type { DeleteRecordsPartitionResult } from "../protocol/generated/delete-records-response.ts";
import { leaderReplica } from "./replica-lookup.ts";

// DeleteRecords v0-2 (v2 is v1 in the flexible encoding): each partition's log start offset moves
// forward on its leader, which answers the new low watermark; reads below it are then out of range.
export function createDeleteRecordsHandler(ctx: BrokerContext): Handler<21> {
  return async (req) => ({
    throttleTimeMs: 0,
    topics: await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p): Promise<DeleteRecordsPartitionResult> => {
            const result = (errorCode: number, lowWatermark = -1) => ({
              partitionIndex: p.partitionIndex,
              lowWatermark: BigInt(lowWatermark),
              errorCode,
            });
            const found = leaderReplica(ctx, t.name, p.partitionIndex);
            const replica = ctx.partition(t.name, p.partitionIndex);
            if ("errorCode" in found || !replica) return result("errorCode" in found ? found.errorCode : 6);
            const r = await deleteRecords(replica, Number(p.offset), req.timeoutMs);
            return result(r.errorCode, r.lowWatermark);
          }),
        ),
      })),
    ),
  });
}
