import { crc32c } from "@node-rs/crc32";
import { type Entry, EntryType } from "../raft/types.ts";
import {
  asBuffer,
  BATCH,
  BATCH_MAGIC_V2,
  batchProblem,
  batchShapeProblem,
  readInt64,
} from "./record-batch.ts";

/*
 * On-disk format of one Raft group's log: a directory holding
 *
 *   00000000000000000001.log     segment: frames back to back, named by the Raft index of its first frame
 *   00000000000000000001.index   sparse index of a sealed segment (derived data: rebuilt when missing/stale)
 *   log-start                    compaction point {index, term, nextOffset, resetting}
 *   raft-state                   HardState + ConfState
 *   snapshot                     latest Raft snapshot (metadata + opaque data)
 *
 * The three small files are replaced atomically (write <name>.tmp, fsync, rename, fsync directory) and
 * carry their own CRC-32C (see small-file.ts).
 *
 * Frame. Every frame begins like a Kafka record batch v2, so one scanner walks all frames:
 *
 *   offset size
 *    0      8   baseOffset   int64  Kafka offset of the frame's first record; for a frame without
 *                                   records, the next Kafka offset (offsets never go backwards)
 *    8      4   length       int32  bytes after this field: frame size = 12 + length
 *   12      4   term         int32  Raft term (a data batch's partitionLeaderEpoch)
 *   16      1   magic        int8   2 = Kafka batch (data frame); 0x7e = private frame
 *
 * Data frame (magic 2): a Normal, non-empty entry of a log opened with recordBatches: true. The Kafka
 * batch exactly as the producer sent it, with baseOffset and partitionLeaderEpoch set by the leader.
 * Its own CRC-32C (bytes 17..20) covers attributes..end (21..end); the two leader-set fields are checked
 * on recovery by continuity (baseOffset = previous frame's next offset) and monotonic terms.
 *
 * Private frame (magic 0x7e): no-ops, conf changes, and every entry of a recordBatches: false log.
 *   17      4   crc          uint32 CRC-32C over bytes 0..16 followed by 21..end
 *   21      1   entryType    int8   EntryType
 *   22      …   data                entry payload
 *
 * Raft index of a frame = the segment's first index + the frame's ordinal in the segment.
 *
 * Durability order: a segment is fdatasynced before the next one is created, so only the last segment
 * can end in a torn write. Truncating a conflicting tail deletes later segment files and fsyncs the
 * directory, then cuts the remaining segment and fdatasyncs it, before any new frame is written.
 *
 * Recovery (recovery.ts): the last segment is scanned frame by frame; the first frame that fails these
 * checks ends the log there (torn tail, cut off) unless a valid frame follows it, in which case the log
 * is corrupt and open fails with CorruptLogError. A sealed segment is scanned when its .index is missing
 * or stale (or with verify: "full"), and any bad frame in it is corruption. Every frame read back from
 * disk later is CRC-checked too.
 *
 * Sparse .index: summary (base index, size, count, base/next offset, max timestamp, last term, created
 * at) and one point per indexIntervalBytes: (ordinal, byte position, baseOffset, max timestamp before
 * the point), which serves lookups by Raft index, Kafka offset and timestamp (sparse-index.ts).
 */

export const PRIVATE_MAGIC = 0x7e;
export const FRAME_PREFIX = 12;
export const PRIVATE_HEADER = 22;
// Enough of any frame to know its size, term, kind, offsets, max timestamp and record count.
export const FRAME_PEEK = BATCH.headerSize;
export const MAX_FRAME_SIZE = 1 << 30;
export const MAX_TERM = 0x7fffffff;

// What the log keeps of a frame without holding its bytes.
export interface FrameHeader {
  size: number;
  baseOffset: number;
  nextOffset: number;
  term: number;
  isData: boolean;
  maxTimestamp: number; // -1 for frames without records
  // A data batch whose records compaction removed entirely (kept for its offsets and producer fields).
  empty?: boolean;
}

// Frame size from the 12-byte prefix, or null when the length cannot belong to a frame.
export function frameSize(prefix: Buffer, at = 0): number | null {
  const length = prefix.readInt32BE(at + 8);
  const min = Math.min(BATCH.headerSize, PRIVATE_HEADER) - FRAME_PREFIX;
  if (length < min || length + FRAME_PREFIX > MAX_FRAME_SIZE) return null;
  return length + FRAME_PREFIX;
}

