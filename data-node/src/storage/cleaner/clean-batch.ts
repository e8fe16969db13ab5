import { BATCH, BATCH_LENGTH_FIELD_END, batchCrc, readInt64 } from "../record-batch.ts";
import { batchCodec, type RecordSlice, readBatchRecords, withTimestampDelta } from "./batch-records.ts";
import { compress } from "./compression.ts";
import type { OffsetMap } from "./offset-map.ts";

// Kafka's cleaning of one batch (Cleaner.cleanInto + MemoryRecords.filterTo), as a pure function of
// the batch, the offset map and the decision's parameters, so every replica that cleans the same
// batch with the same map gets the same bytes.

const ATTR_LOG_APPEND_TIME = 0x08;
const ATTR_CONTROL = 0x20;
// KIP-534: the batch's base timestamp holds the time its tombstones may go.
const ATTR_DELETE_HORIZON = 0x40;

export interface CleanParams {
  // The cleaning's clock (the decision's time, the same on every replica).
  now: number;
  deleteRetentionMs: number;
  // False keeps every tombstone whatever its horizon (see the "Compaction" section of DESIGN.md).
  removeTombstones: boolean;
}

export interface CleanedBatch {
  batch: Buffer;
  changed: boolean;
  recordsIn: number;
  recordsOut: number;
  // When the batch still holds tombstones: the time a cleaning may remove them.
  tombstoneHorizon: number | null;
}

export function deleteHorizonOf(batch: Buffer): number | null {
  const attributes = batch.readInt16BE(BATCH.attributes);
  return (attributes & ATTR_DELETE_HORIZON) !== 0 ? readInt64(batch, BATCH.baseTimestamp) : null;
}

export function isControlBatch(batch: Buffer): boolean {
  return (batch.readInt16BE(BATCH.attributes) & ATTR_CONTROL) !== 0;
}

// A record survives when no later record of its key is in the map and, for a tombstone, while its
// batch's delete horizon has not passed (the first cleaning sets the horizon; a later one removes it).
// Keyless records cannot be compacted and go, as in Kafka. Control batches (transaction markers, none
// yet) are kept whole: their removal follows the transactions they close.
export async function cleanBatch(batch: Buffer, map: OffsetMap, p: CleanParams): Promise<CleanedBatch> {
  const count = batch.readInt32BE(BATCH.recordsCount);
  const unchanged = { batch, changed: false, recordsIn: count, recordsOut: count, tombstoneHorizon: null };
  if (isControlBatch(batch) || count === 0) return unchanged;
  const baseOffset = readInt64(batch, BATCH.baseOffset);
  const horizon = deleteHorizonOf(batch);
  // Strictly after the horizon: a horizon set by this cleaning (possibly in an earlier pass of it, with
  // delete.retention.ms 0) is never also passed by it, so one pass or several give the same result.
  const tombstonesGo = p.removeTombstones && horizon !== null && p.now > horizon;
  const { records, section } = await readBatchRecords(batch);
  const kept = records.filter((r) => {
    if (r.key === null) return false;
    const latest = map.get(r.key);
    if (latest !== undefined && baseOffset + r.offsetDelta < latest) return false;
    return r.value !== null || !tombstonesGo;
  });
  const hasTombstones = kept.some((r) => r.value === null);
  const newHorizon = horizon ?? (hasTombstones ? p.now + p.deleteRetentionMs : null);
  const tombstoneHorizon = hasTombstones ? newHorizon : null;
  if (kept.length === records.length && newHorizon === horizon) return { ...unchanged, tombstoneHorizon };
  const out = kept.length === 0 ? emptyBatch(batch) : await rebuild(batch, kept, newHorizon, section.xerial);
  return { batch: out, changed: true, recordsIn: count, recordsOut: kept.length, tombstoneHorizon };
}

// Every field a producer's state and the next offset depend on is kept: base offset, last offset
// delta, producer id, epoch and base sequence (Kafka keeps the last offset for the same reason).
async function rebuild(
  original: Buffer,
  kept: RecordSlice[],
  horizon: number | null,
  xerial: boolean | undefined,
): Promise<Buffer> {
  const attributes = original.readInt16BE(BATCH.attributes);
  const oldBase = readInt64(original, BATCH.baseTimestamp);
  const base = horizon ?? oldBase;
  const logAppendTime = (attributes & ATTR_LOG_APPEND_TIME) !== 0;
  let maxTimestamp = logAppendTime ? readInt64(original, BATCH.maxTimestamp) : -1;
  const parts = kept.map((r) => {
    const ts = oldBase + r.timestampDelta;
    if (!logAppendTime && ts > maxTimestamp) maxTimestamp = ts;
    return withTimestampDelta(r, ts - base);
  });
  const section = await compress(batchCodec(original), Buffer.concat(parts), { xerial });
  const out = Buffer.allocUnsafe(BATCH.headerSize + section.length);
  original.copy(out, 0, 0, BATCH.headerSize);
  section.copy(out, BATCH.headerSize);
  out.writeInt32BE(out.length - BATCH_LENGTH_FIELD_END, BATCH.batchLength);
  out.writeInt16BE(horizon === null ? attributes : attributes | ATTR_DELETE_HORIZON, BATCH.attributes);
  out.writeBigInt64BE(BigInt(base), BATCH.baseTimestamp);
  out.writeBigInt64BE(BigInt(maxTimestamp), BATCH.maxTimestamp);
  out.writeInt32BE(kept.length, BATCH.recordsCount);
  out.writeUInt32BE(batchCrc(out), BATCH.crc);
  return out;
}

// A batch whose records all went: its header alone, uncompressed, as Kafka's writeEmptyHeader. Kafka
// drops most such batches; here each one is a Raft entry and stays (see DESIGN.md, "Compaction").
export function emptyBatch(original: Buffer): Buffer {
  const out = Buffer.allocUnsafe(BATCH.headerSize);
  original.copy(out, 0, 0, BATCH.headerSize);
  const attributes = original.readInt16BE(BATCH.attributes) & ~(0x07 | ATTR_DELETE_HORIZON);
  const maxTimestamp = readInt64(original, BATCH.maxTimestamp);
  out.writeInt32BE(out.length - BATCH_LENGTH_FIELD_END, BATCH.batchLength);
  out.writeInt16BE(attributes, BATCH.attributes);
  out.writeBigInt64BE(BigInt(maxTimestamp), BATCH.baseTimestamp);
  out.writeInt32BE(0, BATCH.recordsCount);
  out.writeUInt32BE(batchCrc(out), BATCH.crc);
  return out;
}

// Adds a batch's keyed records to the map (tombstones too: they supersede what came before).
export async function mapBatch(batch: Buffer, map: OffsetMap): Promise<void> {
  for (const r of await keyedRecords(batch)) map.put(r.key, r.offset);
}

export async function keyedRecords(batch: Buffer): Promise<{ key: Buffer; offset: number }[]> {
  if (isControlBatch(batch) || batch.readInt32BE(BATCH.recordsCount) === 0) return [];
  const baseOffset = readInt64(batch, BATCH.baseOffset);
  const { records } = await readBatchRecords(batch);
  const out: { key: Buffer; offset: number }[] = [];
  for (const r of records) if (r.key !== null) out.push({ key: r.key, offset: baseOffset + r.offsetDelta });
  return out;
}
