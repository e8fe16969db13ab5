import { afterEach, describe, expect, it, vi } from "vitest";
import { GroupCoordinator } from "../../../data-node/src/groups/coordinator.ts";
import { ErrorCode } from "../../../data-node/src/groups/error-codes.ts";
import { type OffsetsReplica, OffsetsTopicBinding } from "../../../data-node/src/groups/offsets-topic.ts";
import { decodeRecord, encodeOffsetCommitRecord } from "../../../data-node/src/groups/records.ts";
import {
  Attr,
  buildRecordBatch,
  iterateRecords,
  lastOffsetOf,
  parseBatchHeader,
  setBaseOffset,
  verifyCrc,
} from "../../../data-node/src/kafka/protocol/record-batch.ts";

const PARTITIONS = 3;
const NOT_LEADER_OR_FOLLOWER = 6;
const KAFKA_STORAGE_ERROR = 56;

// A `__consumer_offsets` replica in memory: produce appends (and, unless `holdCommits`, commits at
// once); the high watermark only moves on `commit()`.
class FakeReplica implements OffsetsReplica {
  isLeader = true;
  highWatermark = 0;
  holdCommits = false;
  // Reads answer at most this many batches (a small read size), and the next `failReads` reads fail.
  batchesPerRead = Number.POSITIVE_INFINITY;
  failReads = 0;
  readonly batches: Buffer[] = [];
  private end = 0;
  private waiters: { offset: number; wake: () => void }[] = [];
  readonly log = { logStartOffset: () => 0, logEndOffset: () => this.end };

  async produce(batches: Buffer[], acks: number, _timeoutMs: number) {
    expect(acks).toBe(-1);
    if (!this.isLeader) return { errorCode: NOT_LEADER_OR_FOLLOWER, baseOffset: -1, logStartOffset: 0 };
    const baseOffset = this.end;
    for (const b of batches) this.appendUncommitted(b);
    if (!this.holdCommits) this.commit();
    return { errorCode: 0, baseOffset, logStartOffset: 0 };
  }

  // What a previous leader left in the log, not yet known to be committed.
  appendUncommitted(batch: Buffer): void {
    const copy = Buffer.from(batch);
    setBaseOffset(copy, BigInt(this.end));
    this.batches.push(copy);
    this.end = Number(lastOffsetOf(copy)) + 1;
  }

  commit(): void {
    this.highWatermark = this.end;
    const ready = this.waiters.filter((w) => this.highWatermark > w.offset);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.wake();
  }

  loseLeadership(): void {
    this.isLeader = false;
    for (const w of this.waiters.splice(0)) w.wake();
  }

  read(offset: number, maxBytes: number) {
    const base = { highWatermark: this.highWatermark, records: [] as Buffer[] };
    if (!this.isLeader) return { ...base, errorCode: NOT_LEADER_OR_FOLLOWER };
    if (this.failReads > 0) {
      this.failReads--;
      return { ...base, errorCode: KAFKA_STORAGE_ERROR };
    }
    let bytes = 0;
    for (const b of this.batches) {
      const first = Number(parseBatchHeader(b).baseOffset);
      if (Number(lastOffsetOf(b)) < offset || first >= this.highWatermark) continue;
      if (base.records.length >= this.batchesPerRead) break;
      if (base.records.length > 0 && bytes + b.length > maxBytes) break;
      base.records.push(b);
      bytes += b.length;
    }
    return { ...base, errorCode: 0 };
  }

  waitForData(offset: number, signal: AbortSignal): Promise<void> {
    if (this.highWatermark > offset || !this.isLeader) return Promise.resolve();
    return new Promise((resolve) => {
      const w = { offset, wake: () => resolve() };
      this.waiters.push(w);
      signal.addEventListener("abort", () => w.wake(), { once: true });
    });
  }
}

const G = "orders-app";

function node(replicas: FakeReplica[] | null, now: () => number = () => 1_000) {
  const binding = new OffsetsTopicBinding({
    replica: replicas === null ? undefined : (p) => replicas[p],
    now,
    loadRetryMs: 1,
  });
  let uuid = 0;
  const coordinator = new GroupCoordinator({
    append: binding.append,
    newUuid: () => `uuid-${++uuid}`,
    config: { offsetsTopicPartitions: PARTITIONS, initialRebalanceDelayMs: 0 },
  });
  binding.attach(coordinator);
  return { binding, coordinator, partition: coordinator.partitionFor(G) };
}

function freshReplicas(): FakeReplica[] {
  return Array.from({ length: PARTITIONS }, () => new FakeReplica());
}

