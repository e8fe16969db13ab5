import fs from "node:fs";
import { setTimeout as sleep, setImmediate as yieldToLoop } from "node:timers/promises";
import { ChunkedReader } from "../chunked-reader.ts";
import type { DurableLog } from "../durable-log.ts";
import { CorruptLogError } from "../errors.ts";
import { FRAME_PREFIX, type FrameHeader, frameSize, readHeader } from "../format.ts";
import { readCheckedFrame, Segment } from "../segment.ts";
import { SparseIndex } from "../sparse-index.ts";
import { type CleanParams, cleanBatch } from "./clean-batch.ts";
import { fillMap } from "./clean-pass.ts";
import { OffsetMap } from "./offset-map.ts";
import { cleanedPath } from "./swap-files.ts";

// One compaction decision, the same on every replica: clean the log below `end`, with the records of
// [firstDirty, end) (the dirty section) superseding older ones, as of `now`.
export interface CleanDecision extends CleanParams {
  firstDirty: number;
  end: number;
}

export interface CleanerLimits {
  // The offset map's memory budget: a dirty section whose keys do not fit is cleaned in several passes.
  mapBytes: number;
  // Read + written bytes per second; Infinity for no throttle.
  ioBytesPerSec: number;
  // Consecutive segments are merged into one cleaned segment up to this size (Kafka's grouping).
  segmentBytes: number;
}

export interface CleanStats {
  passes: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsWritten: number;
  // The earliest time a later cleaning may remove a tombstone still in the log (null: none left).
  earliestTombstoneHorizon: number | null;
}

export type CleanableLog = Pick<
  DurableLog,
  "dir" | "segmentsToClean" | "installCleaned" | "syncFile" | "logStartOffset"
>;

// The log changed under a cleaning (retention, a snapshot, a truncation): it is to be run again.
export class CleaningInterrupted extends Error {}

const READ_CHUNK = 1024 * 1024;
const WRITE_CHUNK = 1024 * 1024;
// Input bytes between two yields to the event loop, so produce and fetch keep their latency.
const YIELD_EVERY = 256 * 1024;

// Applies a decision to this replica's segments: builds the offset map over the dirty section (in as
// many passes as the map's budget needs), then rewrites every segment below the pass's end. Each
// pass's result is that of a single pass with an unbounded map, so replicas with other budgets (or a
// re-run after a crash) end with the same records.
export async function cleanLog(
  log: CleanableLog,
  d: CleanDecision,
  limits: CleanerLimits,
): Promise<CleanStats> {
  const stats: CleanStats = {
    passes: 0,
    bytesRead: 0,
    bytesWritten: 0,
    recordsRead: 0,
    recordsWritten: 0,
    earliestTombstoneHorizon: null,
  };
  const io = new Throttle(limits.ioBytesPerSec);
  const map = new OffsetMap(limits.mapBytes);
  let from = Math.max(d.firstDirty, log.logStartOffset());
  do {
    map.clear();
    const frames = framesFrom(log.segmentsToClean(d.end), from);
    const mapped = await fillMap(frames, map, from, d.end, (bytes) => io.spent(bytes));
    stats.passes++;
    stats.earliestTombstoneHorizon = null;
    await rewrite(log, mapped, map, d, limits, io, stats);
    from = mapped;
  } while (from < d.end);
  return stats;
}

