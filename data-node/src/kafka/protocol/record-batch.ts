import { BATCH, BATCH_LENGTH_FIELD_END, BATCH_MAGIC_V2, batchCrc } from "../../storage/record-batch.ts";
import { DecodeError } from "./decode-error.ts";
import { ErrorCode } from "./errors.ts";
import { Reader } from "./reader.ts";
import { varintSize, varlongSize, Writer } from "./writer.ts";

// Record batch v2 (magic 2): the header layout and CRC are the storage layer's (storage/record-batch.ts),
// which keeps batches byte-exact; this module reads and builds records.
export const BATCH_HEADER_SIZE = BATCH.headerSize;

export const Attr = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_LOG_APPEND: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
} as const;

export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

// Reads the fixed header without touching the records.
export function parseBatchHeader(batch: Buffer): BatchHeader {
  if (batch.length < BATCH_HEADER_SIZE)
    throw new DecodeError("record batch shorter than its header", batch.length);
  const magic = batch.readInt8(BATCH.magic);
  if (magic !== BATCH_MAGIC_V2) throw new DecodeError(`unsupported record batch magic ${magic}`, BATCH.magic);
  return {
    baseOffset: batch.readBigInt64BE(BATCH.baseOffset),
    batchLength: batch.readInt32BE(BATCH.batchLength),
    partitionLeaderEpoch: batch.readInt32BE(BATCH.partitionLeaderEpoch),
    magic,
    crc: batch.readUInt32BE(BATCH.crc),
    attributes: batch.readInt16BE(BATCH.attributes),
    lastOffsetDelta: batch.readInt32BE(BATCH.lastOffsetDelta),
    baseTimestamp: batch.readBigInt64BE(BATCH.baseTimestamp),
    maxTimestamp: batch.readBigInt64BE(BATCH.maxTimestamp),
    producerId: batch.readBigInt64BE(BATCH.producerId),
    producerEpoch: batch.readInt16BE(BATCH.producerEpoch),
    baseSequence: batch.readInt32BE(BATCH.baseSequence),
    recordCount: batch.readInt32BE(BATCH.recordsCount),
  };
}

export const computeCrc = batchCrc;

export function verifyCrc(batch: Buffer): boolean {
  if (batch.length < BATCH_HEADER_SIZE) return false;
  return computeCrc(batch) === batch.readUInt32BE(BATCH.crc);
}

// In place; both fields lie outside the CRC.
export function setBaseOffset(batch: Buffer, baseOffset: bigint): void {
  batch.writeBigInt64BE(baseOffset, BATCH.baseOffset);
}

export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, BATCH.partitionLeaderEpoch);
}

export function lastOffsetOf(batch: Buffer): bigint {
  return batch.readBigInt64BE(BATCH.baseOffset) + BigInt(batch.readInt32BE(BATCH.lastOffsetDelta));
}

export type SplitResult = { ok: true; batches: Buffer[] } | { ok: false; errorCode: number; reason: string };

// Splits a Produce `records` payload into its batches (views, no copy) and checks each one's
// framing, magic and CRC. Magic 0/1 (message sets) are refused as Kafka 3.x does for v2-only logs.
export function splitBatches(records: Buffer): SplitResult {
  const batches: Buffer[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < BATCH_LENGTH_FIELD_END + 5) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: "truncated batch header" };
    }
    const magic = records.readInt8(at + BATCH.magic);
    if (magic === 0 || magic === 1) {
      return { ok: false, errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, reason: `magic ${magic}` };
    }
    if (magic !== 2) return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: `magic ${magic}` };
    const len = records.readInt32BE(at + BATCH.batchLength);
    const end = at + BATCH_LENGTH_FIELD_END + len;
    if (len < BATCH_HEADER_SIZE - BATCH_LENGTH_FIELD_END || end > records.length) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: `bad batch length ${len}` };
    }
    const batch = records.subarray(at, end);
    if (!verifyCrc(batch)) return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: "crc mismatch" };
    batches.push(batch);
    at = end;
  }
  if (batches.length === 0) return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: "no batches" };
  return { ok: true, batches };
}

function nullableVarBytes(r: Reader): Buffer | null {
  const n = r.varint();
  if (n < -1) r.fail(`negative length ${n}`);
  return n < 0 ? null : r.view(n);
}

