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
  stderr: string;
}

function startWriter(dir: string, term: number): Run {
  const child = spawn(process.execPath, ["--import", "tsx", writer, dir, String(term)], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
  children.push(child);
  const run: Run = { child, ready: null, maxAck: 0, stderr: "" };
  let pending = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      const [word, n] = line.split(" ");
      if (word === "ready") run.ready = Number(n);
      if (word === "ack") run.maxAck = Math.max(run.maxAck, Number(n));
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (run.stderr += chunk.toString()));
  return run;
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
  it("keeps every acknowledged entry across repeated SIGKILLs mid-write", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chronik-crash-")), "log");
    dirs.push(path.dirname(dir));
    let durable = 0;
    for (let term = 1; term <= 4; term++) {
      const run = startWriter(dir, term);
      await until(
        () => run.ready !== null || run.child.exitCode !== null,
        () => `ready (stderr: ${run.stderr})`,
      );
      expect(run.ready, run.stderr).toBe(durable);
      // Let it write across several segments, then kill it wherever it is.
      await until(
        () => run.maxAck >= durable + 150 + term * 37,
        () => `acks (stderr: ${run.stderr})`,
      );
      const exited = new Promise((r) => run.child.once("exit", r));
      run.child.kill("SIGKILL");
      await exited;
      const acked = run.maxAck;
      durable = await verify(dir, acked);
      expect(durable).toBeGreaterThanOrEqual(acked);
    }
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".log")).length).toBeGreaterThan(3);
  });
});
