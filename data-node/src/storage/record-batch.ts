import { crc32c } from "@node-rs/crc32";

// Kafka record batch v2 header layout (all big-endian). baseOffset and partitionLeaderEpoch precede
// the CRC'd region, so the leader can set them without recomputing the CRC.
export const BATCH = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
  headerSize: 61,
} as const;

export const BATCH_MAGIC_V2 = 2;
// batchLength counts the bytes after the length field itself.
export const BATCH_LENGTH_FIELD_END = 12;

export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function readInt64(buf: Buffer, at: number): number {
  return Number(buf.readBigInt64BE(at));
}

// Why a byte string is not a well-formed v2 batch (null when it is), without reading the records.
export function batchShapeProblem(batch: Buffer): string | null {
  if (batch.length < BATCH.headerSize) return `batch of ${batch.length} bytes is shorter than its header`;
  if (batch[BATCH.magic] !== BATCH_MAGIC_V2) return `batch magic ${batch[BATCH.magic]} is not 2`;
  const length = batch.readInt32BE(BATCH.batchLength);
  if (length + BATCH_LENGTH_FIELD_END !== batch.length)
    return `batchLength ${length} does not match ${batch.length - BATCH_LENGTH_FIELD_END} bytes`;
  if (batch.readInt32BE(BATCH.lastOffsetDelta) < 0) return "negative lastOffsetDelta";
  return null;
}

// CRC-32C over attributes..the end of the batch as its length field gives it.
export function batchCrc(batch: Buffer): number {
  const end = Math.min(batch.length, BATCH_LENGTH_FIELD_END + batch.readInt32BE(BATCH.batchLength));
  return crc32c(batch.subarray(BATCH.attributes, Math.max(end, BATCH.attributes))) >>> 0;
}

// The shape check plus the batch's CRC-32C: for bytes read back from disk.
export function batchProblem(batch: Buffer): string | null {
  const shape = batchShapeProblem(batch);
  if (shape !== null) return shape;
  if (batchCrc(batch) !== batch.readUInt32BE(BATCH.crc)) return "batch CRC-32C mismatch";
  return null;
}

// The leader sets these two fields, which lie outside the batch CRC, in place: the produce path
// patches the request's own bytes rather than copying every batch.
export function setBatchHeader(batch: Buffer, baseOffset: number, leaderEpoch: number): Buffer {
  batch.writeBigInt64BE(BigInt(baseOffset), BATCH.baseOffset);
  batch.writeInt32BE(leaderEpoch, BATCH.partitionLeaderEpoch);
  return batch;
}

export function batchNextOffset(batch: Buffer): number {
  return readInt64(batch, BATCH.baseOffset) + batch.readInt32BE(BATCH.lastOffsetDelta) + 1;
}

const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME = 0x08;

// First record whose timestamp is >= target, as ListOffsets wants it. Compressed batches are not
// opened: their base offset is answered, which is never later than the exact record.
export function findRecordAtOrAfter(
  batch: Buffer,
  target: number,
): { offset: number; timestamp: number } | null {
  const baseOffset = readInt64(batch, BATCH.baseOffset);
  const maxTimestamp = readInt64(batch, BATCH.maxTimestamp);
  if (maxTimestamp < target) return null;
  const attributes = batch.readInt16BE(BATCH.attributes);
  if ((attributes & LOG_APPEND_TIME) !== 0 || (attributes & COMPRESSION_MASK) !== 0) {
    return { offset: baseOffset, timestamp: maxTimestamp };
  }
  const baseTimestamp = readInt64(batch, BATCH.baseTimestamp);
  const count = batch.readInt32BE(BATCH.recordsCount);
  let at = BATCH.headerSize;
  for (let i = 0; i < count && at < batch.length; i++) {
    const length = readVarint(batch, at);
    const bodyStart = length.next;
    let p = bodyStart + 1; // record attributes
    const tsDelta = readVarint(batch, p);
    p = tsDelta.next;
    const offsetDelta = readVarint(batch, p);
    const timestamp = baseTimestamp + tsDelta.value;
    if (timestamp >= target) return { offset: baseOffset + offsetDelta.value, timestamp };
    at = bodyStart + length.value;
  }
  return { offset: baseOffset, timestamp: maxTimestamp };
}

// Zigzag varint/varlong as numbers (exact below 2^53, which timestamps and deltas are).
function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  let raw = 0;
  let scale = 1;
  let p = at;
  for (;;) {
    if (p >= buf.length) throw new RangeError("varint runs past the batch");
    const byte = buf[p++];
    raw += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) break;
    scale *= 128;
    if (p - at > 10) throw new RangeError("varint longer than 10 bytes");
  }
  const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  return { value, next: p };
}
