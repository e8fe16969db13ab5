import { ErrorCode } from "../kafka/protocol/errors.ts";

// The group coordinator uses the broker's Kafka error codes; re-exported for the group modules.
export { ErrorCode };

// Maps a failed append to the error a group client understands, as Kafka's coordinator does:
// an error with a numeric `errorCode` is translated; anything else (not enough replicas, timeouts,
// unknown partition, plain exceptions) means "coordinator not available" so the client retries.
export function appendErrorCode(err: unknown): number {
  const code =
    typeof err === "object" && err !== null && typeof (err as { errorCode?: unknown }).errorCode === "number"
      ? (err as { errorCode: number }).errorCode
      : -1;
  switch (code) {
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
    case ErrorCode.NOT_COORDINATOR:
      return ErrorCode.NOT_COORDINATOR;
    // Already coordinator errors: the client knows what to do with them.
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      return code;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
}
