import { describe, expect, it } from "vitest";
import { encodeConsumerSubscription } from "../../../data-node/src/groups/consumer-protocol.ts";
import { ErrorCode } from "../../../data-node/src/groups/error-codes.ts";
import { decodeRecord } from "../../../data-node/src/groups/records.ts";
import { commit, errorsOf, flush, GROUP, harness, joinRequest, stableGroup, track } from "./harness.ts";

describe("offset commit and fetch", () => {
  it("accepts generation -1 commits without membership and round-trips offsets and metadata", async () => {
    const { coordinator: c } = harness();
    const result = await commit(c, 100, [
      { topic: "orders", partition: 0, offset: 42n },
      { topic: "orders", partition: 2, offset: 7n, metadata: null },
      { topic: "audit", partition: 1, offset: 9007199254740993n, metadata: "ünïcødé" },
    ]);
    expect(errorsOf(result)).toEqual([0, 0, 0]);
    expect(c.groupState(GROUP)).toBe("Empty");

    const fetched = c.fetchOffsets({
      groupId: GROUP,
      topics: [{ name: "orders", partitionIndexes: [0, 1, 2] }],
    });
    expect(fetched).toEqual({
      errorCode: 0,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 42n,
              committedLeaderEpoch: 4,
              metadata: "meta-0",
              errorCode: 0,
            },
            { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: "", errorCode: 0 },
            { partitionIndex: 2, committedOffset: 7n, committedLeaderEpoch: 4, metadata: "", errorCode: 0 },
          ],
        },
      ],
    });
    const all = c.fetchOffsets({ groupId: GROUP, topics: null });
    expect(all.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)])).toEqual([
      ["orders", [42n, 7n]],
      ["audit", [9007199254740993n]],
    ]);
    expect(all.topics[1].partitions[0].metadata).toBe("ünïcødé");
  });

  it("returns -1 for unknown groups, topics and partitions", () => {
    const { coordinator: c } = harness();
    expect(c.fetchOffsets({ groupId: "nobody", topics: [{ name: "t", partitionIndexes: [0, 3] }] })).toEqual({
      errorCode: 0,
      topics: [
        {
          name: "t",
          partitions: [0, 3].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: "",
            errorCode: 0,
          })),
        },
      ],
    });
    expect(c.fetchOffsets({ groupId: "nobody", topics: null })).toEqual({ errorCode: 0, topics: [] });
  });

  it("acknowledges a commit only after its records are durable", async () => {
    const h = harness();
    const c = h.coordinator;
    h.hold();
    const pending = track(commit(c, 100, [{ topic: "orders", partition: 0, offset: 5n }]));
    await flush();
    expect(pending.done).toBe(false);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics).toEqual([]);
    h.release();
    await flush();
    expect(pending.done).toBe(true);
    expect(errorsOf(pending.value!)).toEqual([0]);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics[0].partitions[0].committedOffset).toBe(5n);
    // The record went to the group's partition, in Kafka's format.
    const [entry] = h.log;
    expect(entry.partition).toBe(c.partitionFor(GROUP));
    expect(decodeRecord(entry.record)).toEqual({
      type: "offset",
      key: { group: GROUP, topic: "orders", partition: 0 },
      value: { offset: 5n, leaderEpoch: 4, metadata: "meta-0", commitTimestamp: 100, expireTimestamp: null },
    });
  });

  it("checks generation and membership for group members", async () => {
    const { coordinator: c } = harness();
    expect(
      errorsOf(
        await commit(c, 0, [{ topic: "t", partition: 0, offset: 1n }], { generationId: 3, memberId: "m" }),
      ),
    ).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    const member = await c.joinGroup(joinRequest({ requireKnownMemberId: false }), 0);
    // Joined but not synced: the member must finish the rebalance first.
    expect(
      errorsOf(
        await commit(c, 0, [{ topic: "t", partition: 0, offset: 1n }], {
          generationId: 1,
          memberId: member.memberId,
        }),
      ),
    ).toEqual([ErrorCode.REBALANCE_IN_PROGRESS]);
    const memberId = member.memberId;
    await c.syncGroup(
      {
        groupId: GROUP,
        memberId,
        generationId: 1,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      },
      0,
    );
    const p = [{ topic: "t", partition: 0, offset: 10n }];
    expect(errorsOf(await commit(c, 1, p, { generationId: 1, memberId }))).toEqual([0]);
    expect(errorsOf(await commit(c, 1, p, { generationId: 0, memberId }))).toEqual([
      ErrorCode.ILLEGAL_GENERATION,
    ]);
    expect(errorsOf(await commit(c, 1, p, { generationId: 1, memberId: "stranger" }))).toEqual([
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    // A group with members does not accept commits from outside it.
    expect(errorsOf(await commit(c, 1, p))).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics[0].partitions[0].committedOffset).toBe(
      10n,
    );
  });

  it("rejects oversized metadata per partition and maps append failures", async () => {
    const h = harness({ maxMetadataSize: 8 });
    const c = h.coordinator;
    const r = await commit(c, 0, [
      { topic: "t", partition: 0, offset: 1n, metadata: "123456789" },
      { topic: "t", partition: 1, offset: 1n, metadata: "ok" },
    ]);
    expect(errorsOf(r)).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, 0]);
    h.failAppends(Object.assign(new Error("lost leadership"), { errorCode: 6 }));
    expect(errorsOf(await commit(c, 0, [{ topic: "t", partition: 1, offset: 2n }]))).toEqual([
      ErrorCode.NOT_COORDINATOR,
    ]);
    h.failAppends(new Error("disk on fire"));
    expect(errorsOf(await commit(c, 0, [{ topic: "t", partition: 1, offset: 2n }]))).toEqual([
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    ]);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics[0].partitions).toMatchObject([
      { partitionIndex: 1, committedOffset: 1n },
    ]);
  });

  it("answers NOT_COORDINATOR for groups of partitions this node does not own", async () => {
    const { coordinator: c } = harness();
    c.unloadPartition(c.partitionFor(GROUP));
    expect(errorsOf(await commit(c, 0, [{ topic: "t", partition: 0, offset: 1n }]))).toEqual([
      ErrorCode.NOT_COORDINATOR,
    ]);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });
});

