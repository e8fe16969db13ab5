// Public surface of the storage layer.
export { CompactedError, UnavailableError } from "../raft/storage.ts";
export {
  DEFAULT_LOG_OPTIONS,
  DurableLog,
  type DurableLogOptions,
  type FetchResult,
  type ReadOptions,
} from "./durable-log.ts";
export {
  CorruptLogError,
  InvalidEntryError,
  LogFailedError,
  OffsetOutOfRangeError,
} from "./errors.ts";
export { GroupCommitter, type SyncableLog } from "./group-committer.ts";
export { batchNextOffset, batchProblem, batchShapeProblem } from "./record-batch.ts";
export { CountingSyncOps, nodeSyncOps, type SyncOps } from "./sync-ops.ts";
