import type { Logger } from "../../../shared/log.ts";
import { ProgressState } from "../raft/progress.ts";
import { type Entry, Role, type Snapshot, type SoftState } from "../raft/types.ts";
import type { Proposal, RaftGroup, StateMachine } from "../raft-runtime/group.ts";
import { ProposalLostError } from "../raft-runtime/proposals.ts";
import { DEFAULT_LOG_OPTIONS, type DurableLog } from "../storage/durable-log.ts";
import { OffsetOutOfRangeError } from "../storage/errors.ts";
import { isDataEntry } from "../storage/format.ts";
import {
  asBuffer,
  BATCH,
  BATCH_MAGIC_V2,
  batchNextOffset,
  batchShapeProblem,
  readInt64,
  setBatchHeader,
} from "../storage/record-batch.ts";
import { EpochHistory, type EpochLog } from "./epoch-history.ts";
import type { LogControl } from "./log-control.ts";
import { type BatchIdentity, ProducerStateTable } from "./producer-state.ts";
import { ProposalWindow } from "./proposal-window.ts";
import { HighWatermarkWaiters } from "./waiters.ts";

// Kafka error codes a partition answers with.
export const PartitionError = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  KAFKA_STORAGE_ERROR: 56,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
} as const;

export interface ProduceOutcome {
  errorCode: number;
  baseOffset: number;
  logStartOffset: number;
  errorMessage?: string;
}

export interface FetchOutcome {
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  records: Buffer[];
  bytes: number;
}

