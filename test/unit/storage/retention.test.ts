import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { CompactedError } from "../../../data-node/src/raft/storage.ts";
import { DurableLog, type DurableLogOptions } from "../../../data-node/src/storage/durable-log.ts";
import { OffsetOutOfRangeError } from "../../../data-node/src/storage/errors.ts";
import { appendData, dataEntry, noop } from "./batches.ts";
import { tmpDir } from "./tmp.ts";

const open = (dir: string, extra: Partial<DurableLogOptions> = {}) =>
  DurableLog.open({ dir, recordBatches: true, segmentBytes: 300, ...extra });

describe("retention", () => {
  it("deletes the oldest whole segments past retention.bytes, never the active one", async () => {
    const dir = tmpDir();
    const log = await open(dir, { retentionBytes: 600 });
    appendData(log, 30, 1, 2);
    const before = log.segmentCount();
    expect(before).toBeGreaterThan(4);
    const deleted = await log.enforceRetention();
    expect(deleted).toBeGreaterThan(0);
    expect(log.segmentCount()).toBe(before - deleted);
    // Kafka's rule: a segment goes while the rest would still hold retention.bytes.
    expect(log.sizeBytes()).toBeGreaterThanOrEqual(600);
    expect(log.sizeBytes()).toBeLessThan(600 + 300);
    expect(await log.enforceRetention()).toBe(0);
    const first = log.firstIndex();
    expect(first).toBeGreaterThan(1);
    expect(log.logStartOffset()).toBe((first - 1) * 2);
    expect(log.term(first - 1)).toBe(1);
    expect(() => log.term(first - 2)).toThrow(CompactedError);
    expect(() => log.entries(first - 1, first, 100)).toThrow(CompactedError);
    expect(() => log.read(log.logStartOffset() - 1, { maxBytes: 10 })).toThrow(OffsetOutOfRangeError);
    expect(Number(log.read(log.logStartOffset(), { maxBytes: 1 }).batches[0].readBigInt64BE(0))).toBe(
      log.logStartOffset(),
    );
    expect(log.snapshot().metadata).toEqual({
      index: first - 1,
      term: 1,
      confState: { voters: [], learners: [] },
    });
    // A follower too far behind gets that snapshot and continues at the same Kafka offset.
    const follower = await open(tmpDir());
    appendData(follower, 2, 1, 2);
    await follower.applySnapshot(log.snapshot());
    expect(follower.firstIndex()).toBe(first);
    expect(follower.logEndOffset()).toBe(log.logStartOffset());
    follower.append(log.entries(first, log.lastIndex() + 1, Number.MAX_SAFE_INTEGER));
    expect(follower.logEndOffset()).toBe(log.logEndOffset());
    await follower.close();
    await log.close();

    const again = await open(dir, { retentionBytes: 600 });
    expect(again.firstIndex()).toBe(first);
    expect(again.logStartOffset()).toBe((first - 1) * 2);
    expect(again.lastIndex()).toBe(30);
    await again.close();
  });

  it("deletes segments whose newest record is older than retention.ms", async () => {
    const log = await open(tmpDir(), { retentionMs: 1000 });
    // Record timestamps are 1000 + index * 10.
    appendData(log, 30, 1);
    expect(await log.enforceRetention(1000 + 10 + 1000)).toBe(0);
    const deleted = await log.enforceRetention(1000 + 20 * 10 + 1001);
    expect(deleted).toBeGreaterThan(0);
    // Everything left after the deleted segments is newer than the cut-off.
    expect(log.firstIndex()).toBeLessThanOrEqual(21);
    expect(log.firstIndex()).toBeGreaterThan(1);
    await log.close();
  });

  it("never deletes past the index it is allowed to", async () => {
    const log = await open(tmpDir(), { retentionBytes: 0 });
    appendData(log, 30, 1);
    await log.enforceRetention(Date.now(), 5);
    expect(log.firstIndex()).toBeLessThanOrEqual(6);
    await log.enforceRetention();
    expect(log.segmentCount()).toBe(1);
    await log.close();
  });
});

describe("compaction and snapshots", () => {
  it("compacts up to an index and keeps its term", async () => {
    const dir = tmpDir();
    const log = await open(dir);
    appendData(log, 10, 1);
    log.append([noop(11, 2)]);
    appendData(log, 5, 2);
    await log.compact(11);
    expect(log.firstIndex()).toBe(12);
    expect(log.term(11)).toBe(2);
    expect(log.logStartOffset()).toBe(10);
    expect(log.entries(12, 17, 1 << 20)).toHaveLength(5);
    await log.close();
    const again = await open(dir, { cacheBytes: 0 });
    expect(again.firstIndex()).toBe(12);
    expect(again.term(11)).toBe(2);
    expect(again.entries(12, 17, 1 << 20).map((e) => e.index)).toEqual([12, 13, 14, 15, 16]);
    await again.close();
  });

  it("installs a snapshot from the leader, replacing the whole log", async () => {
    const dir = tmpDir();
    const log = await open(dir);
    appendData(log, 10, 1);
    const snap = {
      metadata: { index: 50, term: 4, confState: { voters: [1, 2, 3], learners: [4] } },
      data: Buffer.from("state"),
    };
    await log.applySnapshot(snap, { nextOffset: 700 });
    expect(log.firstIndex()).toBe(51);
    expect(log.lastIndex()).toBe(50);
    expect(log.term(50)).toBe(4);
    expect(log.logStartOffset()).toBe(700);
    expect(log.logEndOffset()).toBe(700);
    expect(log.initialState().confState).toEqual({ voters: [1, 2, 3], learners: [4] });
    log.append([dataEntry(51, 4, 700, 3)]);
    await log.close();

    const again = await open(dir);
    expect(again.snapshot().metadata.index).toBe(50);
    expect(Buffer.from(again.snapshot().data).toString()).toBe("state");
    expect(again.firstIndex()).toBe(51);
    expect(again.lastIndex()).toBe(51);
    expect(again.logEndOffset()).toBe(703);
    expect(again.initialState().hardState.commit).toBe(50);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".log"))).toEqual(["00000000000000000051.log"]);
    await again.close();
  });

  it("finishes an interrupted snapshot install on open", async () => {
    const dir = tmpDir();
    const log = await open(dir);
    appendData(log, 10, 1);
    await log.close();
    // What a crash right after writing the log-start marker leaves behind.
    const { writeLogStart } = await import("../../../data-node/src/storage/state-files.ts");
    await writeLogStart(dir, { index: 20, term: 3, nextOffset: 99, resetting: true }, null);
    const again = await open(dir);
    expect(again.firstIndex()).toBe(21);
    expect(again.lastIndex()).toBe(20);
    expect(again.logEndOffset()).toBe(99);
    await again.close();
  });
});
