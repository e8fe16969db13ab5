import type { ConfState, HardState, Snapshot } from "../raft/types.ts";
import { readSmallFile, writeSmallFile } from "./small-file.ts";
import type { SyncOps } from "./sync-ops.ts";

export const RAFT_STATE_FILE = "raft-state";
export const LOG_START_FILE = "log-start";
export const SNAPSHOT_FILE = "snapshot";
const KIND_RAFT_STATE = 1;
const KIND_LOG_START = 2;
const KIND_SNAPSHOT = 3;

export interface RaftState {
  hardState: HardState;
  confState: ConfState;
}

// Everything at or below `index` is compacted away; `term` answers term(index) and `nextOffset` is the
// Kafka offset of the first record after it. `resetting` marks an unfinished snapshot install: on open
// every segment is discarded.
export interface LogStart {
  index: number;
  term: number;
  nextOffset: number;
  resetting: boolean;
  // The Kafka log start offset when DeleteRecords moved it past nextOffset (into the log).
  logStartOffset?: number;
}

export const EMPTY_RAFT_STATE: RaftState = {
  hardState: { term: 0, vote: 0, commit: 0 },
  confState: { voters: [], learners: [] },
};
export const EMPTY_LOG_START: LogStart = { index: 0, term: 0, nextOffset: 0, resetting: false };

export function readRaftState(dir: string): RaftState {
  const bytes = readSmallFile(dir, RAFT_STATE_FILE, KIND_RAFT_STATE);
  return bytes === null
    ? structuredClone(EMPTY_RAFT_STATE)
    : (JSON.parse(bytes.toString("utf8")) as RaftState);
}

export function writeRaftState(dir: string, state: RaftState, sync: SyncOps | null): Promise<void> {
  return writeSmallFile(dir, RAFT_STATE_FILE, KIND_RAFT_STATE, Buffer.from(JSON.stringify(state)), sync);
}

export function readLogStart(dir: string): LogStart {
  const bytes = readSmallFile(dir, LOG_START_FILE, KIND_LOG_START);
  return bytes === null ? { ...EMPTY_LOG_START } : (JSON.parse(bytes.toString("utf8")) as LogStart);
}

export function writeLogStart(dir: string, start: LogStart, sync: SyncOps | null): Promise<void> {
  return writeSmallFile(dir, LOG_START_FILE, KIND_LOG_START, Buffer.from(JSON.stringify(start)), sync);
}

export function readSnapshot(dir: string): Snapshot | null {
  const bytes = readSmallFile(dir, SNAPSHOT_FILE, KIND_SNAPSHOT);
  if (bytes === null) return null;
  const metaLength = bytes.readUInt32BE(0);
  const metadata = JSON.parse(bytes.subarray(4, 4 + metaLength).toString("utf8")) as Snapshot["metadata"];
  return { metadata, data: Uint8Array.from(bytes.subarray(4 + metaLength)) };
}

export function writeSnapshot(dir: string, snapshot: Snapshot, sync: SyncOps | null): Promise<void> {
  const meta = Buffer.from(JSON.stringify(snapshot.metadata));
  const payload = Buffer.allocUnsafe(4 + meta.length + snapshot.data.byteLength);
  payload.writeUInt32BE(meta.length, 0);
  meta.copy(payload, 4);
  payload.set(snapshot.data, 4 + meta.length);
  return writeSmallFile(dir, SNAPSHOT_FILE, KIND_SNAPSHOT, payload, sync);
}

// Snapshot data of a partition log whose prefix went to retention: just the Kafka offset the
// receiver's log continues from (a partition's "state machine" is the log itself), then the Kafka log
// start offset when DeleteRecords has moved it further.
export function encodeLogStartSnapshot(nextOffset: number, logStartOffset = nextOffset): Uint8Array {
  const data = Buffer.alloc(logStartOffset > nextOffset ? 16 : 8);
  data.writeBigInt64BE(BigInt(nextOffset));
  if (data.length === 16) data.writeBigInt64BE(BigInt(logStartOffset), 8);
  return data;
}

export function decodeSnapshotLogStartOffset(data: Uint8Array): number | null {
  return data.byteLength === 16
    ? Number(Buffer.from(data.buffer, data.byteOffset, 16).readBigInt64BE(8))
    : null;
}

export function decodeLogStartSnapshot(data: Uint8Array): number | null {
  return data.byteLength === 8 || data.byteLength === 16
    ? Number(Buffer.from(data.buffer, data.byteOffset, 8).readBigInt64BE(0))
    : null;
}
