import { type Logger, silentLogger } from "../../../shared/log.ts";
import { Attr, buildRecordBatch, iterateRecords, parseBatchHeader } from "../kafka/protocol/record-batch.ts";
import type { PartitionReplica } from "../partition/partition.ts";
import type { GroupCoordinator } from "./coordinator.ts";
import { type CoordinatorRecord, decodeRecord } from "./records.ts";

// What the binding uses of a `__consumer_offsets` replica (PartitionReplica satisfies it).
export interface OffsetsReplica {
  readonly isLeader: boolean;
  readonly highWatermark: number;
  readonly log: { logStartOffset(): number; logEndOffset(): number };
  produce: PartitionReplica["produce"];
  read(offset: number, maxBytes: number): { errorCode: number; records: Buffer[]; highWatermark: number };
  waitForData(offset: number, signal: AbortSignal): Promise<void>;
}

export interface OffsetsTopicBindingOptions {
  // This node's replica of `__consumer_offsets` partition p, if it hosts one. Used when
  // `onLeadership` is not handed the replica.
  replica?: (partition: number) => OffsetsReplica | undefined;
  now: () => number;
  logger?: Logger;
  // How long an append waits for the partition's Raft group to commit it.
  appendTimeoutMs?: number;
  // Pause before a failed load is tried again (while still leader).
  loadRetryMs?: number;
}

// The partition layer's code for "not the leader": the coordinator maps it to NOT_COORDINATOR.
const NOT_LEADER_OR_FOLLOWER = 6;
const ACKS_ALL = -1;
const READ_CHUNK_BYTES = 1 << 20;
// One wait for the high watermark to reach the log end; the wait is repeated while still leader.
const CATCH_UP_WAIT_MS = 1_000;
// setTimeout's largest delay.
const MAX_TIMER_MS = 2_147_483_647;

function codedError(errorCode: number, message: string): Error {
  return Object.assign(new Error(message), { errorCode });
}

// Connects the group coordinator to this node's replicas of `__consumer_offsets`: its appends become
// record batches produced with acks=all, leadership of a partition loads (or unloads) that
// partition's groups, and one timer drives the coordinator's deadlines.
//
// Construction order: the binding first, then the coordinator with `append: binding.append`, then
// `binding.attach(coordinator)`.
export class OffsetsTopicBinding {
  private coordinator: GroupCoordinator | null = null;
  private readonly log: Logger;
  private readonly appendTimeoutMs: number;
  private readonly loadRetryMs: number;
  // Partitions this node leads (loading or loaded): the replica, and an id that invalidates older loads.
  private readonly leading = new Map<number, { loadId: number; replica: OffsetsReplica }>();
  private nextLoadId = 0;
  private timer: NodeJS.Timeout | null = null;
  private armedFor: number | null = null;
  private running = false;
  private stopped = false;

  constructor(private readonly options: OffsetsTopicBindingOptions) {
    this.log = options.logger ?? silentLogger;
    this.appendTimeoutMs = options.appendTimeoutMs ?? 10_000;
    this.loadRetryMs = options.loadRetryMs ?? 1_000;
  }

  attach(coordinator: GroupCoordinator): void {
    this.coordinator = coordinator;
  }

  // The deadline the timer is armed for, or null when no timer is set.
  get timerDeadline(): number | null {
    return this.armedFor;
  }

  // The coordinator's `append`: one uncompressed batch per call, committed by a majority.
  readonly append = async (partition: number, records: CoordinatorRecord[]): Promise<void> => {
    try {
      const replica = this.leading.get(partition)?.replica;
      if (!replica?.isLeader)
        throw codedError(NOT_LEADER_OR_FOLLOWER, `not the leader of __consumer_offsets-${partition}`);
      const batch = buildRecordBatch(
        records.map((r) => ({ key: r.key, value: r.value })),
        { baseTimestamp: BigInt(this.options.now()) },
      );
      const outcome = await replica.produce([batch], ACKS_ALL, this.appendTimeoutMs);
      if (outcome.errorCode !== 0) {
        throw codedError(
          outcome.errorCode,
          `append to __consumer_offsets-${partition} failed (${outcome.errorCode})`,
        );
      }
    } finally {
      // The coordinator's own callbacks on this append run first (microtasks); then the timer follows.
      setImmediate(() => this.rearm());
    }
  };

