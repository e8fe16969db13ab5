import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DurableLog } from "../../../data-node/src/storage/durable-log.ts";
import { CRASH_LOG_OPTIONS, expectedEntry } from "./fixtures/expected-entry.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const writer = path.join(here, "fixtures/crash-writer.ts");
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  ready: number | null;
  maxAck: number;
  acks: number;
  truncations: number;
  stderr: string;
}

function startWriter(dir: string, run: number, mode: "append" | "truncate"): Run {
  const child = spawn(process.execPath, ["--import", "tsx", writer, dir, String(run), mode], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
  children.push(child);
  const state: Run = { child, ready: null, maxAck: 0, acks: 0, truncations: 0, stderr: "" };
  let pending = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      const [word, n] = line.split(" ");
      if (word === "ready") state.ready = Number(n);
      if (word === "ack") {
        state.acks++;
        state.maxAck = Math.max(state.maxAck, Number(n));
      }
      // Entries from here on are being replaced: their earlier acks no longer bind.
      if (word === "trunc") {
        state.truncations++;
        state.maxAck = Math.min(state.maxAck, Number(n) - 1);
      }
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (state.stderr += chunk.toString()));
  return state;
}

async function until(cond: () => boolean, what: () => string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Every entry must be byte-for-byte what the writer produced (given its term and offset), and the
// Kafka view must be gap-free.
async function verify(dir: string, mustHave: number): Promise<number> {
  const log = await DurableLog.open({ dir, ...CRASH_LOG_OPTIONS, cacheBytes: 0 });
  try {
    expect(log.lastIndex()).toBeGreaterThanOrEqual(mustHave);
    let offset = 0;
    for (let lo = 1; lo <= log.lastIndex(); ) {
      const batch = log.entries(lo, log.lastIndex() + 1, 256 * 1024);
      for (const e of batch) {
        const want = expectedEntry(e.index, e.term, offset);
        expect(Buffer.from(e.data).equals(Buffer.from(want.data)), `entry ${e.index}`).toBe(true);
        offset = log.nextOffsetAfter(e.index);
      }
      lo += batch.length;
    }
    expect(offset).toBe(log.logEndOffset());
    let next = 0;
    while (next < log.logEndOffset()) {
      const r = log.read(next, { maxBytes: 64 * 1024 });
      expect(Number(r.batches[0].readBigInt64BE(0))).toBe(next);
      next = r.nextOffset;
    }
    return log.lastIndex();
  } finally {
    await log.close();
  }
}

describe("crash safety with a real process", () => {
  it.each(["append", "truncate"] as const)(
    "keeps every acknowledged entry across repeated SIGKILLs mid-write (%s)",
    async (mode) => {
      const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chronik-crash-")), "log");
      dirs.push(path.dirname(dir));
      let durable = 0;
      let truncations = 0;
      for (let run = 1; run <= 4; run++) {
        const w = startWriter(dir, run, mode);
        await until(
          () => w.ready !== null || w.child.exitCode !== null,
          () => `ready (stderr: ${w.stderr})`,
        );
        expect(w.ready, w.stderr).toBe(durable);
        // Let it write across several segments, then kill it wherever it is.
        await until(
          () => w.acks >= 150 + run * 7,
          () => `acks (stderr: ${w.stderr})`,
        );
        const exited = new Promise((r) => w.child.once("exit", r));
        w.child.kill("SIGKILL");
        await exited;
        truncations += w.truncations;
        durable = await verify(dir, w.maxAck);
      }
      if (mode === "truncate") expect(truncations).toBeGreaterThan(0);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".log")).length).toBeGreaterThan(2);
    },
  );
});
