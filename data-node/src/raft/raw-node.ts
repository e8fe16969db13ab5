import { decodeConfChange, encodeConfChange } from "./codec.ts";
import type { RaftConfig } from "./config.ts";
import type { ProgressStatus } from "./progress.ts";
import { Raft } from "./raft.ts";
import type { ProposeResult, RequestResult } from "./result.ts";
import {
  type ConfChange,
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  isResponse,
  type Message,
  MessageType,
  type ReadState,
  type Role,
  type Snapshot,
  type SoftState,
} from "./types.ts";

export interface OutboundMessage {
  message: Message;
  /**
   * true: send only after this Ready's snapshot, entries and hard state are durable (votes, append
   * acknowledgements, anything sent right after a term or vote change). false: may be sent at once,
   * in parallel with the write (a steady leader's appends, heartbeats, snapshots).
   */
  afterPersist: boolean;
}

/** A batch of work for the runtime. Handle it, then call advance(ready) before the next ready(). */
export interface Ready {
  /** Present when leader or role changed since the previous Ready. */
  softState?: SoftState;
  /** Present when term, vote or commit changed; persist it with `entries`. */
  hardState?: HardState;
  /** Unstable entries to append to storage (they may overwrite a conflicting suffix). */
  entries: Entry[];
  /** A snapshot from the leader to install in storage (replaces the log and state machine). */
  snapshot?: Snapshot;
  /** Committed entries to apply to the state machine, in order, after persisting. */
  committedEntries: Entry[];
  messages: OutboundMessage[];
  /** Completed ReadIndex requests: serve each once applied >= index. */
  readStates: ReadState[];
}

export interface Status {
  id: number;
  term: number;
  vote: number;
  commit: number;
  applied: number;
  lastIndex: number;
  role: Role;
  leaderId: number | undefined;
  confState: ConfState;
  /** Per peer, only on the leader. */
  progress?: Map<number, ProgressStatus>;
}

// Messages a node may send before its own write completes: they promise nothing about its disk.
const NO_WAIT = new Set<MessageType>([
  MessageType.App,
  MessageType.Heartbeat,
  MessageType.Snap,
  MessageType.TimeoutNow,
  MessageType.PreVote,
  MessageType.HeartbeatResp,
]);

/**
 * The runtime-facing API around the Raft state machine. Driving loop (per group):
 *   feed step()/tick()/propose()...; when hasReady(): rd = ready();
 *   1. send rd.messages with afterPersist=false (may overlap with the write);
 *   2. persist rd.snapshot, rd.entries and rd.hardState durably (fsync; group commit across groups ok);
 *   3. send rd.messages with afterPersist=true;
 *   4. apply rd.committedEntries in order (Normal entries with empty data are no-ops; ConfChange
 *      entries are applied to the configuration by advance(), the state machine may ignore them);
 *   5. serve rd.readStates once applied >= index;
 *   6. advance(rd).
 * Readys must be handled strictly in order; step()/tick() may continue while one is being written.
 */
export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private outstanding = false;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = this.softState();
    this.prevHard = this.hardState();
  }

  tick(): void {
    this.raft.tick();
  }

  step(m: Message): void {
    // Responses from peers outside the configuration are ignored.
    if (isResponse(m.type) && !this.raft.progress.has(m.from)) return;
    if (m.to !== this.raft.id) return;
    this.raft.step(m);
  }

  /** Start a (pre-)election now, as if the election timeout fired. */
  campaign(): void {
    this.raft.hup(false);
  }

  /**
   * Start an election now that skips PreVote and the leader lease, as a leader transfer does. For a
   * runtime that knows the leader's process is gone (its connection dropped): waiting out an election
   * timeout would only delay the inevitable. Safety is unchanged: votes still need an up-to-date log.
   */
  campaignNow(): void {
    this.raft.hup(true);
  }

  propose(data: Uint8Array): ProposeResult {
    return this.raft.propose(data);
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    return this.raft.proposeConfChange(cc, encodeConfChange(cc));
  }

  /** Leader only: heartbeat the followers now (a follower that just restarted learns the leader). */
  heartbeatNow(): void {
    this.raft.beat();
  }

  transferLeader(to: number): RequestResult {
    return this.raft.transferLeader(to);
  }

  /** Linearizable read: a ReadState with this (unique) context appears in a later Ready. */
  readIndex(context: Uint8Array): RequestResult {
    return this.raft.readIndex(context);
  }

  reportUnreachable(id: number): void {
    this.raft.reportUnreachable(id);
  }

  /** The transport reports whether a Snap message to `id` was delivered. */
  reportSnapshot(id: number, ok: boolean): void {
    this.raft.reportSnapshot(id, ok);
  }

  /** The configuration as of the applied index: use it for snapshots taken after advance(). */
  confState(): ConfState {
    return this.raft.confState();
  }

  applied(): number {
    return this.raft.log.applied;
  }

  /** Term of log entry i (undefined if compacted or absent). */
  logTerm(i: number): number | undefined {
    return this.raft.log.term(i);
  }

  status(): Status {
    const r = this.raft;
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      role: r.role,
      leaderId: r.lead === 0 ? undefined : r.lead,
      confState: r.confState(),
      progress: r.role === "leader" ? r.progressStatus() : undefined,
    };
  }

  private softState(): SoftState {
    return { leaderId: this.raft.lead === 0 ? undefined : this.raft.lead, role: this.raft.role };
  }

  private hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }

  hasReady(): boolean {
    if (this.outstanding) return false;
    const r = this.raft;
    r.flushAppends();
    const s = this.softState();
    if (s.leaderId !== this.prevSoft.leaderId || s.role !== this.prevSoft.role) return true;
    const h = this.hardState();
    if (h.term !== this.prevHard.term || h.vote !== this.prevHard.vote || h.commit !== this.prevHard.commit)
      return true;
    return (
      r.log.unstable.snapshot !== undefined ||
      r.log.unstable.entries.length > 0 ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.log.hasNextEntries()
    );
  }

  ready(): Ready {
    if (this.outstanding) throw new Error("raft: ready() called before advance() of the previous Ready");
    const r = this.raft;
    r.flushAppends();
    const rd: Ready = {
      entries: r.log.unstable.entries.slice(),
      snapshot: r.log.unstable.snapshot,
      committedEntries: r.log.nextEntries(),
      messages: [],
      readStates: r.readStates,
    };
    const s = this.softState();
    if (s.leaderId !== this.prevSoft.leaderId || s.role !== this.prevSoft.role) {
      rd.softState = s;
      this.prevSoft = s;
    }
    const h = this.hardState();
    const termOrVote = h.term !== this.prevHard.term || h.vote !== this.prevHard.vote;
    if (termOrVote || h.commit !== this.prevHard.commit) rd.hardState = h;
    for (const m of r.msgs)
      rd.messages.push({ message: m, afterPersist: termOrVote || !NO_WAIT.has(m.type) });
    r.msgs = [];
    r.readStates = [];
    this.outstanding = true;
    return rd;
  }

  advance(rd: Ready): void {
    const r = this.raft;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot) {
      r.log.unstable.stableSnapTo(rd.snapshot.metadata.index);
      r.log.appliedTo(rd.snapshot.metadata.index);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      r.log.unstable.stableTo(last.index, last.term);
    }
    r.onPersisted();
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.ConfChange) r.applyConfChange(decodeConfChange(e.data));
      r.log.appliedTo(e.index);
    }
    this.outstanding = false;
  }
}
