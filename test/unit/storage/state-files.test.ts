import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { CorruptLogError } from "../../../data-node/src/storage/errors.ts";
import { CountingSyncOps } from "../../../data-node/src/storage/sync-ops.ts";
import { tmpDir } from "./tmp.ts";

describe("hard state and conf state", () => {
  it("persists and survives reopen", async () => {
    const dir = tmpDir();
    const log = await DurableLog.open({ dir, recordBatches: false });
    await log.setHardState({ term: 3, vote: 2, commit: 7 });
    await log.setConfState({ voters: [1, 2, 3], learners: [] });
    await log.close();
    const again = await DurableLog.open({ dir, recordBatches: false });
    expect(again.initialState()).toEqual({
      hardState: { term: 3, vote: 2, commit: 7 },
      confState: { voters: [1, 2, 3], learners: [] },
    });
    await again.close();
  });

  it("writes through a temp file, fsyncs it, renames, then fsyncs the directory", async () => {
    const dir = tmpDir();
    const ops = new CountingSyncOps();
    const log = await DurableLog.open({ dir, recordBatches: false, syncOps: ops });
    const before = { data: ops.fdatasyncCalls, dir: ops.fsyncDirCalls };
    await log.setHardState({ term: 1, vote: 1, commit: 0 });
    expect(ops.fdatasyncCalls - before.data).toBe(1);
    expect(ops.fsyncDirCalls - before.dir).toBe(1);
    expect(fs.readdirSync(dir).some((f) => f.endsWith(".tmp"))).toBe(false);
    await log.close();
  });

  it("ignores a half-written temp file left by a crash", async () => {
    const dir = tmpDir();
    const log = await DurableLog.open({ dir, recordBatches: false });
    await log.setHardState({ term: 5, vote: 1, commit: 3 });
    await log.close();
    fs.writeFileSync(path.join(dir, "raft-state.tmp"), Buffer.from("CHRK\x01garbage"));
    const again = await DurableLog.open({ dir, recordBatches: false });
    expect(again.initialState().hardState).toEqual({ term: 5, vote: 1, commit: 3 });
    expect(fs.existsSync(path.join(dir, "raft-state.tmp"))).toBe(false);
    await again.close();
  });

  it("keeps concurrent writes in order: the last one wins", async () => {
    const dir = tmpDir();
    const log = await DurableLog.open({ dir, recordBatches: false });
    await Promise.all([1, 2, 3, 4, 5].map((t) => log.setHardState({ term: t, vote: 0, commit: t })));
    await log.close();
    const again = await DurableLog.open({ dir, recordBatches: false });
    expect(again.initialState().hardState).toEqual({ term: 5, vote: 0, commit: 5 });
    await again.close();
  });

  it("refuses to open with a damaged state file", async () => {
    const dir = tmpDir();
    const log = await DurableLog.open({ dir, recordBatches: false });
    await log.setHardState({ term: 5, vote: 1, commit: 3 });
    await log.close();
    const file = path.join(dir, "raft-state");
    const bytes = fs.readFileSync(file);
    bytes[12] ^= 0x20;
    fs.writeFileSync(file, bytes);
    await expect(DurableLog.open({ dir, recordBatches: false })).rejects.toThrow(CorruptLogError);
  });
});
