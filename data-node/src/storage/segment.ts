import fs from "node:fs";
import path from "node:path";
import { ChunkedReader } from "./chunked-reader.ts";
import { CorruptLogError } from "./errors.ts";
import { FRAME_PEEK, FRAME_PREFIX, type FrameHeader, frameProblem, frameSize, readHeader } from "./format.ts";
import { encodeIndexFile, type IndexPoint, type SegmentSummary, type SparseIndex } from "./sparse-index.ts";

export function segmentFileName(baseIndex: number): string {
  return `${String(baseIndex).padStart(20, "0")}.log`;
}

export function parseSegmentFileName(name: string): number | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m ? Number(m[1]) : null;
}

// A frame's bytes after full validation; anything else read back from disk is corruption.
export function readCheckedFrame(
  reader: ChunkedReader,
  file: string,
  pos: number,
  size: number,
  recordBatches: boolean,
): Buffer {
  const frame = reader.view(pos, size);
  const problem =
    frame === null ? "frame runs past the end of the segment" : frameProblem(frame, recordBatches);
  if (problem !== null) throw new CorruptLogError(file, pos, problem);
  return frame!;
}

// One segment file and what the log knows about it. The active segment keeps its descriptor open;
// sealed ones are opened for the duration of a read.
export class Segment implements SegmentSummary {
  fd: number | null = null;

  constructor(
    readonly dir: string,
    readonly baseIndex: number,
    public size: number,
    public count: number,
    public baseOffset: number,
    public nextOffset: number,
    public maxTimestamp: number,
    public lastTerm: number,
    public createdAtMs: number,
    public index: SparseIndex,
  ) {}

  get logPath(): string {
    return path.join(this.dir, segmentFileName(this.baseIndex));
  }

  get indexPath(): string {
    return this.logPath.replace(/\.log$/, ".index");
  }

  get lastIndex(): number {
    return this.baseIndex + this.count - 1;
  }

  summary(): SegmentSummary {
    const { baseIndex, size, count, baseOffset, nextOffset, maxTimestamp, lastTerm, createdAtMs } = this;
    return { baseIndex, size, count, baseOffset, nextOffset, maxTimestamp, lastTerm, createdAtMs };
  }

  openForWrite(create: boolean): number {
    if (this.fd === null) this.fd = fs.openSync(this.logPath, create ? "wx+" : "r+");
    return this.fd;
  }

  // Appends frames at the end; returns each frame's position.
  append(frames: Buffer[], headers: FrameHeader[]): number[] {
    const fd = this.openForWrite(false);
    // Write first: if it throws (ENOSPC, EIO) the in-memory view still matches the valid frames.
    writeAllSync(fd, frames, this.size);
    const positions: number[] = [];
    let pos = this.size;
    for (let i = 0; i < frames.length; i++) {
      const h = headers[i];
      this.index.observe(this.count, pos, h.baseOffset, this.maxTimestamp);
      positions.push(pos);
      pos += h.size;
      this.count++;
      this.nextOffset = h.nextOffset;
      this.lastTerm = h.term;
      if (h.maxTimestamp > this.maxTimestamp) this.maxTimestamp = h.maxTimestamp;
    }
    this.size = pos;
    return positions;
  }

  writeIndexFile(): void {
    fs.writeFileSync(this.indexPath, encodeIndexFile(this.summary(), this.index));
  }

  // Visits frames from an index point on, until the visitor returns false or the segment ends.
  walk(
    from: IndexPoint,
    chunkBytes: number,
    visit: (rel: number, pos: number, header: FrameHeader, reader: ChunkedReader) => boolean,
  ): void {
    const ownFd = this.fd === null;
    const fd = ownFd ? fs.openSync(this.logPath, "r") : this.fd!;
    try {
      const reader = new ChunkedReader(fd, this.size, chunkBytes);
      let pos = from.pos;
      for (let rel = from.rel; rel < this.count; rel++) {
        const prefix = reader.view(pos, FRAME_PREFIX);
        const size = prefix === null ? null : frameSize(prefix);
        if (size === null) throw new CorruptLogError(this.logPath, pos, "bad frame length on read");
        const peek = reader.view(pos, Math.min(size, FRAME_PEEK));
        if (peek === null) throw new CorruptLogError(this.logPath, pos, "frame runs past the segment");
        if (!visit(rel, pos, readHeader(peek, size), reader)) return;
        pos += size;
      }
    } finally {
      if (ownFd) fs.closeSync(fd);
    }
  }

  // Position and header of the frame with Raft index `index` (which must be in this segment).
  locate(index: number): { pos: number; header: FrameHeader; maxTsBefore: number } {
    const rel = index - this.baseIndex;
    const point = this.index.floorByRel(rel);
    let found: { pos: number; header: FrameHeader; maxTsBefore: number } | null = null;
    let maxTs = point.maxTsBefore;
    this.walk(point, 16 * 1024, (r, pos, header) => {
      if (r === rel) {
        found = { pos, header, maxTsBefore: maxTs };
        return false;
      }
      if (header.maxTimestamp > maxTs) maxTs = header.maxTimestamp;
      return true;
    });
    if (found === null)
      throw new CorruptLogError(this.logPath, this.size, `frame for index ${index} not found`);
    return found;
  }

  // Cuts the segment so that `index` becomes its next frame. `termBefore` is the term of index - 1.
  truncateTo(index: number, termBefore: number): void {
    if (index > this.lastIndex) return;
    const rel = index - this.baseIndex;
    const { pos, header, maxTsBefore } =
      rel === 0 ? { pos: 0, header: null, maxTsBefore: -1 } : this.locate(index);
    fs.rmSync(this.indexPath, { force: true });
    const fd = this.openForWrite(false);
    fs.ftruncateSync(fd, pos);
    this.size = pos;
    this.count = rel;
    this.nextOffset = header === null ? this.baseOffset : header.baseOffset;
    this.maxTimestamp = maxTsBefore;
    this.lastTerm = termBefore;
    this.index.truncateFrom(pos);
  }

  closeFd(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

function writeAllSync(fd: number, buffers: Buffer[], position: number): void {
  let pos = position;
  let pending = buffers;
  while (pending.length > 0) {
    let written = fs.writevSync(fd, pending, pos);
    pos += written;
    const rest: Buffer[] = [];
    for (const b of pending) {
      if (written >= b.length) {
        written -= b.length;
      } else {
        rest.push(written > 0 ? b.subarray(written) : b);
        written = 0;
      }
    }
    pending = rest;
  }
}
