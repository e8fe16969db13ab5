import type { Logger } from "../../../shared/log.ts";
import type { RandomSource } from "../raft/config.ts";
import { RawNode, type Ready, type Status } from "../raft/raw-node.ts";
import type { ProposeResult, Refusal } from "../raft/result.ts";
import type { RaftStorage } from "../raft/storage.ts";
import type { ConfChange, ConfState, Entry, HardState, Snapshot, SoftState } from "../raft/types.ts";
import { ProposalWaiters } from "./proposals.ts";

// What a group's durable log must offer the runtime (storage/DurableLog implements it).
export interface GroupStorage extends RaftStorage {
  readonly writeGeneration: number;
  readonly syncedGeneration: number;
  sync(): Promise<void>;
  append(entries: Entry[]): void;
  setHardState(h: HardState): Promise<void>;
  setConfState(c: ConfState): Promise<void>;
  applySnapshot(s: Snapshot, opts?: { nextOffset?: number }): Promise<void>;
  saveSnapshot(s: Snapshot): Promise<void>;
  compact(upTo: number): Promise<void>;
}

// The replicated state machine of a group: partitions, __meta, consumer offsets.
export interface StateMachine {
  // Committed entries, in order, exactly once per index per process lifetime.
  apply(entries: readonly Entry[]): void;
  // Entries just written to the group's log, replacing any it held from their first index on.
  appended?(entries: readonly Entry[]): void;
  // Leader or role changed.
  onSoftState?(state: SoftState, term: number): void;
  // A snapshot from the leader replaces the log: restore from it and say what the log needs to know.
  restore?(snapshot: Snapshot): { nextOffset?: number };
}

export interface GroupTiming {
  electionTicks: number;
  heartbeatTicks: number;
  maxInflightMsgs: number;
  maxSizePerMsg: number;
}

export type Proposal =
  | { ok: true; index: number; term: number; committed: Promise<Entry> }
  | { ok: false; error: Refusal };

// One Raft group on this node: the pure core, its durable log, its state machine, and the
// proposals waiting on it. The runtime drives it; the group never does I/O on its own.
export class RaftGroup {
  readonly node: RawNode;
  readonly waiters = new ProposalWaiters();
  private persistedTerm: number;
  private persistedVote: number;
  // Set by the runtime when it holds a Ready of this group that is not yet advanced.
  inFlight = false;
  // A quiesced group is not ticked: no heartbeats, no election timer (see runtime.ts).
  quiesced = false;
  idleTicks = 0;
  // Set by the runtime: called on local activity that must wake a quiesced group.
  onActivity: () => void = () => {};

  constructor(
    readonly id: string,
    nodeId: number,
    readonly storage: GroupStorage,
    readonly sm: StateMachine,
    timing: GroupTiming,
    random: RandomSource,
    readonly logger: Logger,
    applied?: number,
  ) {
    const { hardState } = storage.initialState();
    this.persistedTerm = hardState.term;
    this.persistedVote = hardState.vote;
    this.node = new RawNode({
      id: nodeId,
      storage,
      random,
      electionTicks: timing.electionTicks,
      heartbeatTicks: timing.heartbeatTicks,
      maxInflightMsgs: timing.maxInflightMsgs,
      maxSizePerMsg: timing.maxSizePerMsg,
      applied,
    });
  }

  propose(data: Uint8Array, onAppended?: () => void): Proposal {
    this.onActivity();
    return this.track(this.node.propose(data), onAppended);
  }

  proposeConfChange(change: ConfChange): Proposal {
    this.onActivity();
    return this.track(this.node.proposeConfChange(change));
  }

  transferLeader(to: number): boolean {
    this.onActivity();
    return this.node.transferLeader(to).ok;
  }

  // Leading and not handing leadership over: a proposal now would be accepted.
  acceptsProposals(): boolean {
    const r = this.node.raft;
    return r.role === "leader" && r.leadTransferee === 0;
  }

  private track(r: ProposeResult, onAppended?: () => void): Proposal {
    if (!r.ok) return r;
    return {
      ok: true,
      index: r.index,
      term: r.term,
      committed: this.waiters.add(r.index, r.term, onAppended),
    };
  }

  status(): Status {
    return this.node.status();
  }

  // Term and vote must be on disk before any message that depends on them leaves; the commit index
  // need not be (a restarted node learns it again from the leader), so it is written only along
  // with a term or vote change, which keeps a file write off the per-entry path.
  needsHardStateWrite(rd: Ready): boolean {
    const h = rd.hardState;
    return h !== undefined && (h.term !== this.persistedTerm || h.vote !== this.persistedVote);
  }

  async writeHardState(h: HardState): Promise<void> {
    await this.storage.setHardState(h);
    this.persistedTerm = h.term;
    this.persistedVote = h.vote;
  }
}
