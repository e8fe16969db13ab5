import { setTimeout as sleep } from "node:timers/promises";
import { PartitionError, type PartitionReplica } from "./partition.ts";

export interface DeleteRecordsOutcome {
  errorCode: number;
  lowWatermark: number;
}

// Kafka's DeleteRecords on the partition leader: the log start offset moves up to `offset` (-1: the
// high watermark) on every replica, through a control entry in the partition's Raft log. Answers once
// this leader has moved it (the entry is then on a majority), with the new low watermark.
export async function deleteRecords(
  replica: PartitionReplica,
  offset: number,
  timeoutMs: number,
): Promise<DeleteRecordsOutcome> {
  const failed = (errorCode: number) => ({ errorCode, lowWatermark: -1 });
  if (!replica.isLeader || !replica.control) return failed(PartitionError.NOT_LEADER_OR_FOLLOWER);
  const hw = replica.highWatermark;
  const target = offset === -1 ? hw : offset;
  if (target < 0 || target > hw) return failed(PartitionError.OFFSET_OUT_OF_RANGE);
  if (target <= replica.log.logStartOffset())
    return { errorCode: 0, lowWatermark: replica.log.logStartOffset() };
  const timeout = sleep(Math.max(1, timeoutMs), "timeout" as const, { ref: false });
  try {
    const r = await Promise.race([replica.control.deleteRecords(replica.group, target), timeout]);
    if (r === "timeout") return failed(PartitionError.REQUEST_TIMED_OUT);
    if (!r) return failed(PartitionError.NOT_LEADER_OR_FOLLOWER);
  } catch {
    // The proposal was lost to a leadership change: the client retries on the new leader.
    return failed(PartitionError.NOT_LEADER_OR_FOLLOWER);
  }
  return { errorCode: 0, lowWatermark: replica.log.logStartOffset() };
}
