import { type RaftConfig, type RandomSource, type ResolvedConfig, resolveConfig } from "./config.ts";
import { RaftLog } from "./log.ts";
import { Progress, ProgressState, type ProgressStatus, quorum } from "./progress.ts";
import { ReadOnly } from "./read-only.ts";
import { notLeader, type ProposeResult, type RequestResult } from "./result.ts";
import { cloneConf } from "./storage.ts";
import {
  type ConfChange,
  ConfChangeType,
  type ConfState,
  EMPTY_BYTES,
  type Entry,
  EntryType,
  entryBytes,
  type Message,
  MessageType,
  makeMessage,
  type ReadState,
  Role,
  type Snapshot,
} from "./types.ts";

/** Context of Vote/PreVote sent on a leader's TimeoutNow: lets the candidate bypass leader leases. */
export const CAMPAIGN_TRANSFER: Uint8Array = new Uint8Array([0x54]);

enum VoteResult {
  Pending = 0,
  Won = 1,
  Lost = 2,
}

function voteRespType(t: MessageType): MessageType {
  return t === MessageType.PreVote ? MessageType.PreVoteResp : MessageType.VoteResp;
}

function isTransfer(ctx: Uint8Array): boolean {
  return ctx.length === 1 && ctx[0] === CAMPAIGN_TRANSFER[0];
}

/**
 * The Raft state machine (model: etcd-io/raft). Single-threaded, deterministic, no I/O: inputs are
 * step()/tick()/requests, outputs accumulate in `msgs`, `readStates` and the log's unstable part,
 * which RawNode turns into Ready batches.
 */
export class Raft {
  readonly id: number;
  readonly cfg: ResolvedConfig;
  readonly log: RaftLog;
  private readonly random: RandomSource;

  term = 0;
  vote = 0;
  lead = 0;
  role: Role = Role.Follower;
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  voters = new Set<number>();
  learners = new Set<number>();
  readonly progress = new Map<number, Progress>();
  private votes = new Map<number, boolean>();

  leadTransferee = 0;
  /** Index of the latest conf change proposed by this leader; no new one until it is applied. */
  pendingConfIndex = 0;
  private readOnly = new ReadOnly();
  private pendingReadContexts: Uint8Array[] = [];
  /** Proposals appended since the last flush; their appends go out in one batch per follower. */
  private appendsPending = false;

  electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.random = this.cfg.random;
    this.log = new RaftLog(this.cfg.storage, this.cfg.maxCommittedSizePerReady);
    const { hardState, confState } = this.cfg.storage.initialState();
    this.applyConfState(confState);
    if (hardState.commit > this.log.lastIndex()) {
      throw new Error(`raft: persisted commit ${hardState.commit} beyond last index ${this.log.lastIndex()}`);
    }
    this.log.committed = Math.max(this.log.committed, hardState.commit);
    this.term = hardState.term;
    this.vote = hardState.vote;
    if (this.cfg.applied > this.log.committed) throw new Error("raft: applied beyond commit");
    this.log.appliedTo(this.cfg.applied);
    this.becomeFollower(this.term, 0);
  }

  // ---- configuration -------------------------------------------------------------------------

  private newProgress(isLearner: boolean): Progress {
    return new Progress(
      this.log.lastIndex() + 1,
      isLearner,
      this.cfg.maxInflightMsgs,
      this.cfg.maxInflightBytes,
    );
  }

  /** Replace the configuration wholesale (startup, snapshot restore). */
  applyConfState(cs: ConfState): void {
    this.voters = new Set(cs.voters);
    this.learners = new Set(cs.learners);
    this.progress.clear();
    for (const id of [...cs.voters, ...cs.learners]) {
      const pr = this.newProgress(this.learners.has(id));
      pr.recentActive = true;
      if (id === this.id) pr.match = this.log.persistedIndex();
      this.progress.set(id, pr);
    }
  }

  confState(): ConfState {
    return cloneConf({
      voters: [...this.voters].sort((a, b) => a - b),
      learners: [...this.learners].sort((a, b) => a - b),
    });
  }

  /** Apply a committed ConfChange (called as its entry is applied). */
  applyConfChange(cc: ConfChange): ConfState {
    const id = cc.nodeId;
    switch (cc.type) {
      case ConfChangeType.AddLearner:
        if (!this.voters.has(id) && !this.learners.has(id)) {
          this.learners.add(id);
          const pr = this.newProgress(true);
          pr.recentActive = true;
          this.progress.set(id, pr);
        }
        break;
      case ConfChangeType.AddVoter: {
        this.learners.delete(id);
        this.voters.add(id);
        const pr = this.progress.get(id);
        if (pr) {
          pr.isLearner = false;
        } else {
          const np = this.newProgress(false);
          np.recentActive = true;
          this.progress.set(id, np);
        }
        break;
      }
      case ConfChangeType.RemoveNode:
        this.voters.delete(id);
        this.learners.delete(id);
        this.progress.delete(id);
        break;
    }
    const self = this.progress.get(this.id);
    if ((!self || self.isLearner) && this.role === Role.Leader) {
      // Removed or demoted: step down and let the remaining voters elect.
      this.becomeFollower(this.term, 0);
      return this.confState();
    }
    if (this.role !== Role.Leader || this.voters.size === 0) return this.confState();
    if (this.maybeCommit()) {
      this.bcastAppend();
    } else {
      for (const pid of this.progress.keys()) if (pid !== this.id) this.maybeSendAppend(pid, false);
    }
    if (this.leadTransferee !== 0 && !this.voters.has(this.leadTransferee)) this.leadTransferee = 0;
    return this.confState();
  }

  private promotable(): boolean {
    return this.voters.has(this.id) && this.log.unstable.snapshot === undefined;
  }

  // ---- role transitions -----------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = 0;
    }
    this.lead = 0;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTicks + this.random.nextInt(this.cfg.electionTicks);
    this.leadTransferee = 0;
    this.votes = new Map();
    for (const [id, old] of this.progress) {
      const pr = this.newProgress(old.isLearner);
      if (id === this.id) pr.match = this.log.persistedIndex();
      this.progress.set(id, pr);
    }
    this.pendingConfIndex = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadContexts = [];
    this.appendsPending = false;
  }

  becomeFollower(term: number, lead: number): void {
    this.reset(term);
    this.lead = lead;
    this.role = Role.Follower;
  }

  private becomeCandidate(): void {
    if (this.role === Role.Leader) throw new Error("raft: leader cannot become candidate");
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = Role.Candidate;
  }

  private becomePreCandidate(): void {
    if (this.role === Role.Leader) throw new Error("raft: leader cannot become pre-candidate");
    // Neither term nor vote changes: a pre-election disturbs nobody.
    this.votes = new Map();
    this.lead = 0;
    this.role = Role.PreCandidate;
  }

  private becomeLeader(): void {
    if (this.role === Role.Follower) throw new Error("raft: follower cannot become leader");
    this.reset(this.term);
    this.lead = this.id;
    this.role = Role.Leader;
    const self = this.progress.get(this.id)!;
    self.becomeReplicate();
    self.match = this.log.persistedIndex();
    self.next = this.log.lastIndex() + 1;
    // Conservative: no conf change until everything before this term is applied.
    this.pendingConfIndex = this.log.lastIndex();
    for (const pr of this.progress.values()) pr.recentActive = true;
    this.appendEntries([{ index: 0, term: 0, type: EntryType.Normal, data: EMPTY_BYTES }]);
  }

  // ---- elections ------------------------------------------------------------------------------

  hup(transfer: boolean): void {
    if (this.role === Role.Leader || !this.promotable()) return;
    if (this.hasUnappliedConfChanges()) return;
    if (this.cfg.preVote && !transfer) this.campaign(MessageType.PreVote, false);
    else this.campaign(MessageType.Vote, transfer);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    let i = lo;
    while (i <= this.log.committed) {
      const ents = this.log.slice(i, this.log.committed + 1, 1024 * 1024);
      for (const e of ents) if (e.type === EntryType.ConfChange) return true;
      i += ents.length;
    }
    return false;
  }

  private campaign(kind: MessageType.PreVote | MessageType.Vote, transfer: boolean): void {
    let term: number;
    if (kind === MessageType.PreVote) {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    if (this.poll(this.id, true) === VoteResult.Won) {
      if (kind === MessageType.PreVote) this.campaign(MessageType.Vote, transfer);
      else this.becomeLeader();
      return;
    }
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of [...this.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.send(
        makeMessage({
          type: kind,
          from: this.id,
          to: id,
          term,
          index: lastIndex,
          logTerm: lastTerm,
          context: transfer ? CAMPAIGN_TRANSFER : EMPTY_BYTES,
        }),
      );
    }
  }

  private poll(id: number, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    let yes = 0;
    let no = 0;
    for (const v of this.voters) {
      const g = this.votes.get(v);
      if (g === true) yes++;
      else if (g === false) no++;
    }
    const q = quorum(this.voters.size);
    if (yes >= q) return VoteResult.Won;
    if (no > this.voters.size - q) return VoteResult.Lost;
    return VoteResult.Pending;
  }

  // ---- ticks ----------------------------------------------------------------------------------

  tick(): void {
    if (this.role === Role.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, 0);
        return;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.leadTransferee = 0;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastPendingContext() ?? EMPTY_BYTES);
    }
  }

  /** CheckQuorum: were a quorum of voters (counting ourselves) heard from since the last round? */
  private quorumActive(): boolean {
    let active = 0;
    for (const id of this.voters) {
      const pr = this.progress.get(id);
      if (id === this.id || pr?.recentActive) active++;
    }
    for (const [id, pr] of this.progress) if (id !== this.id) pr.recentActive = false;
    return active >= quorum(this.voters.size);
  }

  // ---- sending --------------------------------------------------------------------------------

  private send(m: Message): void {
    this.msgs.push(m);
  }

  /** Send an append (or a snapshot) to `to` if its progress allows; returns whether one was sent. */
  maybeSendAppend(to: number, sendIfEmpty: boolean): boolean {
    const pr = this.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) return this.sendSnapshot(to, pr);
    let ents: Entry[] = [];
    // With a full window, send an empty append: it re-syncs the follower if all in-flight ones were lost.
    if (!(pr.state === ProgressState.Replicate && pr.inflights.full())) {
      if (pr.next < this.log.firstIndex()) return this.sendSnapshot(to, pr);
      ents = this.log.entriesFrom(pr.next, this.cfg.maxSizePerMsg);
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const e of ents) bytes += entryBytes(e);
    this.send(
      makeMessage({
        type: MessageType.App,
        from: this.id,
        to,
        term: this.term,
        index: prevIndex,
        logTerm: prevTerm,
        entries: ents,
        commit: this.log.committed,
      }),
    );
    pr.sentEntries(ents.length, bytes);
    return true;
  }

  private sendSnapshot(to: number, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    const snap = this.log.snapshot();
    if (snap.metadata.index === 0) throw new Error("raft: need a snapshot but storage has none");
    this.send(makeMessage({ type: MessageType.Snap, from: this.id, to, term: this.term, snapshot: snap }));
    pr.becomeSnapshot(snap.metadata.index);
    return true;
  }

  bcastAppend(): void {
    for (const id of this.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, true);
  }

  /** Leader only: heartbeat every follower now, as if the heartbeat timeout fired. */
  beat(): void {
    if (this.role !== Role.Leader) return;
    this.heartbeatElapsed = 0;
    this.bcastHeartbeat(this.readOnly.lastPendingContext() ?? EMPTY_BYTES);
  }

  private bcastHeartbeat(context: Uint8Array): void {
    for (const [id, pr] of this.progress) {
      if (id === this.id) continue;
      this.send(
        makeMessage({
          type: MessageType.Heartbeat,
          from: this.id,
          to: id,
          term: this.term,
          commit: Math.min(pr.match, this.log.committed),
          context,
        }),
      );
    }
  }

  /** Send any appends deferred by proposals (one batch per follower). */
  flushAppends(): void {
    if (!this.appendsPending) return;
    this.appendsPending = false;
    if (this.role === Role.Leader) this.bcastAppend();
  }

  private appendEntries(es: Entry[]): number {
    let li = this.log.lastIndex();
    for (const e of es) {
      e.term = this.term;
      e.index = ++li;
    }
    this.log.append(es);
    this.appendsPending = true;
    return li;
  }

  /** Quorum commit over voters' match indexes; only an entry of the current term commits by counting. */
  maybeCommit(): boolean {
    const matches: number[] = [];
    for (const id of this.voters) matches.push(this.progress.get(id)?.match ?? 0);
    if (matches.length === 0) return false;
    matches.sort((a, b) => b - a);
    const mci = matches[quorum(matches.length) - 1];
    const committed = this.log.maybeCommit(mci, this.term);
    if (committed) this.releasePendingReads();
    return committed;
  }

  /** Called by RawNode once entries up to the log's persisted index are durable. */
  onPersisted(): void {
    if (this.role !== Role.Leader) return;
    const self = this.progress.get(this.id);
    if (self?.maybeUpdate(this.log.persistedIndex()) && this.maybeCommit()) this.bcastAppend();
  }

  // ---- requests -------------------------------------------------------------------------------

  propose(data: Uint8Array, type: EntryType = EntryType.Normal): ProposeResult {
    if (this.role !== Role.Leader) return { ok: false, error: notLeader(this.lead) };
    if (!this.progress.has(this.id)) return { ok: false, error: { kind: "dropped", reason: "removed" } };
    if (this.leadTransferee !== 0)
      return { ok: false, error: { kind: "dropped", reason: "leader-transfer" } };
    const index = this.appendEntries([{ index: 0, term: 0, type, data }]);
    return { ok: true, index, term: this.term };
  }

  proposeConfChange(cc: ConfChange, data: Uint8Array): ProposeResult {
    if (this.role !== Role.Leader) return { ok: false, error: notLeader(this.lead) };
    // One change at a time, and only once this term committed an entry (Ongaro's single-server fix).
    if (this.pendingConfIndex > this.log.applied || this.log.term(this.log.committed) !== this.term) {
      return { ok: false, error: { kind: "dropped", reason: "conf-change-pending" } };
    }
    if (!this.validConfChange(cc))
      return { ok: false, error: { kind: "dropped", reason: "invalid-conf-change" } };
    const r = this.propose(data, EntryType.ConfChange);
    if (r.ok) this.pendingConfIndex = r.index;
    return r;
  }

  private validConfChange(cc: ConfChange): boolean {
    if (!Number.isInteger(cc.nodeId) || cc.nodeId <= 0) return false;
    switch (cc.type) {
      case ConfChangeType.AddLearner:
        return !this.voters.has(cc.nodeId) && !this.learners.has(cc.nodeId);
      case ConfChangeType.AddVoter:
        return !this.voters.has(cc.nodeId);
      case ConfChangeType.RemoveNode:
        if (this.voters.has(cc.nodeId)) return this.voters.size > 1;
        return this.learners.has(cc.nodeId);
    }
    return false;
  }

  transferLeader(to: number): RequestResult {
    if (this.role !== Role.Leader) return { ok: false, error: notLeader(this.lead) };
    if (!this.voters.has(to) || to === this.id) return { ok: true };
    if (this.leadTransferee === to) return { ok: true };
    this.leadTransferee = to;
    // The transfer must finish within one election timeout.
    this.electionElapsed = 0;
    const pr = this.progress.get(to)!;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.maybeSendAppend(to, true);
    return { ok: true };
  }

  private sendTimeoutNow(to: number): void {
    this.send(makeMessage({ type: MessageType.TimeoutNow, from: this.id, to, term: this.term }));
  }

  readIndex(context: Uint8Array): RequestResult {
    if (this.role !== Role.Leader) return { ok: false, error: notLeader(this.lead) };
    if (this.log.term(this.log.committed) !== this.term) {
      // The commit index is not known to be current until an entry of this term commits.
      this.pendingReadContexts.push(context);
      return { ok: true };
    }
    this.startRead(context);
    return { ok: true };
  }

  private startRead(context: Uint8Array): void {
    if (this.voters.size === 1 && this.voters.has(this.id)) {
      this.readStates.push({ index: this.log.committed, context });
      return;
    }
    this.readOnly.add(this.log.committed, context);
    this.readOnly.recvAck(this.id, context);
    this.bcastHeartbeat(context);
  }

  private releasePendingReads(): void {
    if (this.pendingReadContexts.length === 0 || this.log.term(this.log.committed) !== this.term) return;
    const ctxs = this.pendingReadContexts;
    this.pendingReadContexts = [];
    for (const c of ctxs) this.startRead(c);
  }

  reportUnreachable(id: number): void {
    const pr = this.progress.get(id);
    if (this.role === Role.Leader && pr && pr.state === ProgressState.Replicate) pr.becomeProbe();
  }

  reportSnapshot(id: number, ok: boolean): void {
    const pr = this.progress.get(id);
    if (this.role !== Role.Leader || !pr || pr.state !== ProgressState.Snapshot) return;
    if (!ok) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for a heartbeat response before probing again.
    pr.paused = true;
  }

  // ---- receiving ------------------------------------------------------------------------------

  step(m: Message): void {
    if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const inLease =
          this.cfg.checkQuorum && this.lead !== 0 && this.electionElapsed < this.cfg.electionTicks;
        // Leader lease: a node that hears from a live leader ignores disruptive campaigns.
        if (!isTransfer(m.context) && inLease) return;
      }
      if (m.type === MessageType.PreVote) {
        // Term unchanged by a pre-vote request.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // The future term of a granted pre-vote; the term changes only if the pre-election wins.
      } else if (
        m.type === MessageType.App ||
        m.type === MessageType.Heartbeat ||
        m.type === MessageType.Snap
      ) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, 0);
      }
    } else if (m.term < this.term) {
      if (
        (this.cfg.checkQuorum || this.cfg.preVote) &&
        (m.type === MessageType.App || m.type === MessageType.Heartbeat)
      ) {
        // Tell a stale leader about the newer term so it steps down.
        this.send(makeMessage({ type: MessageType.AppResp, from: this.id, to: m.from, term: this.term }));
      } else if (m.type === MessageType.PreVote) {
        this.send(
          makeMessage({
            type: MessageType.PreVoteResp,
            from: this.id,
            to: m.from,
            term: this.term,
            reject: true,
          }),
        );
      }
      return;
    }

    if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
      this.handleVote(m);
      return;
    }
    switch (this.role) {
      case Role.Leader:
        this.stepLeader(m);
        break;
      case Role.Candidate:
      case Role.PreCandidate:
        this.stepCandidate(m);
        break;
      case Role.Follower:
        this.stepFollower(m);
        break;
    }
  }

  private handleVote(m: Message): void {
    const canVote =
      this.vote === m.from ||
      (this.vote === 0 && this.lead === 0) ||
      (m.type === MessageType.PreVote && m.term > this.term);
    if (canVote && (this.cfg.skipVoteLogCheck || this.log.isUpToDate(m.index, m.logTerm))) {
      // A granted vote answers with the request's term so the candidate counts it.
      this.send(makeMessage({ type: voteRespType(m.type), from: this.id, to: m.from, term: m.term }));
      if (m.type === MessageType.Vote) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(
        makeMessage({ type: voteRespType(m.type), from: this.id, to: m.from, term: this.term, reject: true }),
      );
    }
  }

  private stepLeader(m: Message): void {
    const pr = this.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case MessageType.AppResp:
        pr.recentActive = true;
        if (m.reject) {
          let hint = m.rejectHint;
          if (m.logTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
          if (pr.maybeDecrTo(m.index, hint)) {
            if (pr.state === ProgressState.Replicate) pr.becomeProbe();
            this.maybeSendAppend(m.from, true);
          }
          return;
        }
        {
          const wasPaused = pr.isPaused();
          if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === ProgressState.Probe)) {
            if (pr.state === ProgressState.Probe) {
              pr.becomeReplicate();
            } else if (pr.state === ProgressState.Snapshot && pr.match + 1 >= this.log.firstIndex()) {
              pr.becomeProbe();
              pr.becomeReplicate();
            } else if (pr.state === ProgressState.Replicate) {
              pr.inflights.freeLE(m.index);
              pr.paused = pr.inflights.full();
            }
            if (this.maybeCommit()) this.bcastAppend();
            else if (wasPaused) this.maybeSendAppend(m.from, true);
            while (this.maybeSendAppend(m.from, false)) {
              // keep streaming while the window allows
            }
            if (m.from === this.leadTransferee && pr.match === this.log.lastIndex())
              this.sendTimeoutNow(m.from);
          }
        }
        return;
      case MessageType.HeartbeatResp:
        pr.recentActive = true;
        pr.paused = false;
        if (pr.match < this.log.lastIndex() || pr.state === ProgressState.Probe)
          this.maybeSendAppend(m.from, true);
        if (m.context.length > 0 && this.voters.has(m.from)) {
          const acks = this.readOnly.recvAck(m.from, m.context);
          if (acks) {
            let n = 0;
            for (const v of this.voters) if (acks.has(v)) n++;
            if (n >= quorum(this.voters.size))
              for (const rs of this.readOnly.advance(m.context)) this.readStates.push(rs);
          }
        }
        return;
      default:
        return;
    }
  }

  private stepCandidate(m: Message): void {
    const myResp = this.role === Role.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.App:
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case MessageType.Heartbeat:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      default:
        if (m.type !== myResp) return;
        switch (this.poll(m.from, !m.reject)) {
          case VoteResult.Won:
            if (this.role === Role.PreCandidate) this.campaign(MessageType.Vote, false);
            else {
              this.becomeLeader();
              this.flushAppends();
            }
            return;
          case VoteResult.Lost:
            this.becomeFollower(this.term, 0);
            return;
          default:
            return;
        }
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.App:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return;
      case MessageType.Heartbeat:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case MessageType.Snap:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case MessageType.TimeoutNow:
        this.hup(true);
        return;
      default:
        return;
    }
  }

  private handleAppend(m: Message): void {
    if (m.index < this.log.committed) {
      this.send(
        makeMessage({
          type: MessageType.AppResp,
          from: this.id,
          to: m.from,
          term: this.term,
          index: this.log.committed,
        }),
      );
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send(
        makeMessage({
          type: MessageType.AppResp,
          from: this.id,
          to: m.from,
          term: this.term,
          index: lastNew,
        }),
      );
      return;
    }
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send(
      makeMessage({
        type: MessageType.AppResp,
        from: this.id,
        to: m.from,
        term: this.term,
        index: m.index,
        reject: true,
        rejectHint: hint.index,
        logTerm: hint.term,
      }),
    );
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send(
      makeMessage({
        type: MessageType.HeartbeatResp,
        from: this.id,
        to: m.from,
        term: this.term,
        context: m.context,
      }),
    );
  }

  private handleSnapshot(m: Message): void {
    const s = m.snapshot!;
    const index = this.restore(s) ? this.log.lastIndex() : this.log.committed;
    this.send(makeMessage({ type: MessageType.AppResp, from: this.id, to: m.from, term: this.term, index }));
  }

  private restore(s: Snapshot): boolean {
    const meta = s.metadata;
    if (meta.index <= this.log.committed) return false;
    const cs = meta.confState;
    if (!cs.voters.includes(this.id) && !cs.learners.includes(this.id)) return false;
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We already have the snapshot's last entry: just fast-forward the commit index.
      this.log.commitTo(meta.index);
      return false;
    }
    this.log.restore(s);
    this.applyConfState(cs);
    return true;
  }

  // ---- introspection --------------------------------------------------------------------------

  progressStatus(): Map<number, ProgressStatus> {
    const out = new Map<number, ProgressStatus>();
    for (const [id, pr] of this.progress) {
      out.set(id, {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        recentActive: pr.recentActive,
        isLearner: pr.isLearner,
        pendingSnapshot: pr.pendingSnapshot,
      });
    }
    return out;
  }
}
