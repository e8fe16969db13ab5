// Kafka error codes the group coordinator produces (values from the Kafka protocol).
export const ErrorCode = {
  NONE: 0,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
} as const;

// Errors an append to `__consumer_offsets` may fail with, as the partition layer reports them.
const MESSAGE_TOO_LARGE = 10;
const NOT_LEADER_OR_FOLLOWER = 6;
const RECORD_LIST_TOO_LARGE = 18;
const INVALID_FETCH_SIZE = 4;
const KAFKA_STORAGE_ERROR = 56;

// Maps a failed append to the error a group client understands, as Kafka's coordinator does:
// an error with a numeric `errorCode` is translated; anything else (not enough replicas, timeouts,
// unknown partition, plain exceptions) means "coordinator not available" so the client retries.
export function appendErrorCode(err: unknown): number {
  const code =
    typeof err === "object" && err !== null && typeof (err as { errorCode?: unknown }).errorCode === "number"
      ? (err as { errorCode: number }).errorCode
      : -1;
  switch (code) {
    case NOT_LEADER_OR_FOLLOWER:
    case KAFKA_STORAGE_ERROR:
    case ErrorCode.NOT_COORDINATOR:
      return ErrorCode.NOT_COORDINATOR;
    // Already coordinator errors: the client knows what to do with them.
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      return code;
    case MESSAGE_TOO_LARGE:
    case RECORD_LIST_TOO_LARGE:
    case INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
}
