import fs from "node:fs";
import path from "node:path";
import { type Logger, silentLogger } from "../../../shared/log.ts";
import { CompactedError, type RaftStorage, UnavailableError } from "../raft/storage.ts";
import { type ConfState, type Entry, entryBytes, type HardState, type Snapshot } from "../raft/types.ts";
import type { ChunkedReader } from "./chunked-reader.ts";
import { finishInterruptedCleaning, swapPath } from "./cleaner/swap-files.ts";
import { CorruptLogError, InvalidEntryError, LogFailedError, OffsetOutOfRangeError } from "./errors.ts";
import { decodeFrame, encodeEntry, type FrameHeader, PRIVATE_HEADER, readHeader } from "./format.ts";
import { findRecordAtOrAfter } from "./record-batch.ts";
import { scanSegment } from "./recovery.ts";
import { parseSegmentFileName, readCheckedFrame, Segment, segmentFileName } from "./segment.ts";
import { readIndexFile, SparseIndex } from "./sparse-index.ts";
import {
  decodeLogStartSnapshot,
  decodeSnapshotLogStartOffset,
  encodeLogStartSnapshot,
  type LogStart,
  type RaftState,
  readLogStart,
  readRaftState,
  readSnapshot,
  writeLogStart,
  writeRaftState,
  writeSnapshot,
} from "./state-files.ts";
import { nodeSyncOps, type SyncOps } from "./sync-ops.ts";
import { TailCache } from "./tail-cache.ts";

export interface DurableLogOptions {
  dir: string;
  // true for partitions: Normal non-empty entries are Kafka record batches v2. false for __meta.
  recordBatches: boolean;
  segmentBytes?: number;
  segmentMs?: number;
  indexIntervalBytes?: number;
  cacheBytes?: number;
  retentionMs?: number; // -1: keep forever
  retentionBytes?: number; // -1: no size limit
  // "never" leaves durability to the OS: for benchmarks only.
  fsync?: "always" | "never";
  // "full" CRC-checks every sealed segment on open, not only those whose index is missing or stale.
  verify?: "tail" | "full";
  syncOps?: SyncOps;
  clock?: () => number;
  logger?: Logger;
}

type Resolved = Required<Omit<DurableLogOptions, "logger">> & { logger: Logger };

export const DEFAULT_LOG_OPTIONS = {
  segmentBytes: 128 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  // A point per 32 KiB: ~1 KiB of memory per MiB of log, and a lookup scans at most 32 KiB of headers.
  indexIntervalBytes: 32 * 1024,
  cacheBytes: 4 * 1024 * 1024,
  retentionMs: -1,
  retentionBytes: -1,
  fsync: "always",
  verify: "tail",
} as const;

export interface ReadOptions {
  maxBytes: number;
  // Exclusive bound (the high watermark): no batch reaching this offset is returned.
  maxOffset?: number;
  // KIP-74: return the first batch even if it exceeds maxBytes (default). A fetch that already has
  // data from an earlier partition turns this off.
  atLeastOne?: boolean;
}

export interface FetchResult {
  batches: Buffer[]; // whole record batches, in offset order
  bytes: number;
  nextOffset: number; // offset after the last batch returned (the fetch offset if none)
}

const READ_CHUNK = 256 * 1024;
const MAX_READ_CHUNK = 8 * 1024 * 1024;

// One Raft group's durable log: segment files + sparse indexes + a tail cache. Implements the
// synchronous RaftStorage the Raft core reads, and the Kafka-facing reads a partition serves fetches
// and ListOffsets from. Writes reach the OS on append(); sync() (or a GroupCommitter) makes them durable.
export class DurableLog implements RaftStorage {
  private segments: Segment[] = [];
  private readonly cache: TailCache;
  private start: LogStart = { index: 0, term: 0, nextOffset: 0, resetting: false };
  // The Kafka log start offset: start.nextOffset, or beyond it (inside the log) after DeleteRecords.
  private startOffset = 0;
  private raftState!: RaftState;
  private storedSnapshot: Snapshot | null = null;
  private writeGen = 0;
  private syncedGen = 0;
  private flushing: Promise<void> | null = null;
  private readonly inFlight = new Set<Segment>();
  private dirDirty = false;
  private failure: LogFailedError | null = null;
  private stateWrites: Promise<void> = Promise.resolve();
  private startChanges: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly o: Resolved;
  private readonly sync_: SyncOps | null;

  private constructor(options: DurableLogOptions) {
    this.o = {
      ...DEFAULT_LOG_OPTIONS,
      syncOps: nodeSyncOps,
      clock: Date.now,
      ...options,
      logger: (options.logger ?? silentLogger).child({ log: options.dir }),
    };
    this.cache = new TailCache(this.o.cacheBytes);
    this.sync_ = this.o.fsync === "always" ? this.o.syncOps : null;
  }

