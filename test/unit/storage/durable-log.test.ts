import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CompactedError, UnavailableError } from "../../../data-node/src/raft/storage.ts";
import { EntryType } from "../../../data-node/src/raft/types.ts";
import { DurableLog, type DurableLogOptions } from "../../../data-node/src/storage/durable-log.ts";
import { InvalidEntryError } from "../../../data-node/src/storage/errors.ts";
import { CountingSyncOps } from "../../../data-node/src/storage/sync-ops.ts";
import { appendData, confChange, dataEntry, makeBatch, noop } from "./batches.ts";
import { tmpDir } from "./tmp.ts";

const open = (dir: string, extra: Partial<DurableLogOptions> = {}) =>
  DurableLog.open({ dir, recordBatches: true, ...extra });

const segmentFiles = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .sort();

describe("DurableLog append and read", () => {
  it("starts empty", async () => {
    const log = await open(tmpDir());
    expect(log.firstIndex()).toBe(1);
    expect(log.lastIndex()).toBe(0);
    expect(log.term(0)).toBe(0);
    expect(log.logStartOffset()).toBe(0);
    expect(log.logEndOffset()).toBe(0);
    expect(log.initialState()).toEqual({
      hardState: { term: 0, vote: 0, commit: 0 },
      confState: { voters: [], learners: [] },
    });
    await log.close();
  });

  it("round-trips data, no-op and conf-change entries through the cache and through a reopen", async () => {
    const dir = tmpDir();
    const log = await open(dir);
    const entries = [noop(1, 1), dataEntry(2, 1, 0, 3), confChange(3, 1), dataEntry(4, 2, 3, 2), noop(5, 3)];
    entries[3] = dataEntry(4, 2, 3, 2);
    log.append(entries);
    expect(log.lastIndex()).toBe(5);
    expect(log.logEndOffset()).toBe(5);
    expect(log.entries(1, 6, Number.MAX_SAFE_INTEGER)).toEqual(entries);
    await log.close();

    // cacheBytes 0: every read goes to disk.
    const again = await open(dir, { cacheBytes: 0 });
    const read = again.entries(1, 6, Number.MAX_SAFE_INTEGER);
    expect(read.map((e) => [e.index, e.term, e.type])).toEqual(entries.map((e) => [e.index, e.term, e.type]));
    for (const [i, e] of read.entries())
      expect(Buffer.from(e.data).equals(Buffer.from(entries[i].data))).toBe(true);
    expect([1, 2, 3, 4, 5].map((i) => again.term(i))).toEqual([1, 1, 1, 2, 3]);
    expect(again.offsetRange(2)).toEqual({ baseOffset: 0, nextOffset: 3 });
    expect(again.offsetRange(3)).toEqual({ baseOffset: 3, nextOffset: 3 });
    expect(again.nextOffsetAfter(4)).toBe(5);
    expect(again.logEndOffset()).toBe(5);
    await again.close();
  });

  it("stores opaque entries of a log without record batches (__meta)", async () => {
    const dir = tmpDir();
    const log = await DurableLog.open({ dir, recordBatches: false });
    const e = [
      { index: 1, term: 1, type: EntryType.Normal, data: Buffer.from("register broker 1") },
      { index: 2, term: 1, type: EntryType.ConfChange, data: Buffer.from("add learner 4") },
    ];
    log.append(e);
    await log.close();
    const again = await DurableLog.open({ dir, recordBatches: false, cacheBytes: 0 });
    const read = again.entries(1, 3, 1 << 20);
    expect(read.map((x) => [x.type, Buffer.from(x.data).toString()])).toEqual([
      [EntryType.Normal, "register broker 1"],
      [EntryType.ConfChange, "add learner 4"],
    ]);
    expect(again.logEndOffset()).toBe(0);
    await again.close();
  });

  it("limits entries() by maxBytes but always returns at least one", async () => {
    const log = await open(tmpDir(), { cacheBytes: 0 });
    appendData(log, 10, 1);
    // Sizes as the Raft core counts them: payload + 24.
    const size = log.entries(1, 2, 1 << 20)[0].data.byteLength + 24;
    expect(log.entries(1, 11, 1)).toHaveLength(1);
    expect(log.entries(1, 11, size * 3)).toHaveLength(3);
    expect(() => log.entries(0, 2, 100)).toThrow(CompactedError);
    expect(() => log.entries(1, 12, 100)).toThrow(UnavailableError);
    expect(() => log.term(11)).toThrow(UnavailableError);
    await log.close();
  });

  it("refuses entries that would break the log", async () => {
    const log = await open(tmpDir());
    appendData(log, 2, 2);
    // Wrong baseOffset, stale term, gap, malformed batch, epoch != term. (The CRC is verified where a
    // batch enters the cluster and whenever it is read back from disk, not on append.)
    expect(() => log.append([dataEntry(3, 2, 7)])).toThrow(InvalidEntryError);
    expect(() => log.append([noop(3, 1)])).toThrow(InvalidEntryError);
    expect(() => log.append([noop(5, 2)])).toThrow(InvalidEntryError);
    const bad = dataEntry(3, 2, 2);
    (bad.data as Buffer).writeInt32BE(7, 8);
    expect(() => log.append([bad])).toThrow(/batchLength/);
    const wrongEpoch = { ...dataEntry(3, 3, 2), data: makeBatch(2, 2, [{ timestamp: 1, value: "x" }]) };
    expect(() => log.append([wrongEpoch])).toThrow(/partitionLeaderEpoch/);
    expect(log.lastIndex()).toBe(2);
    await log.close();
  });
});

