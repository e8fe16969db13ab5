import type { ConfState, Entry, HardState, Snapshot } from "./types.ts";
import { entryBytes } from "./types.ts";

/** The requested index lies before firstIndex()-1: it was compacted into the snapshot. */
export class CompactedError extends Error {
  constructor(index: number) {
    super(`raft storage: index ${index} is compacted`);
  }
}

/** The requested index lies after lastIndex(). */
export class UnavailableError extends Error {
  constructor(index: number) {
    super(`raft storage: index ${index} is unavailable`);
  }
}

/**
 * The durable log the core reads through. Synchronous: implementations keep what they need in memory
 * (or cache it) so reads never block. Contract:
 * - It reflects only what the runtime has persisted (the core tracks unpersisted entries itself).
 * - initialState(): the persisted HardState and the ConfState as of the index the runtime passes as
 *   `applied` in RaftConfig (by default the snapshot's index; then the snapshot's ConfState).
 * - Valid indexes are [firstIndex()-1, lastIndex()]; firstIndex()-1 is the snapshot's index, whose term
 *   term() must still answer. An empty log has firstIndex() = snapshotIndex+1, lastIndex() = snapshotIndex.
 * - term(i) throws CompactedError for i < firstIndex()-1 and UnavailableError for i > lastIndex().
 * - entries(lo, hi, maxBytes) returns the entries [lo, hi) in order, stopping once maxBytes is exceeded
 *   but always returning at least one entry when lo < hi; throws CompactedError if lo < firstIndex()
 *   and UnavailableError if hi > lastIndex()+1.
 * - snapshot() returns the most recent snapshot (index 0 when there is none).
 */
export interface RaftStorage {
  initialState(): { hardState: HardState; confState: ConfState };
  firstIndex(): number;
  lastIndex(): number;
  term(i: number): number;
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  snapshot(): Snapshot;
}

/** Limit a run of entries to maxBytes, keeping at least one. */
export function limitSize(ents: Entry[], maxBytes: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = entryBytes(ents[0]);
  let n = 1;
  while (n < ents.length) {
    size += entryBytes(ents[n]);
    if (size > maxBytes) break;
    n++;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

/**
 * In-memory RaftStorage for tests and the simulator. In the simulator it plays the durable disk:
 * it is written only when a Ready is "persisted" and survives simulated crashes.
 */
export class MemoryStorage implements RaftStorage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot = {
    metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
    data: new Uint8Array(0),
  };
  // ents[0] is a dummy holding the snapshot's index and term.
  private ents: Entry[] = [{ index: 0, term: 0, type: 0, data: new Uint8Array(0) }];

  /**
   * Storage of an initial member: a snapshot at index 1, term 1 holding the initial configuration.
   * Bootstrap this way (not with conf state at index 0) so that a node added later, which starts
   * empty, always learns the configuration from a snapshot rather than from an incomplete log.
   */
  static bootstrap(
    voters: number[],
    learners: number[] = [],
    data: Uint8Array = new Uint8Array(0),
  ): MemoryStorage {
    const s = new MemoryStorage();
    s.applySnapshot({ metadata: { index: 1, term: 1, confState: { voters, learners } }, data });
    s.setHardState({ term: 1, vote: 0, commit: 1 });
    return s;
  }

  /** A storage whose initial configuration sits at index 0 (unit tests of a fixed membership). */
  static withVoters(voters: number[], learners: number[] = []): MemoryStorage {
    const s = new MemoryStorage();
    s.snap.metadata.confState = { voters: [...voters], learners: [...learners] };
    return s;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: cloneConf(this.snap.metadata.confState) };
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  getHardState(): HardState {
    return { ...this.hardState };
  }

  firstIndex(): number {
    return this.ents[0].index + 1;
  }

  lastIndex(): number {
    return this.ents[0].index + this.ents.length - 1;
  }

  term(i: number): number {
    const offset = this.ents[0].index;
    if (i < offset) throw new CompactedError(i);
    if (i - offset >= this.ents.length) throw new UnavailableError(i);
    return this.ents[i - offset].term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.ents[0].index;
    if (lo <= offset) throw new CompactedError(lo);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1);
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxBytes);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replace the whole state with a snapshot received from a leader. Older snapshots are ignored. */
  applySnapshot(s: Snapshot): void {
    if (s.metadata.index <= this.snap.metadata.index) return;
    this.snap = { metadata: { ...s.metadata, confState: cloneConf(s.metadata.confState) }, data: s.data };
    this.ents = [{ index: s.metadata.index, term: s.metadata.term, type: 0, data: new Uint8Array(0) }];
  }

  /** Record a locally taken snapshot at applied index i (which must still be in the log). */
  createSnapshot(i: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (i <= this.snap.metadata.index) return this.snap;
    if (i > this.lastIndex()) throw new UnavailableError(i);
    this.snap = { metadata: { index: i, term: this.term(i), confState: cloneConf(confState) }, data };
    return this.snap;
  }

  /** Discard entries before compactIndex (compactIndex becomes the dummy). Take a snapshot first. */
  compact(compactIndex: number): void {
    const offset = this.ents[0].index;
    if (compactIndex <= offset) return;
    if (compactIndex > this.lastIndex()) throw new UnavailableError(compactIndex);
    if (compactIndex > this.snap.metadata.index) throw new Error("raft storage: compact beyond snapshot");
    const i = compactIndex - offset;
    const dummy = this.ents[i];
    this.ents = [
      { index: dummy.index, term: dummy.term, type: 0, data: new Uint8Array(0) },
      ...this.ents.slice(i + 1),
    ];
  }

  /** Append entries, truncating any conflicting suffix. Entries already compacted are skipped. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    let ents = entries;
    if (ents[ents.length - 1].index < first) return;
    if (ents[0].index < first) ents = ents.slice(first - ents[0].index);
    const offset = ents[0].index - this.ents[0].index;
    if (offset > this.ents.length) throw new Error(`raft storage: gap appending at ${ents[0].index}`);
    this.ents = this.ents.slice(0, offset).concat(ents);
  }
}

export function cloneConf(c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] };
}