// Reads the header fields of a frame; `buf` holds at least min(size, FRAME_PEEK) bytes of it.
export function readHeader(buf: Buffer, size: number): FrameHeader {
  const baseOffset = readInt64(buf, 0);
  const term = buf.readInt32BE(12);
  if (buf[16] === BATCH_MAGIC_V2) {
    const nextOffset = baseOffset + buf.readInt32BE(BATCH.lastOffsetDelta) + 1;
    return {
      size,
      baseOffset,
      nextOffset,
      term,
      isData: true,
      maxTimestamp: readInt64(buf, BATCH.maxTimestamp),
      empty: buf.length >= BATCH.headerSize && buf.readInt32BE(BATCH.recordsCount) === 0,
    };
  }
  return { size, baseOffset, nextOffset: baseOffset, term, isData: false, maxTimestamp: -1 };
}

// Why a whole frame is invalid on its own (null when valid). Continuity is checked by the caller.
export function frameProblem(frame: Buffer, recordBatches: boolean): string | null {
  if (frame.length < FRAME_PREFIX + 5) return "frame shorter than its header";
  const magic = frame[16];
  if (magic === BATCH_MAGIC_V2) {
    if (!recordBatches) return "Kafka batch in a log without record batches";
    return batchProblem(frame);
  }
  if (magic !== PRIVATE_MAGIC) return `unknown magic ${magic}`;
  if (frame.length < PRIVATE_HEADER) return "private frame shorter than its header";
  if (frame.readInt32BE(8) + FRAME_PREFIX !== frame.length) return "private frame length mismatch";
  if (frame.readUInt32BE(17) !== privateCrc(frame)) return "private frame CRC-32C mismatch";
  const type = frame[21];
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) return `unknown entry type ${type}`;
  return null;
}

function privateCrc(frame: Buffer): number {
  return crc32c(frame.subarray(21), crc32c(frame.subarray(0, 17)));
}

export function encodePrivateFrame(
  nextOffset: number,
  term: number,
  type: EntryType,
  data: Uint8Array,
): Buffer {
  const frame = Buffer.allocUnsafe(PRIVATE_HEADER + data.byteLength);
  frame.writeBigInt64BE(BigInt(nextOffset), 0);
  frame.writeInt32BE(frame.length - FRAME_PREFIX, 8);
  frame.writeInt32BE(term, 12);
  frame[16] = PRIVATE_MAGIC;
  frame[21] = type;
  frame.set(data, PRIVATE_HEADER);
  frame.writeUInt32BE(privateCrc(frame), 17);
  return frame;
}

// A record batch, as opposed to a no-op or a partition's control entry (whose byte 16, a batch's magic,
// is never 2).
export function isDataEntry(entry: Entry, recordBatches: boolean): boolean {
  return (
    recordBatches &&
    entry.type === EntryType.Normal &&
    entry.data.byteLength > BATCH.magic &&
    entry.data[BATCH.magic] === BATCH_MAGIC_V2
  );
}

// The frame for an entry, checked against what the log expects next. Data entries must already carry
// baseOffset = expectedOffset and partitionLeaderEpoch = term (the leader patches them before proposing).
export function encodeEntry(entry: Entry, expectedOffset: number, recordBatches: boolean): Buffer | string {
  if (!Number.isInteger(entry.term) || entry.term < 0 || entry.term > MAX_TERM) {
    return `term ${entry.term} does not fit the frame's int32`;
  }
  if (!isDataEntry(entry, recordBatches)) {
    if (entry.type !== EntryType.Normal && entry.type !== EntryType.ConfChange) {
      return `unknown entry type ${entry.type}`;
    }
    return encodePrivateFrame(expectedOffset, entry.term, entry.type, entry.data);
  }
  // The CRC was verified where the batch entered the cluster (the Kafka produce path); appending
  // checks its shape only. Everything read back from disk is CRC-checked.
  const batch = asBuffer(entry.data);
  const problem = batchShapeProblem(batch);
  if (problem !== null) return problem;
  const baseOffset = readInt64(batch, BATCH.baseOffset);
  if (baseOffset !== expectedOffset)
    return `batch baseOffset ${baseOffset} != log end offset ${expectedOffset}`;
  const epoch = batch.readInt32BE(BATCH.partitionLeaderEpoch);
  if (epoch !== entry.term) return `batch partitionLeaderEpoch ${epoch} != entry term ${entry.term}`;
  return batch;
}

// A validated frame back to the Raft entry it was written from.
export function decodeFrame(frame: Buffer, index: number): Entry {
  const term = frame.readInt32BE(12);
  if (frame[16] === BATCH_MAGIC_V2) return { index, term, type: EntryType.Normal, data: frame };
  return { index, term, type: frame[21] as EntryType, data: frame.subarray(PRIVATE_HEADER) };
}
