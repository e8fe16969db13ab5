import { crc32c } from "@node-rs/crc32";
import { type Entry, EntryType } from "../../../data-node/src/raft/types.ts";

// Test helper: builds Kafka record batches v2 the way a producer would (uncompressed, CreateTime).

export interface TestRecord {
  timestamp: number;
  value: string;
}

function varint(n: number): number[] {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
  return out;
}

export function makeBatch(baseOffset: number, epoch: number, records: TestRecord[], attributes = 0): Buffer {
  const baseTimestamp = records[0].timestamp;
  const maxTimestamp = Math.max(...records.map((r) => r.timestamp));
  const bodies = records.map((r, i) => {
    const value = Buffer.from(r.value);
    const inner = Buffer.from([
      0,
      ...varint(r.timestamp - baseTimestamp),
      ...varint(i),
      ...varint(-1),
      ...varint(value.length),
      ...value,
      ...varint(0),
    ]);
    return Buffer.concat([Buffer.from(varint(inner.length)), inner]);
  });
  const recordsBytes = Buffer.concat(bodies);
  const batch = Buffer.alloc(61 + recordsBytes.length);
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(epoch, 12);
  batch[16] = 2;
  batch.writeInt16BE(attributes, 21);
  batch.writeInt32BE(records.length - 1, 23);
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35);
  batch.writeBigInt64BE(-1n, 43);
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(records.length, 57);
  recordsBytes.copy(batch, 61);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

// A data entry holding `n` records with values "<index>-<k>" at timestamps ts, ts+1, ...
export function dataEntry(
  index: number,
  term: number,
  baseOffset: number,
  n = 1,
  ts = 1_000 + index * 10,
): Entry {
  const records = Array.from({ length: n }, (_, k) => ({ timestamp: ts + k, value: `${index}-${k}` }));
  return { index, term, type: EntryType.Normal, data: makeBatch(baseOffset, term, records) };
}

export function noop(index: number, term: number): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array() };
}

export function confChange(index: number, term: number, text = "add 4"): Entry {
  return { index, term, type: EntryType.ConfChange, data: Buffer.from(text) };
}

// Appends `count` data entries of `n` records each after the log's current end; returns them.
export function appendData(
  log: { lastIndex(): number; logEndOffset(): number; append(e: Entry[]): void },
  count: number,
  term: number,
  n = 1,
): Entry[] {
  const out: Entry[] = [];
  let offset = log.logEndOffset();
  let index = log.lastIndex() + 1;
  for (let k = 0; k < count; k++) {
    out.push(dataEntry(index++, term, offset, n));
    offset += n;
  }
  log.append(out);
  return out;
}