// Iterates an uncompressed batch's records (keys/values are views into the batch).
export function* iterateRecords(batch: Buffer): Generator<KafkaRecord> {
  const h = parseBatchHeader(batch);
  if ((h.attributes & Attr.COMPRESSION_MASK) !== Compression.NONE) {
    throw new DecodeError(
      `compressed batch (codec ${h.attributes & Attr.COMPRESSION_MASK})`,
      BATCH.attributes,
    );
  }
  const end = BATCH_LENGTH_FIELD_END + h.batchLength;
  if (end > batch.length) throw new DecodeError("batch length beyond buffer", BATCH.batchLength);
  const r = new Reader(batch, BATCH_HEADER_SIZE, end);
  for (let i = 0; i < h.recordCount; i++) {
    const len = r.varint();
    if (len < 0 || len > r.remaining) r.fail(`bad record length ${len}`);
    const recEnd = r.pos + len;
    const rr = new Reader(batch, r.pos, recEnd);
    const attributes = rr.int8();
    const timestampDelta = rr.varlong();
    const offsetDelta = rr.varint();
    const key = nullableVarBytes(rr);
    const value = nullableVarBytes(rr);
    const headerCount = rr.varint();
    if (headerCount < 0 || headerCount > rr.remaining) rr.fail(`bad header count ${headerCount}`);
    const headers: RecordHeader[] = new Array(headerCount);
    for (let j = 0; j < headerCount; j++) {
      const klen = rr.varint();
      if (klen < 0) rr.fail("null header key");
      const k = rr.view(klen).toString("utf8");
      headers[j] = { key: k, value: nullableVarBytes(rr) };
    }
    if (rr.pos !== recEnd) rr.fail("record length mismatch");
    r.pos = recEnd;
    yield { attributes, timestampDelta, offsetDelta, key, value, headers };
  }
}

export interface BuildRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  // Absolute timestamp (ms); defaults to the batch's base timestamp.
  timestamp?: bigint;
}

export interface BuildBatchOptions {
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  baseTimestamp?: bigint;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  attributes?: number; // compression bits must be 0: the builder writes uncompressed records
}

function recordBodySize(rec: BuildRecord, tsDelta: number, offsetDelta: number): number {
  const key = rec.key ?? null;
  let s = 1 + varlongSize(tsDelta) + varintSize(offsetDelta);
  s += key === null ? varintSize(-1) : varintSize(key.length) + key.length;
  s += rec.value === null ? varintSize(-1) : varintSize(rec.value.length) + rec.value.length;
  const headers = rec.headers ?? [];
  s += varintSize(headers.length);
  for (const h of headers) {
    const kl = Buffer.byteLength(h.key, "utf8");
    s += varintSize(kl) + kl;
    s += h.value === null ? varintSize(-1) : varintSize(h.value.length) + h.value.length;
  }
  return s;
}

// Writes one uncompressed v2 batch with a valid CRC (for internal topics and tests).
export function buildRecordBatch(records: readonly BuildRecord[], opts: BuildBatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError("a record batch needs at least one record");
  const attributes = opts.attributes ?? 0;
  if ((attributes & Attr.COMPRESSION_MASK) !== 0)
    throw new RangeError("builder writes uncompressed batches only");
  const baseTimestamp = opts.baseTimestamp ?? records[0].timestamp ?? BigInt(Date.now());
  let maxTimestamp = baseTimestamp;
  const deltas: number[] = [];
  const bodySizes: number[] = [];
  let size = BATCH_HEADER_SIZE;
  records.forEach((rec, i) => {
    const ts = rec.timestamp ?? baseTimestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const d = Number(ts - baseTimestamp);
    deltas.push(d);
    const body = recordBodySize(rec, d, i);
    bodySizes.push(body);
    size += varintSize(body) + body;
  });
  const w = new Writer(size);
  w.int64(opts.baseOffset ?? 0n);
  w.int32(size - BATCH_LENGTH_FIELD_END);
  w.int32(opts.partitionLeaderEpoch ?? -1);
  w.int8(2);
  w.uint32(0); // CRC, filled below
  w.int16(attributes);
  w.int32(records.length - 1);
  w.int64(baseTimestamp);
  w.int64(maxTimestamp);
  w.int64(opts.producerId ?? -1n);
  w.int16(opts.producerEpoch ?? -1);
  w.int32(opts.baseSequence ?? -1);
  w.int32(records.length);
  records.forEach((rec, i) => {
    w.varint(bodySizes[i]);
    w.int8(0);
    w.varlong(deltas[i]);
    w.varint(i);
    writeVarBytes(w, rec.key ?? null);
    writeVarBytes(w, rec.value);
    const headers = rec.headers ?? [];
    w.varint(headers.length);
    for (const h of headers) {
      const kb = Buffer.from(h.key, "utf8");
      w.varint(kb.length);
      w.raw(kb);
      writeVarBytes(w, h.value);
    }
  });
  const batch = w.finish()[0];
  batch.writeUInt32BE(computeCrc(batch), BATCH.crc);
  return batch;
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.varint(-1);
    return;
  }
  w.varint(b.length);
  w.raw(b);
}
