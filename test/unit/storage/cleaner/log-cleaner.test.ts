import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EntryType } from "../../../../data-node/src/raft/types.ts";
import { type CleanDecision, cleanLog } from "../../../../data-node/src/storage/cleaner/log-cleaner.ts";
import { cleanedPath, swapPath } from "../../../../data-node/src/storage/cleaner/swap-files.ts";
import { DurableLog } from "../../../../data-node/src/storage/durable-log.ts";
import { OffsetOutOfRangeError } from "../../../../data-node/src/storage/errors.ts";
import { segmentFileName } from "../../../../data-node/src/storage/segment.ts";
import { tmpDir } from "../tmp.ts";
import { allRecords, keyedBatch, type Rec } from "./batches.ts";

const LIMITS = { mapBytes: 1024 * 1024, ioBytesPerSec: Infinity, segmentBytes: 4096 };

const open = (dir: string, segmentBytes = 700) => DurableLog.open({ dir, recordBatches: true, segmentBytes });

// Appends one batch per record list as Raft entries (term 1), with a no-op every few entries as a
// leader's log has them.
async function write(log: DurableLog, batches: Rec[][]): Promise<void> {
  for (const [i, recs] of batches.entries()) {
    if (i % 7 === 3)
      log.append([{ index: log.lastIndex() + 1, term: 1, type: EntryType.Normal, data: new Uint8Array() }]);
    const data = await keyedBatch(log.logEndOffset(), recs, { epoch: 1 });
    log.append([{ index: log.lastIndex() + 1, term: 1, type: EntryType.Normal, data }]);
  }
}

// 40 keys written 6 times over, then tombstones for the first 5.
function workload(): Rec[][] {
  const out: Rec[][] = [];
  for (let v = 0; v < 6; v++)
    for (let k = 0; k < 40; k += 4)
      out.push([0, 1, 2, 3].map((j) => [`key-${k + j}`, `v${v}-${"x".repeat(20)}`] as Rec));
  out.push([0, 1, 2, 3, 4].map((k) => [`key-${k}`, null] as Rec));
  return out;
}

function readAll(log: DurableLog): Buffer[] {
  const out: Buffer[] = [];
  let offset = log.logStartOffset();
  for (;;) {
    const r = log.read(offset, { maxBytes: 1 << 20 });
    if (r.batches.length === 0) return out;
    out.push(...r.batches);
    offset = r.nextOffset;
  }
}

const decision = (end: number, now = 1_000_000, extra: Partial<CleanDecision> = {}): CleanDecision => ({
  firstDirty: 0,
  end,
  now,
  deleteRetentionMs: 1000,
  removeTombstones: true,
  ...extra,
});