  // Called on every leadership change of a `__consumer_offsets` replica on this node. Pass the replica
  // when it is at hand: a replica may win its first election before the node has registered it.
  // Resolves when the partition is loaded, or the load was abandoned (leadership lost, stopped).
  onLeadership(partition: number, isLeader: boolean, replica?: OffsetsReplica): Promise<void> {
    const coordinator = this.requireCoordinator();
    if (!isLeader) {
      if (this.leading.delete(partition)) {
        coordinator.unloadPartition(partition);
        this.rearm();
      }
      return Promise.resolve();
    }
    if (this.leading.has(partition)) return Promise.resolve();
    const leader = replica ?? this.options.replica?.(partition);
    if (!leader) {
      this.log.warn({ partition }, "leader of a __consumer_offsets partition this node does not host");
      return Promise.resolve();
    }
    const loadId = ++this.nextLoadId;
    this.leading.set(partition, { loadId, replica: leader });
    coordinator.beginLoading(partition);
    return this.load(partition, loadId);
  }

  start(): void {
    this.running = true;
    this.stopped = false;
    this.rearm();
  }

  stop(): void {
    this.running = false;
    this.stopped = true;
    this.clearTimer();
  }

  // Arms the one timer at the coordinator's next deadline. Call after anything that may have moved
  // the deadline earlier (a group operation); later deadlines only cause a harmless early tick.
  rearm(): void {
    if (!this.running || this.coordinator === null) return;
    const deadline = this.coordinator.nextDeadline();
    if (deadline === this.armedFor && (this.timer !== null || deadline === null)) return;
    this.clearTimer();
    if (deadline === null) return;
    const delay = Math.min(Math.max(deadline - this.options.now(), 1), MAX_TIMER_MS);
    this.armedFor = deadline;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedFor = null;
      try {
        this.coordinator?.tick(this.options.now());
      } finally {
        this.rearm();
      }
    }, delay);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = null;
  }

  private requireCoordinator(): GroupCoordinator {
    if (this.coordinator === null) throw new Error("OffsetsTopicBinding.attach(coordinator) was not called");
    return this.coordinator;
  }

  private isCurrent(partition: number, loadId: number): boolean {
    const leading = this.leading.get(partition);
    return !this.stopped && leading?.loadId === loadId && leading.replica.isLeader;
  }

  private async load(partition: number, loadId: number): Promise<void> {
    for (;;) {
      if (!this.isCurrent(partition, loadId)) return;
      try {
        const records = await this.readPartition(partition, loadId);
        if (records === null || !this.isCurrent(partition, loadId)) return;
        this.requireCoordinator().loadPartition(partition, records, this.options.now());
        this.rearm();
        return;
      } catch (err) {
        this.log.warn({ partition, err }, "loading __consumer_offsets partition failed; retrying");
      }
      await new Promise<void>((resolve) => setTimeout(resolve, this.loadRetryMs).unref());
    }
  }

  // A record that cannot be decoded is skipped rather than failing the load: one bad record must not
  // keep every group of the partition unavailable.
  private decodable(record: CoordinatorRecord, partition: number, offset: number): boolean {
    try {
      decodeRecord(record);
      return true;
    } catch (err) {
      this.log.warn({ partition, offset, err }, "skipping an undecodable __consumer_offsets record");
      return false;
    }
  }

  // Every record of the partition up to its high watermark, in log order; null when leadership was
  // lost meanwhile. The read starts only once the high watermark has reached the log end: a new
  // leader's log may end in entries of an earlier term that become committed with its first entry.
  private async readPartition(partition: number, loadId: number): Promise<CoordinatorRecord[] | null> {
    const replica = this.leading.get(partition)!.replica;
    for (;;) {
      if (!this.isCurrent(partition, loadId)) return null;
      const end = replica.log.logEndOffset();
      if (replica.highWatermark >= end) break;
      await replica.waitForData(end - 1, AbortSignal.timeout(CATCH_UP_WAIT_MS));
    }
    const target = replica.highWatermark;
    let offset = replica.log.logStartOffset();
    const records: CoordinatorRecord[] = [];
    while (offset < target) {
      const r = replica.read(offset, READ_CHUNK_BYTES);
      if (r.errorCode === NOT_LEADER_OR_FOLLOWER) return null;
      if (r.errorCode !== 0)
        throw codedError(r.errorCode, `reading offset ${offset} failed (${r.errorCode})`);
      if (r.records.length === 0)
        throw new Error(`reading offset ${offset} returned no batch below ${target}`);
      for (const batch of r.records) {
        const header = parseBatchHeader(batch);
        const next = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
        if ((header.attributes & Attr.CONTROL) === 0) {
          for (const rec of iterateRecords(batch)) {
            const at = Number(header.baseOffset) + rec.offsetDelta;
            if (at < offset || at >= target || rec.key === null) continue;
            // Copies: the group state outlives the read buffers.
            const record = {
              key: Buffer.from(rec.key),
              value: rec.value === null ? null : Buffer.from(rec.value),
            };
            if (this.decodable(record, partition, at)) records.push(record);
          }
        }
        offset = Math.max(offset, Number(next));
      }
    }
    return records;
  }
}
