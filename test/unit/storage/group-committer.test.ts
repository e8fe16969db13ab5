import { describe, expect, it } from "vitest";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { LogFailedError } from "../../../data-node/src/storage/errors.ts";
import { GroupCommitter } from "../../../data-node/src/storage/group-committer.ts";
import { CountingSyncOps, nodeSyncOps, type SyncOps } from "../../../data-node/src/storage/sync-ops.ts";
import { appendData } from "./batches.ts";
import { tmpDir } from "./tmp.ts";

describe("GroupCommitter", () => {
  it("coalesces the fsyncs of many appends on many logs", async () => {
    const ops = new CountingSyncOps();
    const logs = await Promise.all(
      Array.from({ length: 20 }, () => DurableLog.open({ dir: tmpDir(), recordBatches: true, syncOps: ops })),
    );
    const committer = new GroupCommitter();
    const before = ops.fdatasyncCalls;
    const commits: Promise<void>[] = [];
    for (let round = 0; round < 10; round++) {
      for (const log of logs) {
        appendData(log, 1, 1);
        commits.push(committer.commit(log));
      }
    }
    await Promise.all(commits);
    // 200 appends; one cycle syncs each of the 20 logs once.
    expect(ops.fdatasyncCalls - before).toBe(20);
    expect(committer.cycles).toBe(1);
    for (const log of logs) expect(log.syncedGeneration).toBe(log.writeGeneration);
    await Promise.all(logs.map((l) => l.close()));
  });

  it("acknowledges only after the data is synced; later appends wait for the next cycle", async () => {
    let release: (() => void) | null = null;
    let armed = false;
    const gate: SyncOps = {
      fdatasync: (fd) =>
        armed
          ? new Promise<void>((resolve) => {
              release = () => nodeSyncOps.fdatasync(fd).then(resolve);
            })
          : nodeSyncOps.fdatasync(fd),
      fsyncDir: (d) => nodeSyncOps.fsyncDir(d),
      fdatasyncSync: (fd) => nodeSyncOps.fdatasyncSync(fd),
      fsyncDirSync: (d) => nodeSyncOps.fsyncDirSync(d),
    };
    const gated = await DurableLog.open({ dir: tmpDir(), recordBatches: true, syncOps: gate });
    armed = true;
    const committer = new GroupCommitter();
    appendData(gated, 1, 1);
    let firstDone = false;
    const first = committer.commit(gated).then(() => (firstDone = true));
    await until(() => release !== null);
    appendData(gated, 1, 1);
    let secondDone = false;
    const second = committer.commit(gated).then(() => (secondDone = true));
    expect(firstDone).toBe(false);
    const r1 = release!;
    release = null;
    r1();
    await first;
    expect(secondDone).toBe(false);
    await until(() => release !== null);
    release!();
    await second;
    expect(committer.cycles).toBe(2);
    armed = false;
    await gated.close();
  });

  it("skips fsync entirely with fsync: never (benchmarks only)", async () => {
    const ops = new CountingSyncOps();
    const log = await DurableLog.open({
      dir: tmpDir(),
      recordBatches: true,
      fsync: "never",
      syncOps: ops,
      segmentBytes: 200,
    });
    const committer = new GroupCommitter();
    for (let k = 0; k < 5; k++) {
      appendData(log, 3, 1);
      await committer.commit(log);
    }
    expect(log.syncedGeneration).toBe(log.writeGeneration);
    expect(ops.fdatasyncCalls + ops.fsyncDirCalls).toBe(0);
    await log.close();
  });

  it("fails the log for good when a segment roll cannot fsync", async () => {
    let fail = false;
    const flaky: SyncOps = {
      ...nodeSyncOps,
      fdatasyncSync: (fd) => {
        if (fail) throw new Error("EIO");
        nodeSyncOps.fdatasyncSync(fd);
      },
    };
    const log = await DurableLog.open({
      dir: tmpDir(),
      recordBatches: true,
      syncOps: flaky,
      segmentBytes: 200,
    });
    appendData(log, 1, 1);
    fail = true;
    expect(() => appendData(log, 5, 1)).toThrow(LogFailedError);
    expect(log.failed).toBeInstanceOf(LogFailedError);
    await expect(new GroupCommitter().commit(log)).rejects.toThrow(LogFailedError);
    await log.close();
  });

  it("fails the log for good when fsync fails", async () => {
    let fail = false;
    const flaky: SyncOps = {
      fdatasync: (fd) => (fail ? Promise.reject(new Error("EIO")) : nodeSyncOps.fdatasync(fd)),
      fsyncDir: (d) => nodeSyncOps.fsyncDir(d),
      fdatasyncSync: (fd) => nodeSyncOps.fdatasyncSync(fd),
      fsyncDirSync: (d) => nodeSyncOps.fsyncDirSync(d),
    };
    const log = await DurableLog.open({ dir: tmpDir(), recordBatches: true, syncOps: flaky });
    const committer = new GroupCommitter();
    appendData(log, 1, 1);
    fail = true;
    await expect(committer.commit(log)).rejects.toThrow(LogFailedError);
    fail = false;
    expect(() => appendData(log, 1, 1)).toThrow(LogFailedError);
    await expect(log.sync()).rejects.toThrow(LogFailedError);
    await log.close();
  });
});

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setImmediate(r));
  }
}