// One member joins, syncs and commits two offsets (one with metadata and leader epoch).
async function stableGroupWithOffsets(coordinator: GroupCoordinator, now: number) {
  const joined = await coordinator.joinGroup(
    {
      groupId: G,
      memberId: "",
      groupInstanceId: null,
      requireKnownMemberId: false,
      clientId: "client",
      clientHost: "/127.0.0.1",
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: Buffer.from("subscription") }],
    },
    now,
  );
  const synced = await coordinator.syncGroup(
    {
      groupId: G,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from("assignment") }],
    },
    now,
  );
  expect(synced.errorCode).toBe(0);
  const committed = await coordinator.commitOffsets(
    {
      groupId: G,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      retentionTimeMs: null,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 100n,
              committedLeaderEpoch: 3,
              committedMetadata: "checkpoint",
            },
            { partitionIndex: 1, committedOffset: 200n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    },
    now,
  );
  expect(committed.topics[0].partitions.map((p) => p.errorCode)).toEqual([0, 0]);
  return joined;
}

const fetchAll = (coordinator: GroupCoordinator) => coordinator.fetchOffsets({ groupId: G, topics: null });

afterEach(() => {
  vi.useRealTimers();
});

describe("OffsetsTopicBinding", () => {
  it("appends each coordinator write as one valid uncompressed batch, tombstones as null values", async () => {
    const replicas = freshReplicas();
    const { binding, coordinator, partition } = node(replicas);
    for (let p = 0; p < PARTITIONS; p++) await binding.onLeadership(p, true);
    const joined = await stableGroupWithOffsets(coordinator, 1_000);
    coordinator.leaveGroup(
      { groupId: G, members: [{ memberId: joined.memberId, groupInstanceId: null }] },
      2_000,
    );
    // Far past retention: the empty group's offsets and metadata are deleted with tombstones.
    coordinator.expireOffsets(2_000 + coordinator.config.offsetsRetentionMs + 1);
    await new Promise((resolve) => setImmediate(resolve));

    const batches = replicas[partition].batches;
    // assignment, commit, empty-group metadata, tombstones
    expect(batches).toHaveLength(4);
    const decoded = batches.map((b) => {
      expect(verifyCrc(b)).toBe(true);
      const h = parseBatchHeader(b);
      expect(h.magic).toBe(2);
      expect(h.attributes & Attr.COMPRESSION_MASK).toBe(0);
      return [...iterateRecords(b)].map((r) => decodeRecord({ key: r.key!, value: r.value }));
    });
    expect(decoded.map((records) => records.map((r) => r.type))).toEqual([
      ["group"],
      ["offset", "offset"],
      ["group"],
      ["offset", "offset", "group"],
    ]);
    expect(decoded[1][0]).toMatchObject({
      key: { group: G, topic: "orders", partition: 0 },
      value: { offset: 100n, leaderEpoch: 3, metadata: "checkpoint" },
    });
    expect(decoded[3].every((r) => r.type !== "other" && r.value === null)).toBe(true);
    // Offsets are consecutive across batches.
    expect(batches.map((b) => Number(parseBatchHeader(b).baseOffset))).toEqual([0, 1, 3, 4]);
    for (let p = 0; p < PARTITIONS; p++) if (p !== partition) expect(replicas[p].batches).toEqual([]);
  });

  it("a new leader rebuilds committed offsets and the group generation from the partition", async () => {
    const replicas = freshReplicas();
    const first = node(replicas);
    await first.binding.onLeadership(first.partition, true);
    const joined = await stableGroupWithOffsets(first.coordinator, 1_000);

    // Another node takes over the same log, reading it one batch at a time, after a failed read; its
    // replica is handed over with the leadership change (it may not be registered for lookups yet).
    const second = node(null, () => 5_000);
    replicas[second.partition].batchesPerRead = 1;
    replicas[second.partition].failReads = 1;
    await second.binding.onLeadership(second.partition, true, replicas[second.partition]);
    expect(replicas[second.partition].failReads).toBe(0);
    expect(second.coordinator.generationOf(G)).toBe(joined.generationId);
    expect(second.coordinator.groupState(G)).toBe("Stable");
    const [described] = second.coordinator.describeGroups([G]);
    expect(described.members.map((m) => [m.memberId, m.assignment.toString()])).toEqual([
      [joined.memberId, "assignment"],
    ]);
    expect(fetchAll(second.coordinator)).toEqual({
      errorCode: 0,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 100n,
              committedLeaderEpoch: 3,
              metadata: "checkpoint",
              errorCode: 0,
            },
            {
              partitionIndex: 1,
              committedOffset: 200n,
              committedLeaderEpoch: -1,
              metadata: "",
              errorCode: 0,
            },
          ],
        },
      ],
    });
    // The member carries on against the new coordinator.
    expect(
      second.coordinator.heartbeat(
        { groupId: G, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null },
        5_000,
      ),
    ).toBe(0);
  });

  it("waits for the high watermark to reach the log end before loading, skipping undecodable records", async () => {
    const source = freshReplicas();
    const first = node(source);
    await first.binding.onLeadership(first.partition, true);
    await stableGroupWithOffsets(first.coordinator, 1_000);

    // The new leader's log holds the same entries, not yet known to be committed.
    const replicas = freshReplicas();
    // An undecodable record (a truncated offset-commit key) is skipped, not fatal to the load.
    replicas[first.partition].appendUncommitted(
      buildRecordBatch([{ key: Buffer.from([0, 1, 0]), value: Buffer.from("x") }]),
    );
    for (const b of source[first.partition].batches) replicas[first.partition].appendUncommitted(b);
    const second = node(replicas);
    let loaded = false;
    const loading = second.binding.onLeadership(second.partition, true).then(() => {
      loaded = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(loaded).toBe(false);
    expect(fetchAll(second.coordinator).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    replicas[second.partition].commit();
    await loading;
    expect(fetchAll(second.coordinator).topics[0].partitions).toHaveLength(2);
  });

  it("abandons a load when leadership is lost, and unloading answers NOT_COORDINATOR", async () => {
    const replicas = freshReplicas();
    const { binding, coordinator, partition } = node(replicas);
    const replica = replicas[partition];
    const record = encodeOffsetCommitRecord(
      { group: G, topic: "orders", partition: 0 },
      { offset: 7n, leaderEpoch: -1, metadata: "", commitTimestamp: 1, expireTimestamp: null },
    );
    replica.appendUncommitted(buildRecordBatch([record]));
    const loading = binding.onLeadership(partition, true);
    expect(fetchAll(coordinator).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    replica.loseLeadership();
    await binding.onLeadership(partition, false);
    await loading;
    expect(fetchAll(coordinator).errorCode).toBe(ErrorCode.NOT_COORDINATOR);

    // Leading again: loads; losing it unloads; appends to a follower fail as NOT_COORDINATOR.
    replica.isLeader = true;
    replica.commit();
    await binding.onLeadership(partition, true);
    expect(fetchAll(coordinator).topics[0].partitions[0].committedOffset).toBe(7n);
    replica.isLeader = false;
    const commit = coordinator.commitOffsets(
      {
        groupId: G,
        generationId: -1,
        memberId: "",
        groupInstanceId: null,
        retentionTimeMs: null,
        topics: [
          {
            name: "orders",
            partitions: [
              { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
        ],
      },
      1_000,
    );
    expect((await commit).topics[0].partitions[0].errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    await binding.onLeadership(partition, false);
    expect(fetchAll(coordinator).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(
      coordinator.heartbeat({ groupId: G, generationId: 1, memberId: "m", groupInstanceId: null }, 1_000),
    ).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it("keeps one timer at the coordinator's next deadline and none when idle", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    vi.setSystemTime(1_000_000);
    const replicas = freshReplicas();
    const { binding, coordinator, partition } = node(replicas, () => Date.now());
    binding.start();
    expect(binding.timerDeadline).toBeNull();
    expect(vi.getTimerCount()).toBe(0);

    await binding.onLeadership(partition, true);
    // Only the offset retention check is due.
    expect(binding.timerDeadline).toBe(coordinator.nextDeadline());
    expect(vi.getTimerCount()).toBe(1);

    await stableGroupWithOffsets(coordinator, Date.now());
    binding.rearm();
    const sessionDeadline = Date.now() + 10_000;
    expect(coordinator.nextDeadline()).toBe(sessionDeadline);
    expect(binding.timerDeadline).toBe(sessionDeadline);
    expect(vi.getTimerCount()).toBe(1);

    // The member stops heartbeating: the timer fires at its session deadline and removes it.
    vi.advanceTimersByTime(9_999);
    expect(coordinator.groupState(G)).toBe("Stable");
    vi.advanceTimersByTime(1);
    expect(coordinator.groupState(G)).toBe("Empty");
    expect(binding.timerDeadline).toBe(coordinator.nextDeadline());
    expect(binding.timerDeadline).toBeGreaterThan(Date.now());
    expect(vi.getTimerCount()).toBe(1);

    binding.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