describe("offset retention", () => {
  const RETENTION = 60_000;
  const CHECK = 1_000;

  it("expires offsets of an offsets-only group by commit time, then deletes the group", async () => {
    const h = harness({ offsetsRetentionMs: RETENTION, offsetsRetentionCheckIntervalMs: CHECK });
    const c = h.coordinator;
    await commit(c, 0, [{ topic: "t", partition: 0, offset: 1n }]);
    await commit(c, 30_000, [{ topic: "t", partition: 1, offset: 1n }]);
    c.tick(0);
    c.tick(RETENTION);
    await flush();
    const partitions = c.fetchOffsets({ groupId: GROUP, topics: null }).topics[0].partitions;
    expect(partitions.map((p) => p.partitionIndex)).toEqual([1]);
    expect(decodeRecord(h.log.at(-1)!.record)).toEqual({
      type: "offset",
      key: { group: GROUP, topic: "t", partition: 0 },
      value: null,
    });
    c.tick(RETENTION + 30_000);
    await flush();
    expect(c.groupState(GROUP)).toBe("Dead");
    expect(c.listGroups().groups).toEqual([]);
  });

  it("keeps a consumer group's offsets while it has members and expires them once it has been empty long enough", async () => {
    const h = harness({ offsetsRetentionMs: RETENTION, offsetsRetentionCheckIntervalMs: CHECK });
    const c = h.coordinator;
    const metadata = encodeConsumerSubscription({
      topics: ["t"],
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
    const memberId = await stableGroup(c, [{ name: "range", metadata }]);
    await commit(c, 0, [{ topic: "t", partition: 0, offset: 1n }], { generationId: 1, memberId });
    c.tick(0);
    for (let t = CHECK; t <= 2 * RETENTION; t += CHECK) {
      c.heartbeat({ groupId: GROUP, memberId, generationId: 1, groupInstanceId: null }, t);
      c.tick(t);
    }
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics).toHaveLength(1);
    const emptySince = 2 * RETENTION;
    c.leaveGroup({ groupId: GROUP, members: [{ memberId, groupInstanceId: null }] }, emptySince);
    expect(c.groupState(GROUP)).toBe("Empty");
    c.tick(emptySince + RETENTION - CHECK);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics).toHaveLength(1);
    c.tick(emptySince + RETENTION);
    await flush();
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics).toEqual([]);
    expect(c.groupState(GROUP)).toBe("Dead");
    // Offset tombstone, then the group's own tombstone.
    expect(h.log.slice(-2).map((e) => decodeRecord(e.record))).toEqual([
      { type: "offset", key: { group: GROUP, topic: "t", partition: 0 }, value: null },
      { type: "group", groupId: GROUP, value: null },
    ]);
  });

  it("expires only unsubscribed topics' offsets of a Stable consumer group", async () => {
    const h = harness({ offsetsRetentionMs: RETENTION, offsetsRetentionCheckIntervalMs: CHECK });
    const c = h.coordinator;
    const metadata = encodeConsumerSubscription({
      topics: ["kept"],
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
    const memberId = await stableGroup(c, [{ name: "range", metadata }]);
    const member = { generationId: 1, memberId };
    await commit(c, 0, [{ topic: "kept", partition: 0, offset: 1n }], member);
    await commit(c, 0, [{ topic: "dropped", partition: 0, offset: 1n }], member);
    c.tick(0);
    for (let t = CHECK; t <= RETENTION; t += CHECK) {
      c.heartbeat({ groupId: GROUP, memberId, generationId: 1, groupInstanceId: null }, t);
      c.tick(t);
    }
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics.map((t) => t.name)).toEqual(["kept"]);
  });

  it("honours an explicit retention time (OffsetCommit v2-v4)", async () => {
    const h = harness({ offsetsRetentionMs: RETENTION, offsetsRetentionCheckIntervalMs: CHECK });
    const c = h.coordinator;
    await commit(c, 0, [{ topic: "t", partition: 0, offset: 1n }], { retentionTimeMs: 5_000 });
    expect(decodeRecord(h.log[0].record)).toMatchObject({ value: { expireTimestamp: 5_000 } });
    c.tick(0);
    c.tick(4_000);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics).toHaveLength(1);
    c.tick(5_000);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics).toEqual([]);
  });
});