async function rewrite(
  log: CleanableLog,
  mapped: number,
  map: OffsetMap,
  d: CleanDecision,
  limits: CleanerLimits,
  io: Throttle,
  stats: CleanStats,
): Promise<void> {
  const segments = log.segmentsToClean(d.end).filter((s) => s.baseOffset < mapped);
  for (const group of groupBySize(segments, limits.segmentBytes)) {
    const olds = group.map((segment) => ({ segment, size: segment.size, count: segment.count }));
    const first = group[0];
    const file = cleanedPath(log.dir, first.baseIndex);
    const cleaned = new Segment(
      log.dir,
      first.baseIndex,
      0,
      0,
      first.baseOffset,
      first.baseOffset,
      -1,
      first.lastTerm,
      group[group.length - 1].createdAtMs,
      new SparseIndex(first.index.intervalBytes, first.baseOffset),
    );
    cleaned.fd = fs.openSync(file, "w");
    let changed = group.length > 1;
    let installed = false;
    try {
      let frames: Buffer[] = [];
      let headers: FrameHeader[] = [];
      let pending = 0;
      const flush = () => {
        if (frames.length > 0) cleaned.append(frames, headers);
        stats.bytesWritten += pending;
        frames = [];
        headers = [];
        pending = 0;
      };
      for (const seg of group) {
        for (const { frame, header } of framesOf(seg)) {
          let out = frame;
          if (header.isData && header.nextOffset <= mapped && !header.empty) {
            const r = await cleanBatch(frame, map, d);
            stats.recordsRead += r.recordsIn;
            stats.recordsWritten += r.recordsOut;
            if (r.tombstoneHorizon !== null)
              stats.earliestTombstoneHorizon = Math.min(
                stats.earliestTombstoneHorizon ?? r.tombstoneHorizon,
                r.tombstoneHorizon,
              );
            if (r.changed) {
              out = r.batch;
              changed = true;
            }
          }
          stats.bytesRead += header.size;
          frames.push(out);
          headers.push(out === frame ? header : readHeader(out, out.length));
          pending += out.length;
          if (pending >= WRITE_CHUNK) flush();
          await io.spent(header.size);
        }
      }
      flush();
      // Nothing to gain from a copy of a lone segment: it stays as it is.
      if (!changed) continue;
      cleaned.index.trim();
      await log.syncFile(cleaned.fd);
      cleaned.closeFd();
      installed = log.installCleaned(olds, cleaned, file);
      if (!installed) throw new CleaningInterrupted(`segments of ${log.dir} changed while they were cleaned`);
    } finally {
      cleaned.closeFd();
      if (!installed) fs.rmSync(file, { force: true });
    }
  }
}

// Consecutive segments totalling at most maxBytes (before cleaning) become one segment, so repeated
// cleanings do not leave ever smaller files.
export function groupBySize(segments: readonly Segment[], maxBytes: number): Segment[][] {
  const groups: Segment[][] = [];
  let size = 0;
  for (const s of segments) {
    const last = groups[groups.length - 1];
    if (last && size + s.size <= maxBytes) {
      last.push(s);
      size += s.size;
    } else {
      groups.push([s]);
      size = s.size;
    }
  }
  return groups;
}

function* framesFrom(segments: Segment[], from: number): Generator<{ frame: Buffer; header: FrameHeader }> {
  for (const seg of segments) if (seg.nextOffset > from) yield* framesOf(seg);
}

// Every frame of a sealed segment, CRC-checked: a cleaning never carries damage into a new file.
function* framesOf(seg: Segment): Generator<{ frame: Buffer; header: FrameHeader }> {
  const { size, count, logPath } = seg;
  const fd = fs.openSync(logPath, "r");
  try {
    const reader = new ChunkedReader(fd, size, READ_CHUNK);
    let pos = 0;
    for (let rel = 0; rel < count; rel++) {
      const prefix = reader.view(pos, FRAME_PREFIX);
      const frameBytes = prefix === null ? null : frameSize(prefix);
      if (frameBytes === null) throw new CorruptLogError(logPath, pos, "bad frame length while cleaning");
      const frame = readCheckedFrame(reader, logPath, pos, frameBytes, true);
      yield { frame, header: readHeader(frame, frameBytes) };
      pos += frameBytes;
    }
  } finally {
    fs.closeSync(fd);
  }
}

// Bounds the cleaner's I/O rate and hands the event loop back regularly.
class Throttle {
  private readonly started = performance.now();
  private bytes = 0;
  private sinceYield = 0;

  constructor(private readonly bytesPerSec: number) {}

  async spent(bytes: number): Promise<void> {
    this.bytes += bytes;
    this.sinceYield += bytes;
    if (this.sinceYield < YIELD_EVERY) return;
    this.sinceYield = 0;
    const due = (this.bytes / this.bytesPerSec) * 1000 - (performance.now() - this.started);
    if (due > 0) await sleep(due);
    else await yieldToLoop();
  }
}