  static async open(options: DurableLogOptions): Promise<DurableLog> {
    const log = new DurableLog(options);
    const created = await fs.promises.mkdir(options.dir, { recursive: true });
    if (created !== undefined && log.sync_) await log.sync_.fsyncDir(path.dirname(options.dir));
    try {
      await log.recover();
    } catch (err) {
      for (const s of log.segments) s.closeFd();
      if (err instanceof CorruptLogError) log.o.logger.error({ err }, "log is corrupt; refusing to open it");
      throw err;
    }
    return log;
  }

  get dir(): string {
    return this.o.dir;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  // ---- recovery ----

  private async recover(): Promise<void> {
    const { dir } = this.o;
    finishInterruptedCleaning(dir, this.sync_);
    const names = fs.readdirSync(dir);
    for (const n of names) if (n.endsWith(".tmp")) fs.rmSync(path.join(dir, n), { force: true });
    this.raftState = readRaftState(dir);
    this.start = readLogStart(dir);
    this.startOffset = this.start.logStartOffset ?? this.start.nextOffset;
    this.storedSnapshot = readSnapshot(dir);
    let bases = names
      .map(parseSegmentFileName)
      .filter((b): b is number => b !== null)
      .sort((a, b) => a - b);
    for (const n of names) {
      if (n.endsWith(".index") && !names.includes(n.replace(/\.index$/, ".log")))
        fs.rmSync(path.join(dir, n));
    }
    const removeFiles = (base: number) => {
      const file = path.join(dir, segmentFileName(base));
      fs.rmSync(file, { force: true });
      fs.rmSync(file.replace(/\.log$/, ".index"), { force: true });
      this.dirDirty = true;
    };
    if (this.start.resetting) {
      this.o.logger.info("finishing an interrupted snapshot install");
      bases.forEach(removeFiles);
      bases = [];
    }
    // Segments left behind by a compaction that stopped before deleting them.
    while (bases.length >= 2 && bases[1] - 1 <= this.start.index) removeFiles(bases.shift()!);
    if (bases.length > 0 && bases[0] > this.start.index + 1) {
      throw new CorruptLogError(
        path.join(dir, segmentFileName(bases[0])),
        0,
        `log starts at index ${bases[0]} but entries from ${this.start.index + 1} are missing`,
      );
    }
    let expectedOffset: number | null = bases[0] === this.start.index + 1 ? this.start.nextOffset : null;
    let minTerm = bases[0] === this.start.index + 1 ? this.start.term : 0;
    for (let i = 0; i < bases.length; i++) {
      const seg = await this.recoverSegment(bases[i], bases[i + 1] ?? null, expectedOffset, minTerm);
      this.segments.push(seg);
      expectedOffset = seg.nextOffset;
      minTerm = seg.lastTerm;
    }
    if (this.segments.length > 0 && this.active.lastIndex < this.start.index) {
      this.o.logger.warn(
        { lastIndex: this.active.lastIndex, start: this.start.index },
        "log ends before its start; discarding it",
      );
      for (const s of this.segments.splice(0)) this.removeSegment(s);
    }
    if (this.segments.length === 0) {
      const { index, nextOffset, term } = this.start;
      this.segments.push(this.newSegment(index + 1, nextOffset, term));
      this.cache.clear();
    }
    this.cache.dropBefore(this.start.index + 1);
    if (this.sync_) await this.sync_.fsyncDir(dir);
    this.dirDirty = false;
    if (this.start.resetting) {
      this.start = { ...this.start, resetting: false };
      await writeLogStart(dir, this.start, this.sync_);
    }
    this.o.logger.info(
      { firstIndex: this.firstIndex(), lastIndex: this.lastIndex(), segments: this.segments.length },
      "log opened",
    );
  }

  private async recoverSegment(
    base: number,
    nextBase: number | null,
    expectedOffset: number | null,
    minTerm: number,
  ): Promise<Segment> {
    const { dir, indexIntervalBytes, recordBatches } = this.o;
    const file = path.join(dir, segmentFileName(base));
    const isLast = nextBase === null;
    const fileSize = fs.statSync(file).size;
    if (!isLast && this.o.verify === "tail") {
      const idx = readIndexFile(file.replace(/\.log$/, ".index"), indexIntervalBytes);
      const s = idx?.summary;
      if (
        idx &&
        s &&
        s.size === fileSize &&
        s.baseIndex === base &&
        s.baseIndex + s.count === nextBase &&
        (expectedOffset === null || s.baseOffset === expectedOffset) &&
        s.lastTerm >= minTerm
      ) {
        return new Segment(
          dir,
          base,
          s.size,
          s.count,
          s.baseOffset,
          s.nextOffset,
          s.maxTimestamp,
          s.lastTerm,
          s.createdAtMs,
          idx.index,
        );
      }
      this.o.logger.info({ file }, "rebuilding segment index");
    }
    const fd = fs.openSync(file, isLast ? "r+" : "r");
    let keepFd = false;
    try {
      // After a process crash the page cache may hold writes of the last segment that never reached
      // the disk: make what we are about to trust durable before Raft builds on it. (Sealed segments
      // were synced when they rolled.)
      if (isLast && this.sync_) await this.sync_.fdatasync(fd);
      const r = scanSegment({
        file,
        fd,
        fileSize,
        baseIndex: base,
        expectedOffset,
        minTerm,
        recordBatches,
        tolerateTornTail: isLast,
        intervalBytes: indexIntervalBytes,
        onFrame: isLast
          ? (index, _pos, frame, header) => this.cacheFrame(index, Buffer.from(frame), header)
          : undefined,
      });
      if (r.torn) {
        this.o.logger.warn(
          { file, at: r.torn.at, reason: r.torn.reason, cut: fileSize - r.torn.at },
          "truncating torn log tail",
        );
        fs.ftruncateSync(fd, r.validBytes);
        if (this.sync_) await this.sync_.fdatasync(fd);
      }
      if (!isLast && base + r.count !== nextBase) {
        throw new CorruptLogError(
          file,
          r.validBytes,
          `segment holds ${r.count} entries but the next starts at ${nextBase}`,
        );
      }
      const baseOffset = r.baseOffset ?? expectedOffset ?? this.start.nextOffset;
      const seg = new Segment(
        dir,
        base,
        r.validBytes,
        r.count,
        baseOffset,
        r.nextOffset ?? baseOffset,
        r.maxTimestamp,
        r.lastTerm,
        isLast ? this.o.clock() : fs.statSync(file).mtimeMs,
        r.index ?? new SparseIndex(indexIntervalBytes, baseOffset),
      );
      if (isLast) {
        seg.fd = fd;
        keepFd = true;
      } else {
        seg.index.trim();
        seg.writeIndexFile();
      }
      return seg;
    } finally {
      if (!keepFd) fs.closeSync(fd);
    }
  }

  private newSegment(baseIndex: number, baseOffset: number, lastTerm: number): Segment {
    const seg = new Segment(
      this.o.dir,
      baseIndex,
      0,
      0,
      baseOffset,
      baseOffset,
      -1,
      lastTerm,
      this.o.clock(),
      new SparseIndex(this.o.indexIntervalBytes, baseOffset),
    );
    seg.openForWrite(true);
    this.dirDirty = true;
    return seg;
  }

  private cacheFrame(index: number, frame: Buffer, header: FrameHeader, entry?: Entry): void {
    this.cache.push({ entry: entry ?? decodeFrame(frame, index), header, frame });
  }

  // ---- RaftStorage ----

  initialState(): { hardState: HardState; confState: ConfState } {
    return structuredClone(this.raftState);
  }

  firstIndex(): number {
    return this.start.index + 1;
  }

  lastIndex(): number {
    return this.active.baseIndex + this.active.count - 1;
  }

  term(i: number): number {
    if (i === this.start.index) return this.start.term;
    return this.headerAt(i).term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo <= this.start.index) throw new CompactedError(lo);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1);
    const out: Entry[] = [];
    let bytes = 0;
    let i = lo;
    while (i < hi) {
      const cached = this.cache.get(i);
      if (cached) {
        const size = entryBytes(cached.entry);
        if (out.length > 0 && bytes + size > maxBytes) break;
        out.push(cached.entry);
        bytes += size;
        i++;
        continue;
      }
      // Not cached: everything from i up to the cache's first entry is on disk only.
      const seg = this.segmentFor(i);
      const stop = Math.min(hi, seg.baseIndex + seg.count, this.cache.firstIndex ?? hi);
      let full = false;
      seg.walk(seg.index.floorByRel(i - seg.baseIndex), READ_CHUNK, (rel, pos, header, reader) => {
        const index = seg.baseIndex + rel;
        if (index < i) return true;
        if (index >= stop) return false;
        // The Raft core's measure (entryBytes): payload + 24.
        const size = (header.isData ? header.size : header.size - PRIVATE_HEADER) + 24;
        if (out.length > 0 && bytes + size > maxBytes) {
          full = true;
          return false;
        }
        const frame = Buffer.from(this.checkedFrame(seg, reader, pos, header.size));
        out.push(decodeFrame(frame, index));
        bytes += size;
        i = index + 1;
        return true;
      });
      if (full) break;
      if (i < stop) throw new Error(`log ${this.o.dir}: could not read entry ${i} from ${seg.logPath}`);
    }
    return out;
  }

  // The stored snapshot, or (when retention has moved the log start past it) one standing for the
  // compacted prefix, whose data for a partition log is its next Kafka offset (encodeLogStartSnapshot).
  snapshot(): Snapshot {
    const s = this.storedSnapshot;
    if (s && s.metadata.index >= this.start.index) return s;
    const { index, term, nextOffset } = this.start;
    return {
      metadata: { index, term, confState: structuredClone(this.raftState.confState) },
      data: this.o.recordBatches ? encodeLogStartSnapshot(nextOffset, this.startOffset) : new Uint8Array(),
    };
  }

  // ---- Raft-facing writes ----

  // Appends entries; those at or below lastIndex() replace the existing tail from their index on.
  // Entries below firstIndex() are already compacted and ignored. Data entries of a recordBatches log
  // must be valid v2 batches carrying baseOffset = nextOffsetAfter(index - 1) and
  // partitionLeaderEpoch = term. Entries are kept by reference in the cache: do not mutate them.
  append(entries: Entry[]): void {
    this.checkOpen();
    const list =
      entries[0]?.index < this.firstIndex() ? entries.filter((e) => e.index >= this.firstIndex()) : entries;
    if (list.length === 0) return;
    const first = list[0].index;
    if (first > this.lastIndex() + 1) {
      throw new InvalidEntryError(`entry ${first} would leave a gap after ${this.lastIndex()}`);
    }
    // Validate everything before touching the disk, against the log as it will be after truncation.
    let nextOffset = this.nextOffsetAfter(first - 1);
    let lastTerm = this.term(first - 1);
    const frames: Buffer[] = [];
    const headers: FrameHeader[] = [];
    for (let k = 0; k < list.length; k++) {
      const e = list[k];
      if (e.index !== first + k)
        throw new InvalidEntryError(`entry ${e.index} out of sequence (expected ${first + k})`);
      if (e.term < lastTerm)
        throw new InvalidEntryError(`entry ${e.index} term ${e.term} after term ${lastTerm}`);
      const frame = encodeEntry(e, nextOffset, this.o.recordBatches);
      if (typeof frame === "string") throw new InvalidEntryError(`entry ${e.index}: ${frame}`);
      const header = readHeader(frame, frame.length);
      frames.push(frame);
      headers.push(header);
      nextOffset = header.nextOffset;
      lastTerm = e.term;
    }
    // A failed write leaves the file and the log's view of it in doubt: stop here, like a failed fsync.
    this.failOnThrow(() => this.write(first, list, frames, headers));
    this.writeGen++;
  }

  private write(first: number, list: Entry[], frames: Buffer[], headers: FrameHeader[]): void {
    if (first <= this.lastIndex()) this.truncateFrom(first);
    let from = 0;
    let pending = 0;
    for (let k = 0; k < frames.length; k++) {
      if (this.shouldRoll(pending, frames[k].length)) {
        if (k > from) this.active.append(frames.slice(from, k), headers.slice(from, k));
        from = k;
        pending = 0;
        this.roll();
      }
      pending += frames[k].length;
      this.cacheFrame(list[k].index, frames[k], headers[k], list[k]);
    }
    this.active.append(frames.slice(from), headers.slice(from));
  }

  private shouldRoll(pendingBytes: number, frameBytes: number): boolean {
    const size = this.active.size + pendingBytes;
    if (size === 0) return false;
    return (
      size + frameBytes > this.o.segmentBytes || this.o.clock() - this.active.createdAtMs >= this.o.segmentMs
    );
  }

  // A sealed segment is made durable before the next one exists, so after any crash only the last
  // segment can hold a torn tail and damage anywhere else is real corruption. Once per segment.
  private roll(): void {
    const old = this.active;
    old.index.trim();
    old.writeIndexFile();
    if (this.sync_) this.failOnThrow(() => this.sync_!.fdatasyncSync(old.fd!));
    if (!this.inFlight.has(old)) old.closeFd();
    this.segments.push(this.newSegment(old.lastIndex + 1, old.nextOffset, old.lastTerm));
  }

  private failOnThrow(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof LogFailedError) throw err;
      this.failure = new LogFailedError(this.o.dir, err);
      this.o.logger.error({ err }, "log write or fsync failed; the log stops accepting writes");
      throw this.failure;
    }
  }

  private truncateFrom(index: number): void {
    const termBefore = this.term(index - 1);
    if (this.active.baseIndex > index) {
      // Later segments go first, durably: a crash must not leave them behind a shortened segment.
      while (this.active.baseIndex > index) this.removeSegment(this.segments.pop()!);
      if (this.sync_) this.failOnThrow(() => this.sync_!.fsyncDirSync(this.o.dir));
    }
    this.active.truncateTo(index, termBefore);
    // The cut must be on disk before new frames follow it: otherwise a crash could bring back stale
    // frames behind a torn new one, which recovery would have to call corruption.
    if (this.sync_) this.failOnThrow(() => this.sync_!.fdatasyncSync(this.active.fd!));
    this.cache.truncateFrom(index);
    this.writeGen++;
    this.o.logger.info({ from: index }, "truncated conflicting log tail");
  }

  private removeSegment(seg: Segment): void {
    fs.rmSync(seg.logPath, { force: true });
    fs.rmSync(seg.indexPath, { force: true });
    if (!this.inFlight.has(seg)) seg.closeFd();
    this.dirDirty = true;
  }

  async setHardState(hardState: HardState): Promise<void> {
    this.raftState.hardState = { ...hardState };
    return this.persistRaftState();
  }

  async setConfState(confState: ConfState): Promise<void> {
    this.raftState.confState = structuredClone(confState);
    return this.persistRaftState();
  }

  // Writes run one after another, each with the latest state, so a slow write never overwrites a newer one.
  private persistRaftState(): Promise<void> {
    this.checkOpen();
    const run = this.stateWrites
      .catch(() => undefined)
      .then(() => writeRaftState(this.o.dir, this.raftState, this.sync_));
    this.stateWrites = run;
    return run;
  }

  // Stores a snapshot taken locally (the log is kept; compact() separately).
  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    this.checkOpen();
    await writeSnapshot(this.o.dir, snapshot, this.sync_);
    this.storedSnapshot = snapshot;
  }

  // Installs a snapshot received from the leader: the whole log is replaced by it. `nextOffset` is the
  // Kafka offset that follows the snapshot; for a recordBatches log it defaults to the one carried by a
  // snapshot() of a compacted partition log. The caller must not append while this runs.
  async applySnapshot(snapshot: Snapshot, opts: { nextOffset?: number } = {}): Promise<void> {
    this.checkOpen();
    const { index, term, confState } = snapshot.metadata;
    if (index <= this.start.index) return;
    const nextOffset = opts.nextOffset ?? (this.o.recordBatches ? decodeLogStartSnapshot(snapshot.data) : 0);
    if (nextOffset === null)
      throw new InvalidEntryError("applySnapshot on a record-batch log needs nextOffset");
    const logStartOffset = Math.max(nextOffset, decodeSnapshotLogStartOffset(snapshot.data) ?? nextOffset);
    await writeSnapshot(this.o.dir, snapshot, this.sync_);
    this.storedSnapshot = snapshot;
    await writeLogStart(this.o.dir, { index, term, nextOffset, resetting: true, logStartOffset }, this.sync_);
    while (this.flushing) await this.flushing.catch(() => undefined);
    for (const s of this.segments.splice(0)) this.removeSegment(s);
    this.segments.push(this.newSegment(index + 1, nextOffset, term));
    this.cache.clear();
    if (this.sync_) await this.sync_.fsyncDir(this.o.dir);
    this.dirDirty = false;
    this.start = { index, term, nextOffset, resetting: false, logStartOffset };
    this.startOffset = logStartOffset;
    await writeLogStart(this.o.dir, this.start, this.sync_);
    this.writeGen++;
    this.syncedGen = this.writeGen;
    this.raftState.confState = structuredClone(confState);
    if (this.raftState.hardState.commit < index) this.raftState.hardState.commit = index;
    await this.persistRaftState();
  }

  // Discards entries up to and including `upTo` (whole segments are deleted; the rest become
  // unreadable). term(upTo) stays answerable.
  compact(upTo: number): Promise<void> {
    return this.serially(() => this.compactNow(upTo));
  }

  // Changes of the log start (retention, DeleteRecords) run one at a time: each rewrites log-start.
  private serially(fn: () => Promise<void>): Promise<void> {
    const run = this.startChanges.catch(() => undefined).then(fn);
    this.startChanges = run;
    return run;
  }

  private async compactNow(upTo: number): Promise<void> {
    this.checkOpen();
    if (upTo <= this.start.index) return;
    if (upTo > this.lastIndex()) throw new UnavailableError(upTo);
    const nextOffset = this.nextOffsetAfter(upTo);
    const next: LogStart = {
      index: upTo,
      term: this.term(upTo),
      nextOffset,
      resetting: false,
      logStartOffset: Math.max(this.startOffset, nextOffset),
    };
    await writeLogStart(this.o.dir, next, this.sync_);
    this.start = next;
    this.startOffset = next.logStartOffset!;
    let removed = false;
    while (this.segments.length > 1 && this.segments[0].lastIndex <= upTo) {
      this.removeSegment(this.segments.shift()!);
      removed = true;
    }
    this.cache.dropBefore(upTo + 1);
    if (removed && this.sync_) {
      this.dirDirty = false;
      await this.sync_.fsyncDir(this.o.dir);
    }
  }

  // Deletes the oldest sealed segments past retention.ms / retention.bytes, never the active one and
  // never beyond maxIndex (pass the applied/commit index). Returns how many segments went.
  async enforceRetention(nowMs = this.o.clock(), maxIndex = this.lastIndex()): Promise<number> {
    const { retentionMs, retentionBytes } = this.o;
    if (retentionMs < 0 && retentionBytes < 0) return 0;
    let total = this.sizeBytes();
    let upTo = -1;
    let count = 0;
    for (let i = 0; i < this.segments.length - 1; i++) {
      const seg = this.segments[i];
      if (seg.lastIndex > maxIndex) break;
      const newest = seg.maxTimestamp >= 0 ? seg.maxTimestamp : seg.createdAtMs;
      const byTime = retentionMs >= 0 && nowMs - newest > retentionMs;
      const bySize = retentionBytes >= 0 && total - seg.size >= retentionBytes;
      if (!byTime && !bySize) break;
      total -= seg.size;
      upTo = seg.lastIndex;
      count++;
    }
    if (upTo > this.start.index) {
      this.o.logger.info({ segments: count, upTo }, "retention deleting segments");
      await this.compact(upTo);
    }
    return count;
  }

  // Topic config changes while the log is open: the next append rolls by the new segment limits, the
  // next retention check applies the new retention.
  setOptions(
    o: Pick<DurableLogOptions, "segmentBytes" | "segmentMs" | "retentionMs" | "retentionBytes">,
  ): void {
    for (const k of ["segmentBytes", "segmentMs", "retentionMs", "retentionBytes"] as const) {
      const v = o[k];
      if (v !== undefined) this.o[k] = v;
    }
  }

  // ---- DeleteRecords and compaction (storage/cleaner) ----

  // Moves the Kafka log start offset up to `offset` (DeleteRecords; applied from the partition's Raft
  // log, so every replica moves at the same entry) and removes the sealed segments wholly below it.
  // Everything below `offset` must be committed.
  advanceLogStart(offset: number): Promise<void> {
    return this.serially(async () => {
      this.checkOpen();
      if (offset <= this.startOffset) return;
      if (offset > this.logEndOffset())
        throw new OffsetOutOfRangeError(offset, this.startOffset, this.logEndOffset());
      this.startOffset = offset;
      await writeLogStart(this.o.dir, { ...this.start, logStartOffset: offset }, this.sync_);
      let upTo = -1;
      for (let i = 0; i < this.segments.length - 1 && this.segments[i].nextOffset <= offset; i++)
        upTo = this.segments[i].lastIndex;
      if (upTo > this.start.index) await this.compactNow(upTo);
    });
  }

  // The sealed segments holding offsets in [logStartOffset, end), oldest first. An active segment
  // holding any is rolled first: a decision names offsets, and this replica's segments need not end
  // where the leader's do.
  segmentsToClean(end: number): Segment[] {
    this.checkOpen();
    if (this.active.baseOffset < end && this.active.count > 0) this.failOnThrow(() => this.roll());
    return this.segments.slice(0, -1).filter((s) => s.nextOffset > this.startOffset && s.baseOffset < end);
  }

  // What the leader plans a cleaning from (cleaner/plan.ts): the sealed segments and where the active
  // one starts. An active segment past segment.ms counts as sealed (segmentsToClean rolls it first, as
  // the next append would): a topic gone quiet would otherwise keep its last writes uncompacted.
  cleanerView(): { sealed: readonly Segment[]; activeBaseOffset: number } {
    const rollDue = this.active.size > 0 && this.o.clock() - this.active.createdAtMs >= this.o.segmentMs;
    if (rollDue) return { sealed: [...this.segments], activeBaseOffset: Number.POSITIVE_INFINITY };
    return { sealed: this.segments.slice(0, -1), activeBaseOffset: this.active.baseOffset };
  }

  // Makes a file the cleaner wrote durable, as this log's fsync setting asks.
  async syncFile(fd: number): Promise<void> {
    if (this.sync_) await this.sync_.fdatasync(fd);
  }

  // Replaces consecutive sealed segments with the cleaned file (complete and fdatasynced) that holds
  // the same entries; see cleaner/swap-files.ts for the crash-safe order. Synchronous, so no read sees
  // the files half-swapped. False, and nothing done, when the log changed under the cleaner (retention,
  // a snapshot install): the cleaning starts over.
  installCleaned(
    olds: readonly { segment: Segment; size: number; count: number }[],
    cleaned: Segment,
    file: string,
  ): boolean {
    this.checkOpen();
    const at = this.segments.indexOf(olds[0].segment);
    const intact =
      at >= 0 &&
      at + olds.length < this.segments.length &&
      olds.every(
        (o, k) =>
          this.segments[at + k] === o.segment && o.segment.size === o.size && o.segment.count === o.count,
      );
    if (!intact) return false;
    this.failOnThrow(() => {
      const swap = swapPath(this.o.dir, cleaned.baseIndex);
      fs.renameSync(file, swap);
      this.sync_?.fsyncDirSync(this.o.dir);
      for (const o of olds) this.removeSegment(o.segment);
      fs.renameSync(swap, cleaned.logPath);
      cleaned.writeIndexFile();
      this.sync_?.fsyncDirSync(this.o.dir);
    });
    this.segments.splice(at, olds.length, cleaned);
    this.cache.dropBefore(cleaned.lastIndex + 1);
    return true;
  }

  // ---- durability ----

  // Generation of the last write; the log is durable up to syncedGeneration.
  get writeGeneration(): number {
    return this.writeGen;
  }

  get syncedGeneration(): number {
    return this.syncedGen;
  }

  get failed(): LogFailedError | null {
    return this.failure;
  }

  // Resolves once everything appended before the call is durable (fdatasync of touched segments and,
  // after segment creation/deletion, of the directory). Concurrent callers share flushes.
  async sync(): Promise<void> {
    const target = this.writeGen;
    while (this.syncedGen < target) {
      if (this.failure) throw this.failure;
      if (this.flushing === null) {
        this.flushing = this.flushOnce().finally(() => {
          this.flushing = null;
        });
      }
      await this.flushing.catch(() => undefined);
    }
    if (this.failure) throw this.failure;
  }

  private async flushOnce(): Promise<void> {
    const gen = this.writeGen;
    const segs = [this.active];
    const dirDirty = this.dirDirty;
    this.dirDirty = false;
    for (const s of segs) this.inFlight.add(s);
    try {
      if (this.sync_) {
        const ops = this.sync_;
        await Promise.all(segs.map((s) => (s.fd === null ? undefined : ops.fdatasync(s.fd))));
        if (dirDirty) await ops.fsyncDir(this.o.dir);
      }
      if (gen > this.syncedGen) this.syncedGen = gen;
    } catch (err) {
      this.failure = new LogFailedError(this.o.dir, err);
      this.o.logger.error({ err }, "fsync failed; the log stops accepting writes");
      throw this.failure;
    } finally {
      for (const s of segs) {
        this.inFlight.delete(s);
        if (s !== this.active) s.closeFd();
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.stateWrites.catch(() => undefined);
    let error: unknown = null;
    if (!this.failure) await this.sync().catch((err) => (error = err));
    else while (this.flushing) await this.flushing.catch(() => undefined);
    this.closed = true;
    for (const s of this.segments) s.closeFd();
    if (error) throw error;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`log ${this.o.dir} is closed`);
    if (this.failure) throw this.failure;
  }

  // ---- Kafka-facing ----

  logStartOffset(): number {
    return this.startOffset;
  }

  // The next offset to be assigned (Kafka's log end offset).
  logEndOffset(): number {
    return this.active.nextOffset;
  }

  // Kafka offsets [baseOffset, nextOffset) held by the entry at `index`; empty for non-data entries.
  offsetRange(index: number): { baseOffset: number; nextOffset: number } {
    if (index === this.start.index)
      return { baseOffset: this.start.nextOffset, nextOffset: this.start.nextOffset };
    const h = this.headerAt(index);
    return { baseOffset: h.baseOffset, nextOffset: h.nextOffset };
  }

  // Kafka offset that follows the entry at `index` (firstIndex() - 1 ≤ index ≤ lastIndex()). For the
  // commit index this is the high watermark; for lastIndex() the log end offset.
  nextOffsetAfter(index: number): number {
    if (index === this.lastIndex()) return this.logEndOffset();
    return this.offsetRange(index).nextOffset;
  }

  // Whole data batches from the one holding `offset` on: at least one (KIP-74, unless atLeastOne is
  // false) if any is below maxOffset, then more while they fit in maxBytes. Frames without records
  // are skipped, and so are batches compaction emptied, unless nothing else is left below the limit:
  // then the last of those is returned so the consumer moves past the gap.
  read(offset: number, opts: ReadOptions): FetchResult {
    const logStart = this.logStartOffset();
    const logEnd = this.logEndOffset();
    if (offset < logStart || offset > logEnd) throw new OffsetOutOfRangeError(offset, logStart, logEnd);
    const limit = Math.min(opts.maxOffset ?? logEnd, logEnd);
    const result: FetchResult = { batches: [], bytes: 0, nextOffset: offset };
    if (offset >= limit) return result;
    // false: stop reading.
    const firstMayExceed = opts.atLeastOne ?? true;
    let gap: { batch: Buffer; next: number } | null = null;
    const take = (h: FrameHeader, frame: () => Buffer): boolean => {
      if (!h.isData || h.nextOffset <= offset) return true;
      if (h.nextOffset > limit) return false;
      if (h.empty) {
        gap = { batch: frame(), next: h.nextOffset };
        return true;
      }
      if ((result.batches.length > 0 || !firstMayExceed) && result.bytes + h.size > opts.maxBytes)
        return false;
      result.batches.push(frame());
      result.bytes += h.size;
      result.nextOffset = h.nextOffset;
      return true;
    };
    if (this.cache.size > 0 && this.cache.at(0).header.baseOffset <= offset) {
      for (let k = this.cache.firstEndingAfter(offset); k < this.cache.size; k++) {
        const c = this.cache.at(k);
        if (!take(c.header, () => c.frame)) break;
      }
      return withGap(result, gap);
    }
    // Reads of about the size asked for, and batches handed out as views: the reader never reuses
    // a chunk, so a view stays valid, and a fetch costs one copy (disk to memory), not two.
    const chunk = Math.min(Math.max(opts.maxBytes, READ_CHUNK), MAX_READ_CHUNK);
    let stop = false;
    for (let si = this.segmentByOffset(offset); si < this.segments.length && !stop; si++) {
      const seg = this.segments[si];
      seg.walk(seg.index.floorByOffset(offset), chunk, (_rel, pos, header, reader) => {
        stop = !take(header, () => this.checkedFrame(seg, reader, pos, header.size));
        return !stop;
      });
    }
    return withGap(result, gap);
  }

  // ListOffsets by timestamp: the first offset whose record timestamp is >= timestamp, below maxOffset.
  offsetForTimestamp(timestamp: number, maxOffset?: number): { offset: number; timestamp: number } | null {
    const logStart = this.logStartOffset();
    const limit = Math.min(maxOffset ?? this.logEndOffset(), this.logEndOffset());
    let found: { offset: number; timestamp: number } | null = null;
    let stop = false;
    for (const seg of this.segments) {
      if (seg.maxTimestamp < timestamp || seg.nextOffset <= logStart) continue;
      seg.walk(seg.index.floorByTimestamp(timestamp), READ_CHUNK, (_rel, pos, header, reader) => {
        if (!header.isData || header.empty || header.nextOffset <= logStart) return true;
        if (header.nextOffset > limit) {
          stop = true;
          return false;
        }
        if (header.maxTimestamp < timestamp) return true;
        const hit = findRecordAtOrAfter(this.checkedFrame(seg, reader, pos, header.size), timestamp);
        if (hit) found = { offset: Math.max(hit.offset, logStart), timestamp: hit.timestamp };
        return hit === null;
      });
      if (found || stop) break;
    }
    return found;
  }

  // The largest record timestamp in the log (-1 when it has none): ListOffsets MAX_TIMESTAMP (KIP-734)
  // looks it up with offsetForTimestamp.
  maxTimestamp(): number {
    return this.segments.reduce((max, s) => Math.max(max, s.maxTimestamp), -1);
  }

  sizeBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  segmentCount(): number {
    return this.segments.length;
  }

  // ---- lookups ----

  private headerAt(i: number): FrameHeader {
    if (i < this.start.index) throw new CompactedError(i);
    if (i > this.lastIndex()) throw new UnavailableError(i);
    const cached = this.cache.get(i);
    if (cached) return cached.header;
    return this.segmentFor(i).locate(i).header;
  }

  private segmentFor(index: number): Segment {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].baseIndex <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.segments[lo];
  }

  // First segment whose offsets reach past `offset`.
  private segmentByOffset(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid].nextOffset > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private checkedFrame(seg: Segment, reader: ChunkedReader, pos: number, size: number): Buffer {
    return readCheckedFrame(reader, seg.logPath, pos, size, this.o.recordBatches);
  }
}

// A read that found only batches compaction emptied returns the last of them: its offsets carry the
// consumer past the gap, as the empty batches Kafka keeps do.
function withGap(result: FetchResult, gap: { batch: Buffer; next: number } | null): FetchResult {
  if (result.batches.length > 0 || gap === null) return result;
  return { batches: [gap.batch], bytes: gap.batch.length, nextOffset: gap.next };
}
