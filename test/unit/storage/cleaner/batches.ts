import { buildRecordBatch } from "../../../../data-node/src/kafka/protocol/record-batch.ts";
import { readBatchRecords } from "../../../../data-node/src/storage/cleaner/batch-records.ts";
import { compress } from "../../../../data-node/src/storage/cleaner/compression.ts";
import { BATCH, batchCrc, readInt64 } from "../../../../data-node/src/storage/record-batch.ts";

// Test helpers: keyed batches as producers send them (any codec, idempotent or not), and what a
// consumer would read back out of a batch.

export type Rec = [key: string | null, value: string | null];

export interface BatchOptions {
  codec?: number;
  xerial?: boolean;
  producer?: { id: number; epoch: number; seq: number };
  timestamp?: number;
  epoch?: number;
}

export async function keyedBatch(baseOffset: number, recs: Rec[], o: BatchOptions = {}): Promise<Buffer> {
  const ts = o.timestamp ?? 1_000_000;
  const plain = buildRecordBatch(
    recs.map(([k, v], i) => ({
      key: k === null ? null : Buffer.from(k),
      value: v === null ? null : Buffer.from(v),
      timestamp: BigInt(ts + i),
    })),
    {
      baseOffset: BigInt(baseOffset),
      partitionLeaderEpoch: o.epoch ?? 3,
      ...(o.producer
        ? {
            producerId: BigInt(o.producer.id),
            producerEpoch: o.producer.epoch,
            baseSequence: o.producer.seq,
          }
        : {}),
    },
  );
  if (!o.codec) return plain;
  const section = await compress(o.codec, plain.subarray(BATCH.headerSize), { xerial: o.xerial });
  const out = Buffer.concat([plain.subarray(0, BATCH.headerSize), section]);
  out.writeInt32BE(out.length - 12, BATCH.batchLength);
  out.writeInt16BE(o.codec, BATCH.attributes);
  out.writeUInt32BE(batchCrc(out), BATCH.crc);
  return out;
}

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

export async function recordsOf(batch: Buffer): Promise<ReadRecord[]> {
  const base = readInt64(batch, BATCH.baseOffset);
  const baseTs = readInt64(batch, BATCH.baseTimestamp);
  const { records } = await readBatchRecords(batch);
  return records.map((r) => ({
    offset: base + r.offsetDelta,
    key: r.key?.toString() ?? null,
    value: r.value?.toString() ?? null,
    timestamp: baseTs + r.timestampDelta,
  }));
}

export async function allRecords(batches: Buffer[]): Promise<ReadRecord[]> {
  return (await Promise.all(batches.map(recordsOf))).flat();
}