describe("cleaning a durable log", () => {
  it("keeps the latest value per key, Raft indices and terms, and shrinks the segments", async () => {
    const log = await open(tmpDir());
    await write(log, workload());
    const lastIndex = log.lastIndex();
    const end = log.logEndOffset();
    const sizeBefore = log.sizeBytes();
    const segmentsBefore = log.segmentCount();
    const stats = await cleanLog(log, decision(end), LIMITS);
    expect(stats.passes).toBe(1);
    expect(log.lastIndex()).toBe(lastIndex);
    expect(log.logEndOffset()).toBe(end);
    expect(log.sizeBytes()).toBeLessThan(sizeBefore / 2);
    expect(log.segmentCount()).toBeLessThan(segmentsBefore);
    const records = await allRecords(readAll(log));
    const live = records.filter((r) => r.value !== null);
    expect(live.map((r) => r.key).sort()).toEqual(
      Array.from({ length: 35 }, (_, k) => `key-${k + 5}`).sort((a, b) => a.localeCompare(b)),
    );
    expect(live.every((r) => r.value?.startsWith("v5-"))).toBe(true);
    // Tombstones stay until a cleaning after their horizon.
    expect(records.filter((r) => r.value === null).map((r) => r.key)).toEqual(
      [0, 1, 2, 3, 4].map((k) => `key-${k}`),
    );
    // Every Raft entry is still there, with its term: followers and the Raft core see the same log.
    expect(log.entries(1, lastIndex + 1, Number.MAX_SAFE_INTEGER).map((e) => e.term)).toEqual(
      Array(lastIndex).fill(1),
    );

    await cleanLog(log, decision(end, 1_000_000 + 1001, { firstDirty: end }), LIMITS);
    const after = await allRecords(readAll(log));
    expect(after.filter((r) => r.value === null)).toEqual([]);
    expect(after.length).toBe(35);
    await log.close();

    const reopened = await open(log.dir);
    expect(await allRecords(readAll(reopened))).toEqual(after);
    expect(reopened.lastIndex()).toBe(lastIndex);
    await reopened.close();
  });

  it("gives replicas with other segment boundaries, map budgets and tail cache the same batches", async () => {
    const leader = await open(tmpDir(), 700);
    const follower = await open(tmpDir(), 2500);
    await write(leader, workload());
    follower.append(leader.entries(1, leader.lastIndex() + 1, Number.MAX_SAFE_INTEGER));
    const end = leader.logEndOffset() - 40;
    await cleanLog(leader, decision(end), LIMITS);
    const stats = await cleanLog(follower, decision(end), { ...LIMITS, mapBytes: 600 });
    expect(stats.passes).toBeGreaterThan(3);
    expect(readAll(follower).map((b) => b.toString("hex"))).toEqual(
      readAll(leader).map((b) => b.toString("hex")),
    );
    await leader.close();
    await follower.close();
  });

  it("rolls the active segment when a decision reaches into it (a replica whose segments end elsewhere)", async () => {
    const log = await open(tmpDir(), 1 << 20);
    await write(log, workload());
    expect(log.segmentCount()).toBe(1);
    const end = log.logEndOffset();
    await cleanLog(log, decision(end), LIMITS);
    expect(log.segmentCount()).toBe(2);
    expect((await allRecords(readAll(log))).length).toBe(40);
    await log.close();
  });

  it("finishes a swap that a crash interrupted and drops an unfinished cleaning", async () => {
    const dir = tmpDir();
    const log = await open(dir);
    await write(log, workload());
    const expected = await allRecords(readAll(log));
    const end = log.logEndOffset();
    const segments = fs.readdirSync(dir).filter((n) => n.endsWith(".log"));
    // A cleaned copy of the first two segments, as step 2 of the swap leaves it.
    const cleaned = await open(tmpDir(), 1400);
    cleaned.append(log.entries(1, log.lastIndex() + 1, Number.MAX_SAFE_INTEGER));
    await cleaned.close();
    const firstTwo = fs.readdirSync(cleaned.dir).filter((n) => n.endsWith(".log"))[0];
    await log.close();
    const swapped = Number(firstTwo.slice(0, 20));
    expect(swapped).toBe(1);
    fs.copyFileSync(path.join(cleaned.dir, firstTwo), swapPath(dir, 1));
    fs.writeFileSync(cleanedPath(dir, 99), "half a cleaning");
    const reopened = await open(dir);
    const names = fs.readdirSync(dir);
    expect(names.some((n) => n.endsWith(".swap") || n.endsWith(".cleaned"))).toBe(false);
    expect(names.filter((n) => n.endsWith(".log")).length).toBeLessThan(segments.length);
    expect(names).toContain(segmentFileName(1));
    expect(await allRecords(readAll(reopened))).toEqual(expected);
    await cleanLog(reopened, decision(end), LIMITS);
    expect((await allRecords(readAll(reopened))).length).toBe(40);
    await reopened.close();
  });
});

describe("the log start offset (DeleteRecords)", () => {
  it("moves into the log, removes whole segments below it, and survives a reopen and a snapshot", async () => {
    const log = await open(tmpDir());
    await write(log, workload());
    const segments = log.segmentCount();
    await log.advanceLogStart(101);
    expect(log.logStartOffset()).toBe(101);
    expect(log.segmentCount()).toBeLessThan(segments);
    expect(() => log.read(100, { maxBytes: 100 })).toThrow(OffsetOutOfRangeError);
    const first = log.read(101, { maxBytes: 1 });
    expect(first.batches.length).toBe(1);
    // ListOffsets earliest answers the start offset, which may lie inside a batch (as in Kafka).
    expect(first.nextOffset).toBeGreaterThan(101);
    await log.advanceLogStart(50);
    expect(log.logStartOffset()).toBe(101);
    await log.close();

    const reopened = await open(log.dir);
    expect(reopened.logStartOffset()).toBe(101);
    const follower = await open(tmpDir());
    await follower.applySnapshot(reopened.snapshot());
    expect(follower.logStartOffset()).toBe(101);
    await follower.close();
    await reopened.close();
  });
});

describe("reading a compacted log", () => {
  it("skips emptied batches, and returns the last one when nothing else is left below the limit", async () => {
    const log = await open(tmpDir());
    await write(log, [[["a", "1"]], [["b", "1"]], [["c", "1"]], [["a", "2"]], [["b", "2"]]]);
    await cleanLog(log, decision(log.logEndOffset()), LIMITS);
    const r = log.read(0, { maxBytes: 1 << 20 });
    expect((await allRecords(r.batches)).map((x) => x.key)).toEqual(["c", "a", "b"]);
    const gap = log.read(0, { maxBytes: 1 << 20, maxOffset: 2 });
    expect(gap.batches.length).toBe(1);
    expect(gap.batches[0].readInt32BE(57)).toBe(0);
    expect(gap.nextOffset).toBe(2);
    await log.close();
  });
});