describe("DurableLog truncation", () => {
  it("replaces a conflicting tail and rolls Kafka offsets back", async () => {
    const dir = tmpDir();
    const log = await open(dir, { segmentBytes: 300 });
    appendData(log, 10, 1, 2); // indexes 1..10, offsets 0..19
    expect(segmentFiles(dir).length).toBeGreaterThan(3);
    expect(log.logEndOffset()).toBe(20);
    // A new leader (term 2) overwrites from index 4: offsets go back to 6.
    expect(log.nextOffsetAfter(3)).toBe(6);
    log.append([noop(4, 2), dataEntry(5, 2, 6, 1)]);
    expect(log.lastIndex()).toBe(5);
    expect(log.logEndOffset()).toBe(7);
    expect(log.term(3)).toBe(1);
    expect(log.term(4)).toBe(2);
    expect(log.read(6, { maxBytes: 1 << 20 }).batches).toHaveLength(1);
    await log.sync();
    await log.close();

    const again = await open(dir, { segmentBytes: 300, cacheBytes: 0 });
    expect(again.lastIndex()).toBe(5);
    expect(again.logEndOffset()).toBe(7);
    expect(again.term(4)).toBe(2);
    expect(
      Buffer.from(again.entries(5, 6, 1 << 20)[0].data).equals(Buffer.from(dataEntry(5, 2, 6, 1).data)),
    ).toBe(true);
    await again.close();
  });

  it("truncates into a sealed segment that is not cached", async () => {
    const dir = tmpDir();
    const log = await open(dir, { segmentBytes: 200, cacheBytes: 0 });
    appendData(log, 12, 1);
    log.append([dataEntry(2, 3, 1)]);
    expect(log.lastIndex()).toBe(2);
    expect(log.logEndOffset()).toBe(2);
    expect(log.term(1)).toBe(1);
    expect(log.term(2)).toBe(3);
    expect(segmentFiles(dir)).toEqual(["00000000000000000001.log"]);
    appendData(log, 3, 3);
    await log.close();
    const again = await open(dir, { segmentBytes: 200 });
    expect(again.lastIndex()).toBe(5);
    expect(again.logEndOffset()).toBe(5);
    await again.close();
  });
});

describe("DurableLog segments", () => {
  it("rolls by size, naming each segment by its first Raft index", async () => {
    const dir = tmpDir();
    const log = await open(dir, { segmentBytes: 250 });
    appendData(log, 9, 1);
    const files = segmentFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    expect(files[0]).toBe("00000000000000000001.log");
    // The frame at the start of each file is the entry whose Raft index names the file.
    for (const f of files) {
      const base = Number(f.slice(0, 20));
      const head = fs.readFileSync(path.join(dir, f)).subarray(0, 8).readBigInt64BE(0);
      expect(Number(head)).toBe(log.offsetRange(base).baseOffset);
      expect(log.entries(base, base + 1, 1)[0].index).toBe(base);
    }
    await log.close();
  });

  it("makes a sealed segment durable when it rolls, before the next one exists", async () => {
    const ops = new CountingSyncOps();
    const log = await open(tmpDir(), { segmentBytes: 250, syncOps: ops });
    const before = ops.fdatasyncCalls;
    appendData(log, 9, 1);
    expect(ops.fdatasyncCalls - before).toBe(log.segmentCount() - 1);
    // Truncating across segments removes the later ones durably, then cuts the file durably.
    const dirSyncs = ops.fsyncDirCalls;
    const dataSyncs = ops.fdatasyncCalls;
    log.append([noop(2, 2)]);
    expect(log.segmentCount()).toBe(1);
    expect(ops.fsyncDirCalls - dirSyncs).toBe(1);
    expect(ops.fdatasyncCalls - dataSyncs).toBe(1);
    await log.close();
  });

  it("rolls by age", async () => {
    const dir = tmpDir();
    let now = 1_000_000;
    const log = await open(dir, { segmentMs: 1000, clock: () => now });
    appendData(log, 2, 1);
    now += 999;
    appendData(log, 1, 1);
    expect(segmentFiles(dir)).toHaveLength(1);
    now += 1;
    appendData(log, 1, 1);
    expect(segmentFiles(dir)).toEqual(["00000000000000000001.log", "00000000000000000004.log"]);
    await log.close();
  });

  it("rebuilds missing and damaged indexes", async () => {
    const dir = tmpDir();
    const opts = { segmentBytes: 400, indexIntervalBytes: 100, cacheBytes: 0 };
    const log = await open(dir, opts);
    const written = appendData(log, 30, 1, 2);
    await log.close();
    const indexes = fs.readdirSync(dir).filter((f) => f.endsWith(".index"));
    expect(indexes.length).toBeGreaterThan(2);
    fs.rmSync(path.join(dir, indexes[0]));
    const damaged = path.join(dir, indexes[1]);
    const bytes = fs.readFileSync(damaged);
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(damaged, bytes);
    // A stale index (wrong size) is also rebuilt.
    fs.copyFileSync(path.join(dir, indexes[3]), path.join(dir, indexes[2]));

    const again = await open(dir, opts);
    expect(fs.existsSync(path.join(dir, indexes[0]))).toBe(true);
    const read = again.entries(1, 31, Number.MAX_SAFE_INTEGER);
    expect(read.map((e) => Buffer.from(e.data).toString("hex"))).toEqual(
      written.map((e) => Buffer.from(e.data).toString("hex")),
    );
    for (let off = 0; off < 60; off += 7) {
      expect(again.read(off, { maxBytes: 1 }).batches[0].readBigInt64BE(0)).toBe(BigInt(off - (off % 2)));
    }
    await again.close();
  });
});
