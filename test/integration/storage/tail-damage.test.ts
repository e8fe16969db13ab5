import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DurableLog, type DurableLogOptions } from "../../../data-node/src/storage/durable-log.ts";
import { CorruptLogError } from "../../../data-node/src/storage/errors.ts";
import { appendData, noop } from "../../unit/storage/batches.ts";

// Damage done by hand to segment files on disk, as a crash or a bad disk would leave them.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const OPTS = { recordBatches: true, segmentBytes: 1000, indexIntervalBytes: 128, cacheBytes: 0 } as const;
const open = (dir: string, extra: Partial<DurableLogOptions> = {}) =>
  DurableLog.open({ dir, ...OPTS, ...extra });

// A closed log of 40 data entries (2 records each) with a no-op at index 41, over several segments.
async function sampleLog(): Promise<string> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chronik-damage-")), "log");
  dirs.push(path.dirname(dir));
  const log = await open(dir);
  appendData(log, 40, 1, 2);
  log.append([noop(41, 1)]);
  await log.close();
  return dir;
}

function segments(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .sort()
    .map((f) => path.join(dir, f));
}

// Byte positions of the frames in a segment file.
function frames(file: string): number[] {
  const bytes = fs.readFileSync(file);
  const out: number[] = [];
  for (let pos = 0; pos + 12 <= bytes.length; pos += 12 + bytes.readInt32BE(pos + 8)) out.push(pos);
  return out;
}

function flip(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes[at] ^= 0x5a;
  fs.writeFileSync(file, bytes);
}

async function expectIntactPrefix(dir: string, lastIndex: number): Promise<void> {
  const log = await open(dir);
  try {
    expect(log.lastIndex()).toBe(lastIndex);
    const all = log.entries(1, lastIndex + 1, Number.MAX_SAFE_INTEGER);
    expect(all.map((e) => e.index)).toEqual(Array.from({ length: lastIndex }, (_, i) => i + 1));
    expect(log.logEndOffset()).toBe(Math.min(lastIndex, 40) * 2);
    // The log takes new writes where the intact part ends, and they survive a reopen.
    appendData(log, 2, 2, 2);
    await log.sync();
  } finally {
    await log.close();
  }
  const again = await open(dir);
  expect(again.lastIndex()).toBe(lastIndex + 2);
  await again.close();
}

describe("torn tails are cut off", () => {
  it("a segment cut in the middle of its last frame", async () => {
    const dir = await sampleLog();
    const last = segments(dir).at(-1)!;
    const cutInto = frames(last).at(-2)!; // the last data frame (the no-op follows it)
    fs.truncateSync(last, cutInto + 30);
    await expectIntactPrefix(dir, 39);
  });

  it("a segment cut inside a frame header", async () => {
    const dir = await sampleLog();
    const last = segments(dir).at(-1)!;
    fs.truncateSync(last, frames(last).at(-1)! + 7);
    await expectIntactPrefix(dir, 40);
  });

  it("flipped bytes in the last data frame", async () => {
    const dir = await sampleLog();
    const last = segments(dir).at(-1)!;
    const pos = frames(last).at(-1)!;
    fs.truncateSync(last, pos); // drop the no-op so the data frame is last
    flip(last, frames(last).at(-1)! + 70);
    await expectIntactPrefix(dir, 39);
  });

  it("flipped bytes in the last private frame, or a garbage length", async () => {
    const dir = await sampleLog();
    const last = segments(dir).at(-1)!;
    flip(last, frames(last).at(-1)! + 13);
    await expectIntactPrefix(dir, 40);
    const dir2 = await sampleLog();
    const last2 = segments(dir2).at(-1)!;
    flip(last2, frames(last2).at(-1)! + 8);
    await expectIntactPrefix(dir2, 40);
  });

  it("zeros after the last frame (a file extended but never written)", async () => {
    const dir = await sampleLog();
    const last = segments(dir).at(-1)!;
    fs.appendFileSync(last, Buffer.alloc(5000));
    await expectIntactPrefix(dir, 41);
  });
});

describe("damage before the tail is corruption", () => {
  it("a flipped byte in a middle frame of the last segment fails open with file and position", async () => {
    const dir = await sampleLog();
    const last = segments(dir).at(-1)!;
    const pos = frames(last)[1];
    flip(last, pos + 40);
    const err = await open(dir).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptLogError);
    expect(err.file).toBe(last);
    expect(err.position).toBe(pos);
    expect(err.message).toContain(path.basename(last));
  });

  it("a broken baseOffset (outside the batch CRC) in a middle frame", async () => {
    const dir = await sampleLog();
    const last = segments(dir).at(-1)!;
    const pos = frames(last)[0];
    flip(last, pos + 7);
    const err = await open(dir).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptLogError);
    expect(err.position).toBe(pos);
  });

  it("a flipped byte in a sealed segment whose index must be rebuilt", async () => {
    const dir = await sampleLog();
    const sealed = segments(dir)[1];
    fs.rmSync(sealed.replace(/\.log$/, ".index"));
    const pos = frames(sealed).at(-1)!; // even its last frame: it is not the log's tail
    flip(sealed, pos + 65);
    const err = await open(dir).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptLogError);
    expect(err.file).toBe(sealed);
    expect(err.position).toBe(pos);
  });

  it("a sealed segment cut short", async () => {
    const dir = await sampleLog();
    const sealed = segments(dir)[0];
    fs.truncateSync(sealed, fs.statSync(sealed).size - 10);
    await expect(open(dir)).rejects.toThrow(CorruptLogError);
  });

  it("a sealed segment with a valid index: caught by verify=full on open, and by every read", async () => {
    const dir = await sampleLog();
    const sealed = segments(dir)[0];
    const pos = frames(sealed)[2];
    flip(sealed, pos + 65);
    await expect(open(dir, { verify: "full" })).rejects.toThrow(CorruptLogError);
    const log = await open(dir);
    expect(() => log.entries(1, 10, Number.MAX_SAFE_INTEGER)).toThrow(CorruptLogError);
    expect(() => log.read(0, { maxBytes: 1 << 20 })).toThrow(CorruptLogError);
    await log.close();
  });

  it("a missing segment file", async () => {
    const dir = await sampleLog();
    fs.rmSync(segments(dir)[1]);
    await expect(open(dir)).rejects.toThrow(CorruptLogError);
    const dir2 = await sampleLog();
    fs.rmSync(segments(dir2)[0]);
    await expect(open(dir2)).rejects.toThrow(/missing/);
  });
});
