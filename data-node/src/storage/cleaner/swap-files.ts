import fs from "node:fs";
import path from "node:path";
import { CorruptLogError } from "../errors.ts";
import { FRAME_PREFIX, frameSize } from "../format.ts";
import { parseSegmentFileName, segmentFileName } from "../segment.ts";
import type { SyncOps } from "../sync-ops.ts";

/*
 * How a cleaned segment replaces the segments it was cleaned from, crash-safely (Kafka's .cleaned and
 * .swap files):
 *
 *   1. the cleaner writes <base>.log.cleaned and fdatasyncs it;
 *   2. it is renamed to <base>.log.swap and the directory fsynced: from here on the swap must finish;
 *   3. the old segments' files (<base>.log and the following ones the swap covers) are removed, the
 *      swap renamed to <base>.log, and the directory fsynced.
 *
 * At open, a .cleaned file is an unfinished cleaning and goes; a .swap file is finished: the segment
 * files its frames cover are removed and it takes its name. Either way the log is whole.
 */

export function cleanedPath(dir: string, baseIndex: number): string {
  return path.join(dir, `${segmentFileName(baseIndex)}.cleaned`);
}

export function swapPath(dir: string, baseIndex: number): string {
  return path.join(dir, `${segmentFileName(baseIndex)}.swap`);
}

export function finishInterruptedCleaning(dir: string, sync: SyncOps | null): void {
  let touched = false;
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(".cleaned")) {
      fs.rmSync(path.join(dir, name), { force: true });
      touched = true;
      continue;
    }
    if (!name.endsWith(".swap")) continue;
    const base = parseSegmentFileName(name.slice(0, -".swap".length));
    if (base === null) continue;
    const swap = path.join(dir, name);
    const count = countFrames(swap);
    for (const other of fs.readdirSync(dir)) {
      const b = parseSegmentFileName(other);
      if (b === null || b < base || b >= base + count) continue;
      fs.rmSync(path.join(dir, other), { force: true });
      fs.rmSync(path.join(dir, other.replace(/\.log$/, ".index")), { force: true });
    }
    fs.renameSync(swap, path.join(dir, segmentFileName(base)));
    touched = true;
  }
  if (touched) sync?.fsyncDirSync(dir);
}

function countFrames(file: string): number {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const prefix = Buffer.alloc(FRAME_PREFIX);
    let pos = 0;
    let count = 0;
    while (pos < size) {
      const n = fs.readSync(fd, prefix, 0, FRAME_PREFIX, pos);
      const frame = n === FRAME_PREFIX ? frameSize(prefix) : null;
      if (frame === null || pos + frame > size)
        throw new CorruptLogError(file, pos, "a finished cleaning's swap file does not parse");
      pos += frame;
      count++;
    }
    return count;
  } finally {
    fs.closeSync(fd);
  }
}
