import { BATCH, BATCH_LENGTH_FIELD_END } from "../record-batch.ts";
import { Codec, type Decompressed, decompress } from "./compression.ts";

// The records of a v2 batch as slices of its (decompressed) record section: enough to judge each record
// (offset, key, whether it is a tombstone) and to copy it into a rebuilt batch, verbatim or with a new
// timestamp delta.
export interface RecordSlice {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  // null: a tombstone.
  value: Buffer | null;
  // The record as stored: its length varint and body.
  bytes: Buffer;
  attributes: number;
  // The body after the timestamp delta (offset delta, key, value, headers).
  tail: Buffer;
}

export class RecordFormatError extends Error {}

export const ATTR_COMPRESSION = 0x07;

export function batchCodec(batch: Buffer): number {
  return batch.readInt16BE(BATCH.attributes) & ATTR_COMPRESSION;
}

// The record section of a batch, decompressed when the batch is.
export async function recordSection(batch: Buffer): Promise<Decompressed> {
  const end = BATCH_LENGTH_FIELD_END + batch.readInt32BE(BATCH.batchLength);
  const raw = batch.subarray(BATCH.headerSize, end);
  const codec = batchCodec(batch);
  return codec === Codec.NONE ? { bytes: raw } : decompress(codec, raw);
}

export async function readBatchRecords(
  batch: Buffer,
): Promise<{ records: RecordSlice[]; section: Decompressed }> {
  const section = await recordSection(batch);
  return { records: parseRecords(section.bytes, batch.readInt32BE(BATCH.recordsCount)), section };
}

export function parseRecords(section: Buffer, count: number): RecordSlice[] {
  const out: RecordSlice[] = [];
  const cur = { at: 0 };
  for (let i = 0; i < count; i++) {
    const start = cur.at;
    const length = readVarint(section, cur);
    const bodyStart = cur.at;
    const end = bodyStart + length;
    if (length < 1 || end > section.length) throw new RecordFormatError(`record ${i} runs past its batch`);
    const attributes = section[cur.at++];
    const timestampDelta = readVarint(section, cur);
    const tailStart = cur.at;
    const offsetDelta = readVarint(section, cur);
    const key = readBytes(section, cur, end);
    const value = readBytes(section, cur, end);
    if (cur.at > end) throw new RecordFormatError(`record ${i} is longer than its length`);
    out.push({
      offsetDelta,
      timestampDelta,
      key,
      value,
      bytes: section.subarray(start, end),
      attributes,
      tail: section.subarray(tailStart, end),
    });
    cur.at = end;
  }
  return out;
}

// A record re-encoded with another timestamp delta (its batch got a new base timestamp).
export function withTimestampDelta(r: RecordSlice, timestampDelta: number): Buffer {
  if (timestampDelta === r.timestampDelta) return r.bytes;
  const ts = varint(timestampDelta);
  const bodyLength = 1 + ts.length + r.tail.length;
  const len = varint(bodyLength);
  const out = Buffer.allocUnsafe(len.length + bodyLength);
  len.copy(out, 0);
  out[len.length] = r.attributes;
  ts.copy(out, len.length + 1);
  r.tail.copy(out, len.length + 1 + ts.length);
  return out;
}

function readBytes(buf: Buffer, cur: { at: number }, end: number): Buffer | null {
  const n = readVarint(buf, cur);
  if (n < 0) return null;
  if (cur.at + n > end) throw new RecordFormatError("record field runs past the record");
  const b = buf.subarray(cur.at, cur.at + n);
  cur.at += n;
  return b;
}

// Zigzag varint/varlong as numbers: exact below 2^53, which offsets, deltas and lengths are.
function readVarint(buf: Buffer, cur: { at: number }): number {
  let raw = 0;
  let scale = 1;
  const from = cur.at;
  for (;;) {
    if (cur.at >= buf.length) throw new RecordFormatError("varint runs past the batch");
    const byte = buf[cur.at++];
    raw += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) break;
    scale *= 128;
    if (cur.at - from >= 10) throw new RecordFormatError("varint longer than 10 bytes");
  }
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
}

export function varint(value: number): Buffer {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  const bytes: number[] = [];
  while (raw >= 128) {
    bytes.push((raw % 128) | 0x80);
    raw = Math.floor(raw / 128);
  }
  bytes.push(raw);
  return Buffer.from(bytes);
}

// Kafka's LogValidator refuses a record without a key on a compacted topic: compaction could never
// tell which later record supersedes it. The index of the first batch holding one, or -1.
export async function firstKeylessBatch(batches: readonly Buffer[]): Promise<number> {
  for (let i = 0; i < batches.length; i++) {
    const { records } = await readBatchRecords(batches[i]);
    if (records.some((r) => r.key === null)) return i;
  }
  return -1;
}