export interface ListOffsetOutcome {
  errorCode: number;
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

// ListOffsets' target timestamp for the record with the largest timestamp (KIP-734).
const MAX_TIMESTAMP = -3;

export interface LeadershipInfo {
  isLeader: boolean;
  leaderId: number | undefined;
  term: number;
}

export type PartitionLog = EpochLog &
  Pick<DurableLog, "read" | "offsetForTimestamp" | "maxTimestamp" | "sizeBytes">;

// One replica of a partition: the state machine of its Raft group (the high watermark and producer
// state follow committed entries) and, on the leader, the produce and fetch paths.
export class PartitionReplica implements StateMachine {
  group!: RaftGroup;
  highWatermark: number;
  private leader = false;
  private term = 0;
  private readonly committedProducers = new ProducerStateTable();
  // On the leader: committed producer state plus batches proposed and not yet applied.
  private pendingProducers = new ProducerStateTable();
  private readonly hwWaiters = new HighWatermarkWaiters();
  // Half the log's tail cache: what is proposed is still cached when it is sent and applied.
  private readonly window = new ProposalWindow(DEFAULT_LOG_OPTIONS.cacheBytes / 2);
  // Where each leader epoch starts in this replica's log (OffsetForLeaderEpoch, KIP-320).
  readonly epochs: EpochHistory;
  // Carries out the control entries (compaction, DeleteRecords) on this replica's log; set by the owner.
  control: LogControl | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    private readonly logger: Logger,
    private readonly onLeadership: (p: PartitionReplica, info: LeadershipInfo) => void = () => {},
  ) {
    this.highWatermark = log.logStartOffset();
    this.epochs = EpochHistory.open(log, logger);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  get leaderEpoch(): number {
    return this.term;
  }

  // ---- state machine ----

  apply(entries: readonly Entry[]): void {
    let hw = this.highWatermark;
    for (const e of entries) {
      if (this.control?.apply(e) || !isDataEntry(e, true)) continue;
      const batch = asBuffer(e.data);
      this.committedProducers.record(identityOf(batch), readInt64(batch, BATCH.baseOffset));
      hw = batchNextOffset(batch);
    }
    if (hw !== this.highWatermark) {
      this.highWatermark = hw;
      this.hwWaiters.advanced(hw);
    }
  }

  appended(entries: readonly Entry[]): void {
    this.epochs.appended(entries);
  }

  onSoftState(state: SoftState, term: number): void {
    const wasLeader = this.leader;
    this.leader = state.role === Role.Leader;
    this.term = term;
    if (this.leader && !wasLeader) this.pendingProducers = this.rebuildPendingProducers();
    if (!this.leader) {
      this.hwWaiters.wakeAll();
      this.window.admitAll();
    }
    this.onLeadership(this, { isLeader: this.leader, leaderId: state.leaderId, term });
  }

  restore(snapshot: Snapshot): { nextOffset: number } {
    // A partition snapshot only says where the log starts: the data below it was removed by retention.
    const nextOffset = Number(Buffer.from(snapshot.data).readBigInt64BE(0));
    this.highWatermark = Math.max(this.highWatermark, nextOffset);
    this.epochs.reset(snapshot.metadata.term, nextOffset, snapshot.metadata.index);
    return { nextOffset };
  }

  // ---- produce ----

  // Appends the batches of one produce request for this partition. acks: 0 and 1 resolve once the
  // leader's own log has the data (and it is fsynced under fsync=always), -1 once a majority has it.
  async produce(batches: Buffer[], acks: number, timeoutMs: number): Promise<ProduceOutcome> {
    const logStartOffset = this.log.logStartOffset();
    if (!this.leader)
      return { errorCode: PartitionError.NOT_LEADER_OR_FOLLOWER, baseOffset: -1, logStartOffset };
    const started = performance.now();
    let need = 0;
    for (const b of batches) need += b.length;
    if (!(await this.window.acquire(need, timeoutMs)))
      return { errorCode: PartitionError.REQUEST_TIMED_OUT, baseOffset: -1, logStartOffset };
    const reserved = { bytes: need };
    try {
      // Whole milliseconds: the timeout also becomes an AbortSignal.timeout, which takes integers only.
      const left = Math.max(1, Math.floor(timeoutMs - (performance.now() - started)));
      return await this.append(batches, acks, left, reserved);
    } finally {
      this.window.release(reserved.bytes);
    }
  }

  // Proposes the batches within a window reservation; each proposed batch's bytes are released when
  // its proposal settles, the rest (duplicates, refusals) once proposing is done.
  private async append(
    batches: Buffer[],
    acks: number,
    timeoutMs: number,
    reserved: { bytes: number },
  ): Promise<ProduceOutcome> {
    const logStartOffset = this.log.logStartOffset();
    if (!this.leader)
      return { errorCode: PartitionError.NOT_LEADER_OR_FOLLOWER, baseOffset: -1, logStartOffset };
    let firstOffset = -1;
    const waits: Promise<unknown>[] = [];
    for (const batch of batches) {
      if (batch.length > BATCH.magic && batch[BATCH.magic] !== BATCH_MAGIC_V2) {
        return { errorCode: PartitionError.UNSUPPORTED_FOR_MESSAGE_FORMAT, baseOffset: -1, logStartOffset };
      }
      // Callers verify the CRC where the batch enters (the produce handler); this checks the shape.
      const problem = batchShapeProblem(batch);
      if (problem)
        return {
          errorCode: PartitionError.CORRUPT_MESSAGE,
          baseOffset: -1,
          logStartOffset,
          errorMessage: problem,
        };
      const id = identityOf(batch);
      const check = this.pendingProducers.check(id);
      if (check.kind === "duplicate") {
        if (firstOffset < 0) firstOffset = check.baseOffset;
        // A retry of a batch still in flight is acknowledged only once the original is: answering
        // acks=all for a batch no majority holds yet would lose it on failover.
        if (acks === -1 && check.baseOffset >= this.highWatermark) {
          waits.push(this.committedPast(check.baseOffset, AbortSignal.timeout(Math.max(1, timeoutMs))));
        }
        continue;
      }
      if (check.kind === "out-of-order") {
        // While leadership is being handed over, an earlier batch of this producer may have just been
        // refused NOT_LEADER_OR_FOLLOWER: this one is refused the same way, so the producer retries
        // both on the new leader, as Kafka (which answers no batch once it stops leading) would have it.
        const errorCode = this.group.acceptsProposals()
          ? PartitionError.OUT_OF_ORDER_SEQUENCE_NUMBER
          : PartitionError.NOT_LEADER_OR_FOLLOWER;
        return { errorCode, baseOffset: -1, logStartOffset };
      }
      if (check.kind === "fenced-epoch")
        return { errorCode: PartitionError.INVALID_PRODUCER_EPOCH, baseOffset: -1, logStartOffset };
      const baseOffset = this.nextOffset();
      let appended!: () => void;
      const onAppended = new Promise<void>((r) => (appended = r));
      // The request's own bytes become the entry: the server hands each request a buffer of its own.
      const proposal: Proposal = this.group.propose(setBatchHeader(batch, baseOffset, this.term), appended);
      if (!proposal.ok)
        return { errorCode: PartitionError.NOT_LEADER_OR_FOLLOWER, baseOffset: -1, logStartOffset };
      this.pendingProducers.record(id, baseOffset);
      reserved.bytes -= batch.length;
      const release = () => this.window.release(batch.length);
      proposal.committed.then(release, release);
      if (firstOffset < 0) firstOffset = baseOffset;
      waits.push(acks === -1 ? proposal.committed : Promise.race([onAppended, proposal.committed]));
      // An abandoned acks=0/1 proposal that is later overwritten must not surface as unhandled.
      proposal.committed.catch(() => undefined);
    }
    this.window.release(reserved.bytes);
    reserved.bytes = 0;
    const errorCode = await waitAll(waits, timeoutMs);
    return { errorCode, baseOffset: errorCode === 0 ? firstOffset : -1, logStartOffset };
  }

  // Resolves once the high watermark passes `offset`; rejects if this replica stops leading first.
  private async committedPast(offset: number, signal: AbortSignal): Promise<void> {
    while (this.highWatermark <= offset) {
      if (signal.aborted) throw new TimedOut();
      if (!this.leader)
        throw new ProposalLostError(-1, "leadership moved before the original batch committed");
      await this.hwWaiters.wait(offset, signal);
    }
  }

  // The offset the next batch gets: the end of the last data entry in the leader's log (which
  // includes proposals not yet written), or the log start if there is none.
  private nextOffset(): number {
    const raftLog = this.group.node.raft.log;
    for (let i = raftLog.lastIndex(); i >= raftLog.firstIndex(); i--) {
      const [e] = raftLog.slice(i, i + 1, Number.MAX_SAFE_INTEGER);
      if (e && isDataEntry(e, true)) {
        return batchNextOffset(asBuffer(e.data));
      }
    }
    return this.log.logStartOffset();
  }

  private rebuildPendingProducers(): ProducerStateTable {
    const table = this.committedProducers.clone();
    const raftLog = this.group.node.raft.log;
    const commit = this.group.node.raft.log.committed;
    for (const e of raftLog.slice(commit + 1, raftLog.lastIndex() + 1, Number.MAX_SAFE_INTEGER)) {
      if (!isDataEntry(e, true)) continue;
      const batch = asBuffer(e.data);
      table.record(identityOf(batch), readInt64(batch, BATCH.baseOffset));
    }
    return table;
  }

  // ---- fetch ----

  // atLeastOne: as ReadOptions.atLeastOne (KIP-74).
  read(offset: number, maxBytes: number, atLeastOne = true): FetchOutcome {
    const hw = this.highWatermark;
    const logStartOffset = this.log.logStartOffset();
    const base = { highWatermark: hw, logStartOffset, records: [] as Buffer[], bytes: 0 };
    if (!this.leader) return { ...base, errorCode: PartitionError.NOT_LEADER_OR_FOLLOWER };
    // Out of range as Kafka means it: before the log start or past the log end. Between the high
    // watermark and the log end (a new leader still applying what its predecessor committed) there is
    // just nothing to read yet: answering out of range there makes consumers reset their position.
    if (offset < logStartOffset || offset > Math.max(hw, this.log.logEndOffset()))
      return { ...base, errorCode: PartitionError.OFFSET_OUT_OF_RANGE };
    if (offset >= hw) return { ...base, errorCode: 0 };
    try {
      const r = this.log.read(offset, { maxBytes, maxOffset: hw, atLeastOne });
      return { ...base, errorCode: 0, records: r.batches, bytes: r.bytes };
    } catch (err) {
      if (err instanceof OffsetOutOfRangeError)
        return { ...base, errorCode: PartitionError.OFFSET_OUT_OF_RANGE };
      this.logger.error({ err, offset }, "fetch read failed");
      return { ...base, errorCode: PartitionError.KAFKA_STORAGE_ERROR };
    }
  }

  // Resolves when the high watermark passes `offset`, leadership is lost, or the signal aborts.
  waitForData(offset: number, signal: AbortSignal): Promise<void> {
    if (this.highWatermark > offset || !this.leader) return Promise.resolve();
    return this.hwWaiters.wait(offset, signal);
  }

  // ---- ListOffsets ----

  // -2 earliest, -1 latest (the high watermark), -3 the first record with the largest timestamp
  // (KIP-734), otherwise the first offset at or after timestamp; each with the epoch its record was
  // written in (latest: the current epoch), as Kafka answers.
  listOffset(timestamp: number): ListOffsetOutcome {
    const none = { offset: -1, timestamp: -1, leaderEpoch: -1 };
    if (!this.leader) return { errorCode: PartitionError.NOT_LEADER_OR_FOLLOWER, ...none };
    if (timestamp === -1)
      return { errorCode: 0, offset: this.highWatermark, timestamp: -1, leaderEpoch: this.term };
    if (timestamp === -2) {
      const offset = this.log.logStartOffset();
      return { errorCode: 0, offset, timestamp: -1, leaderEpoch: this.epochs.epochAt(offset) };
    }
    const target = timestamp === MAX_TIMESTAMP ? this.log.maxTimestamp() : timestamp;
    const hit = this.log.offsetForTimestamp(target, this.highWatermark);
    return hit
      ? { errorCode: 0, ...hit, leaderEpoch: this.epochs.epochAt(hit.offset) }
      : { errorCode: 0, ...none };
  }

  // ---- OffsetForLeaderEpoch ----

  // Where `epoch` ends in this leader's log (KIP-320: a consumer compares it with its position to
  // detect a truncated log).
  endOffsetForEpoch(epoch: number): { errorCode: number; leaderEpoch: number; endOffset: number } {
    if (!this.leader)
      return { errorCode: PartitionError.NOT_LEADER_OR_FOLLOWER, leaderEpoch: -1, endOffset: -1 };
    return { errorCode: 0, ...this.epochs.endOffsetFor(epoch) };
  }

  // Replicas in sync: the leader and the followers that are replicating and heard from recently.
  inSyncReplicas(): number[] {
    const status = this.group.status();
    const isr = [status.id];
    for (const [id, p] of status.progress ?? []) {
      if (id !== status.id && !p.isLearner && p.recentActive && p.state === ProgressState.Replicate)
        isr.push(id);
    }
    return isr.sort((a, b) => a - b);
  }
}

class TimedOut extends Error {}

function identityOf(batch: Buffer): BatchIdentity {
  return {
    producerId: readInt64(batch, BATCH.producerId),
    producerEpoch: batch.readInt16BE(BATCH.producerEpoch),
    baseSequence: batch.readInt32BE(BATCH.baseSequence),
    count: batch.readInt32BE(BATCH.lastOffsetDelta) + 1,
  };
}

async function waitAll(waits: Promise<unknown>[], timeoutMs: number): Promise<number> {
  if (waits.length === 0) return 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(PartitionError.REQUEST_TIMED_OUT), Math.max(1, timeoutMs));
  });
  try {
    return await Promise.race([Promise.all(waits).then(() => 0), timeout]);
  } catch (err) {
    if (err instanceof ProposalLostError) return PartitionError.NOT_LEADER_OR_FOLLOWER;
    if (err instanceof TimedOut) return PartitionError.REQUEST_TIMED_OUT;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
