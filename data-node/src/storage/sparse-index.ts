import fs from "node:fs";
import { crc32c } from "@node-rs/crc32";

// One sparse index point: the frame at byte `pos` is the segment's `rel`-th and starts at Kafka offset
// `offset`; `maxTsBefore` is the largest record timestamp of the frames before it (-1 if none). One list
// serves lookups by Raft index, by Kafka offset and by timestamp, since all four grow with position.
export interface IndexPoint {
  rel: number;
  pos: number;
  offset: number;
  maxTsBefore: number;
}

// Points live in one growable Float64Array (4 numbers each): every sealed segment's index stays in
// memory, so it must be compact.
export class SparseIndex {
  private data = new Float64Array(4 * 16);
  private n = 0;

  constructor(
    readonly intervalBytes: number,
    baseOffset: number,
  ) {
    this.push({ rel: 0, pos: 0, offset: baseOffset, maxTsBefore: -1 });
  }

  get length(): number {
    return this.n;
  }

  at(k: number): IndexPoint {
    const d = this.data;
    return { rel: d[4 * k], pos: d[4 * k + 1], offset: d[4 * k + 2], maxTsBefore: d[4 * k + 3] };
  }

  // Called for every frame appended; keeps a point every intervalBytes.
  observe(rel: number, pos: number, offset: number, maxTsBefore: number): void {
    if (pos - this.data[4 * (this.n - 1) + 1] >= this.intervalBytes)
      this.push({ rel, pos, offset, maxTsBefore });
  }

  push(p: IndexPoint): void {
    if (4 * (this.n + 1) > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set([p.rel, p.pos, p.offset, p.maxTsBefore], 4 * this.n);
    this.n++;
  }

  // Releases the growth slack once the segment is sealed.
  trim(): void {
    this.data = this.data.slice(0, 4 * this.n);
  }

  // Drops every point, including the segment start (used when loading an index file).
  clear(): void {
    this.n = 0;
  }

  floorByRel(rel: number): IndexPoint {
    return this.floor(0, (v) => v <= rel);
  }

  // Last point at or before the frame holding `offset`: any point past that frame starts above it.
  floorByOffset(offset: number): IndexPoint {
    return this.floor(2, (v) => v <= offset);
  }

  // Last point before which no record reaches `timestamp`.
  floorByTimestamp(timestamp: number): IndexPoint {
    return this.floor(3, (v) => v < timestamp);
  }

  truncateFrom(pos: number): void {
    while (this.n > 1 && this.data[4 * (this.n - 1) + 1] >= pos) this.n--;
  }

  // Binary search on one field (all four grow with position); the segment start always qualifies.
  private floor(field: number, ok: (v: number) => boolean): IndexPoint {
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ok(this.data[4 * mid + field])) lo = mid;
      else hi = mid - 1;
    }
    return this.at(lo);
  }
}

// What a sealed segment's .index file records besides its points.
export interface SegmentSummary {
  baseIndex: number;
  size: number;
  count: number;
  baseOffset: number;
  nextOffset: number;
  maxTimestamp: number;
  lastTerm: number;
  createdAtMs: number;
}

// .index file: "CRXI" | version u8 | summary (8 × f64) | point count u32 | points (4 × f64 each) | CRC-32C.
// Doubles hold every integer below 2^53 exactly.
const MAGIC = 0x43525849;
const VERSION = 1;
const SUMMARY_FIELDS = [
  "baseIndex",
  "size",
  "count",
  "baseOffset",
  "nextOffset",
  "maxTimestamp",
  "lastTerm",
  "createdAtMs",
] as const;

export function encodeIndexFile(summary: SegmentSummary, index: SparseIndex): Buffer {
  const n = index.length;
  const buf = Buffer.allocUnsafe(5 + SUMMARY_FIELDS.length * 8 + 4 + n * 32 + 4);
  buf.writeUInt32BE(MAGIC, 0);
  buf[4] = VERSION;
  let at = 5;
  for (const field of SUMMARY_FIELDS) at = buf.writeDoubleBE(summary[field], at);
  at = buf.writeUInt32BE(n, at);
  for (let k = 0; k < n; k++) {
    const p = index.at(k);
    at = buf.writeDoubleBE(p.rel, at);
    at = buf.writeDoubleBE(p.pos, at);
    at = buf.writeDoubleBE(p.offset, at);
    at = buf.writeDoubleBE(p.maxTsBefore, at);
  }
  buf.writeUInt32BE(crc32c(buf.subarray(0, at)), at);
  return buf;
}

// The index file's contents, or null when it is missing or damaged (it is rebuilt then).
export function readIndexFile(
  file: string,
  intervalBytes: number,
): { summary: SegmentSummary; index: SparseIndex } | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return null;
  }
  const fixed = 5 + SUMMARY_FIELDS.length * 8 + 4;
  if (buf.length < fixed + 4 || buf.readUInt32BE(0) !== MAGIC || buf[4] !== VERSION) return null;
  const n = buf.readUInt32BE(fixed - 4);
  if (buf.length !== fixed + n * 32 + 4 || n < 1) return null;
  if (crc32c(buf.subarray(0, buf.length - 4)) !== buf.readUInt32BE(buf.length - 4)) return null;
  const summary = {} as SegmentSummary;
  let at = 5;
  for (const field of SUMMARY_FIELDS) {
    summary[field] = buf.readDoubleBE(at);
    at += 8;
  }
  at += 4;
  const index = new SparseIndex(intervalBytes, summary.baseOffset);
  index.clear();
  for (let i = 0; i < n; i++, at += 32) {
    index.push({
      rel: buf.readDoubleBE(at),
      pos: buf.readDoubleBE(at + 8),
      offset: buf.readDoubleBE(at + 16),
      maxTsBefore: buf.readDoubleBE(at + 24),
    });
  }
  index.trim();
  return { summary, index };
}
