import { describe, expect, it } from "vitest";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { OffsetOutOfRangeError } from "../../../data-node/src/storage/errors.ts";
import { appendData, confChange, dataEntry, makeBatch, noop } from "./batches.ts";
import { tmpDir } from "./tmp.ts";

const baseOffsets = (batches: Buffer[]) => batches.map((b) => Number(b.readBigInt64BE(0)));

// Both read paths: the tail cache and the segment files.
describe.each([
  ["cache", 1 << 20],
  ["disk", 0],
])("Kafka reads from the %s", (_name, cacheBytes) => {
  async function sample() {
    const log = await DurableLog.open({
      dir: tmpDir(),
      recordBatches: true,
      cacheBytes,
      segmentBytes: 500,
      indexIntervalBytes: 64,
    });
    // index: 1 noop | 2 [0..2] | 3 conf | 4 [3..6] | 5 [7] | 6 noop | 7 [8..9]
    log.append([
      noop(1, 1),
      dataEntry(2, 1, 0, 3),
      confChange(3, 1),
      dataEntry(4, 1, 3, 4),
      dataEntry(5, 2, 7, 1),
    ]);
    log.append([noop(6, 3), dataEntry(7, 3, 8, 2)]);
    return log;
  }

  it("returns whole batches from the one holding the offset, skipping private frames", async () => {
    const log = await sample();
    expect(baseOffsets(log.read(0, { maxBytes: 1 << 20 }).batches)).toEqual([0, 3, 7, 8]);
    const mid = log.read(5, { maxBytes: 1 << 20 });
    expect(baseOffsets(mid.batches)).toEqual([3, 7, 8]);
    expect(mid.nextOffset).toBe(10);
    expect(mid.bytes).toBe(mid.batches.reduce((n, b) => n + b.length, 0));
    expect(baseOffsets(log.read(9, { maxBytes: 1 << 20 }).batches)).toEqual([8]);
    expect(log.read(10, { maxBytes: 1 << 20 }).batches).toEqual([]);
    await log.close();
  });

  it("returns one batch even when it is larger than maxBytes (KIP-74)", async () => {
    const log = await sample();
    const r = log.read(4, { maxBytes: 10 });
    expect(baseOffsets(r.batches)).toEqual([3]);
    expect(r.nextOffset).toBe(7);
    const first = log.read(0, { maxBytes: 1 }).batches[0];
    expect(log.read(0, { maxBytes: first.length + r.batches[0].length - 1 }).batches).toHaveLength(1);
    expect(log.read(0, { maxBytes: first.length + r.batches[0].length }).batches).toHaveLength(2);
    await log.close();
  });

  it("with atLeastOne off, returns only batches that fit in maxBytes", async () => {
    const log = await sample();
    expect(log.read(4, { maxBytes: 10, atLeastOne: false }).batches).toEqual([]);
    const first = log.read(0, { maxBytes: 1 }).batches[0];
    expect(baseOffsets(log.read(0, { maxBytes: first.length, atLeastOne: false }).batches)).toEqual([0]);
  });

  it("never returns a batch reaching the upper bound", async () => {
    const log = await sample();
    expect(baseOffsets(log.read(0, { maxBytes: 1 << 20, maxOffset: 7 }).batches)).toEqual([0, 3]);
    expect(baseOffsets(log.read(0, { maxBytes: 1 << 20, maxOffset: 8 }).batches)).toEqual([0, 3, 7]);
    expect(log.read(3, { maxBytes: 1 << 20, maxOffset: 3 }).batches).toEqual([]);
    await log.close();
  });

  it("rejects offsets outside the log", async () => {
    const log = await sample();
    expect(() => log.read(11, { maxBytes: 100 })).toThrow(OffsetOutOfRangeError);
    expect(() => log.read(-1, { maxBytes: 100 })).toThrow(OffsetOutOfRangeError);
    await log.close();
  });

  it("serves the batches byte-exact", async () => {
    const log = await sample();
    const expected = dataEntry(4, 1, 3, 4).data;
    expect(log.read(3, { maxBytes: 1 }).batches[0].equals(Buffer.from(expected))).toBe(true);
    await log.close();
  });

  it("maps Raft indexes to Kafka offsets for the high watermark", async () => {
    const log = await sample();
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => log.nextOffsetAfter(i))).toEqual([0, 0, 3, 3, 7, 8, 8, 10]);
    expect(log.offsetRange(4)).toEqual({ baseOffset: 3, nextOffset: 7 });
    await log.close();
  });

  it("finds offsets by timestamp, to the record", async () => {
    const log = await DurableLog.open({
      dir: tmpDir(),
      recordBatches: true,
      cacheBytes,
      segmentBytes: 300,
      indexIntervalBytes: 64,
    });
    const ts = (i: number) => 10_000 + i * 100;
    let offset = 0;
    for (let i = 1; i <= 20; i++) {
      const records = [0, 1, 2].map((k) => ({ timestamp: ts(i) + k * 10, value: `v${i}.${k}` }));
      log.append([{ index: i, term: 1, type: 0, data: makeBatch(offset, 1, records) }]);
      offset += 3;
    }
    expect(log.segmentCount()).toBeGreaterThan(3);
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: ts(1) });
    // Batch 5 holds offsets 12..14 at ts(5), ts(5)+10, ts(5)+20.
    expect(log.offsetForTimestamp(ts(5) + 5)).toEqual({ offset: 13, timestamp: ts(5) + 10 });
    expect(log.offsetForTimestamp(ts(5) + 10)).toEqual({ offset: 13, timestamp: ts(5) + 10 });
    expect(log.offsetForTimestamp(ts(5) + 21)).toEqual({ offset: 15, timestamp: ts(6) });
    expect(log.offsetForTimestamp(ts(20) + 21)).toBeNull();
    expect(log.offsetForTimestamp(ts(10), 27)).toBeNull();
    expect(log.offsetForTimestamp(ts(10), 30)).toEqual({ offset: 27, timestamp: ts(10) });
    await log.close();
  });
});

describe("offsetForTimestamp on batches it does not open", () => {
  it("answers the base offset of a compressed or LogAppendTime batch", async () => {
    const log = await DurableLog.open({ dir: tmpDir(), recordBatches: true });
    const records = [0, 1, 2].map((k) => ({ timestamp: 5_000 + k * 10, value: `v${k}` }));
    const gzip = 0x01;
    const logAppendTime = 0x08;
    log.append([
      { index: 1, term: 1, type: 0, data: makeBatch(0, 1, records, gzip) },
      { index: 2, term: 1, type: 0, data: makeBatch(3, 1, records, logAppendTime) },
    ]);
    expect(log.offsetForTimestamp(5_015)).toEqual({ offset: 0, timestamp: 5_020 });
    await log.close();
  });
});

describe("Kafka reads across restarts", () => {
  it("keeps offsets and reads after reopen", async () => {
    const dir = tmpDir();
    const log = await DurableLog.open({ dir, recordBatches: true, segmentBytes: 256 });
    appendData(log, 20, 1, 5);
    await log.close();
    const again = await DurableLog.open({ dir, recordBatches: true, segmentBytes: 256 });
    expect(again.logEndOffset()).toBe(100);
    expect(baseOffsets(again.read(52, { maxBytes: 1 }).batches)).toEqual([50]);
    const all = again.read(0, { maxBytes: 1 << 20 });
    expect(all.batches).toHaveLength(20);
    expect(all.nextOffset).toBe(100);
    await again.close();
  });
});
