import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../../data-node/src/kafka/protocol/errors.ts";
import { defaultJoinGroupRequest } from "../../../../data-node/src/kafka/protocol/generated/join-group-request.ts";
import type { JoinGroupResponse } from "../../../../data-node/src/kafka/protocol/generated/join-group-response.ts";
import { defaultOffsetCommitRequest } from "../../../../data-node/src/kafka/protocol/generated/offset-commit-request.ts";
import { defaultOffsetFetchRequest } from "../../../../data-node/src/kafka/protocol/generated/offset-fetch-request.ts";
import { groupContext } from "./group-context.ts";

const G = "orders-app";

const join = (
  memberId: string,
  extra: { rebalanceTimeoutMs?: number; groupInstanceId?: string | null } = {},
) => ({
  ...defaultJoinGroupRequest(),
  groupId: G,
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: extra.rebalanceTimeoutMs ?? 30_000,
  memberId,
  groupInstanceId: extra.groupInstanceId ?? null,
  protocolType: "consumer",
  protocols: [{ name: "range", metadata: Buffer.from(`sub:${memberId}`) }],
});

function pending<T>(promise: Promise<T>) {
  const state: { value: T | undefined } = { value: undefined };
  void promise.then((v) => {
    state.value = v;
  });
  return state;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

// Moves the clock and ticks the coordinator until `done()` holds (bounded: a broken rebalance fails).
async function advanceUntil(t: ReturnType<typeof groupContext>, done: () => boolean): Promise<void> {
  for (let i = 0; i < 20 && !done(); i++) {
    t.clock.now += 1_000;
    t.groups.tick(t.clock.now);
    await flush();
  }
  expect(done()).toBe(true);
}

// Three members at different JoinGroup versions form one generation (initial rebalance delay on).
async function formGroup() {
  const t = groupContext({ initialRebalanceDelayMs: 3_000 });
  const a = pending(t.call(11, 0, join(""), "alpha"));
  // v5: a new dynamic member first gets MEMBER_ID_REQUIRED with the id it must use.
  const first = await t.call(11, 5, join(""), "bravo");
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId).toMatch(/^bravo-/);
  expect(first.generationId).toBe(-1);
  const b = pending(t.call(11, 5, join(first.memberId), "bravo"));
  const c = pending(t.call(11, 2, join("", { rebalanceTimeoutMs: 20_000 }), "charlie"));
  await flush();
  expect(a.value ?? b.value ?? c.value).toBeUndefined();
  await advanceUntil(t, () => a.value !== undefined && b.value !== undefined && c.value !== undefined);
  const joined = [a.value, b.value, c.value] as JoinGroupResponse[];
  return { t, joined };
}

describe("group handlers: a three-member group", () => {
  it("joins at v0, v5 (MEMBER_ID_REQUIRED) and v2, syncs, heartbeats and describes the group", async () => {
    const { t, joined } = await formGroup();
    for (const j of joined) {
      expect(j.errorCode).toBe(0);
      expect(j.generationId).toBe(1);
      expect(j.protocolName).toBe("range");
    }
    const [a, b, c] = joined;
    expect(a.memberId).toMatch(/^alpha-/);
    expect(c.memberId).toMatch(/^charlie-/);
    const leader = joined.find((j) => j.memberId === j.leader)!;
    expect(leader).toBeDefined();
    expect(leader.members.map((m) => m.memberId).sort()).toEqual(joined.map((j) => j.memberId).sort());
    expect(joined.filter((j) => j !== leader).every((j) => j.members.length === 0)).toBe(true);

    // Followers wait in SyncGroup until the leader's assignment is durable.
    const assignment = (id: string) => Buffer.from(`assigned:${id}`);
    const versions = new Map([
      [a.memberId, 0],
      [b.memberId, 3],
      [c.memberId, 4],
    ]);
    const sync = (id: string) =>
      t.call(14, versions.get(id)!, {
        groupId: G,
        generationId: 1,
        memberId: id,
        groupInstanceId: null,
        assignments:
          id === leader.memberId
            ? joined.map((j) => ({ memberId: j.memberId, assignment: assignment(j.memberId) }))
            : [],
      });
    const followers = joined.filter((j) => j !== leader).map((j) => pending(sync(j.memberId)));
    await flush();
    expect(followers.every((f) => f.value === undefined)).toBe(true);
    const leaderSync = await sync(leader.memberId);
    await flush();
    expect(leaderSync).toMatchObject({ errorCode: 0, assignment: assignment(leader.memberId) });
    const others = joined.filter((j) => j !== leader);
    followers.forEach((f, i) => {
      expect(f.value).toMatchObject({ errorCode: 0, assignment: assignment(others[i].memberId) });
    });

    const heartbeat = (v: number, memberId: string, generationId = 1) =>
      t.call(12, v, { groupId: G, generationId, memberId, groupInstanceId: null });
    expect((await heartbeat(0, a.memberId)).errorCode).toBe(0);
    expect((await heartbeat(4, b.memberId)).errorCode).toBe(0);
    expect((await heartbeat(2, c.memberId, 7)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await heartbeat(1, "nobody")).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(
      (await t.call(12, 0, { groupId: "", generationId: 1, memberId: "x", groupInstanceId: null })).errorCode,
    ).toBe(ErrorCode.INVALID_GROUP_ID);

    const described = await t.call(15, 5, {
      groups: [G, "unknown-group"],
      includeAuthorizedOperations: true,
    });
    const [g, unknown] = described.groups;
    expect(g).toMatchObject({
      errorCode: 0,
      groupState: "Stable",
      protocolType: "consumer",
      protocolData: "range",
    });
    expect(g.authorizedOperations).toBe((1 << 3) | (1 << 6) | (1 << 8));
    const alpha = g.members.find((m) => m.memberId === a.memberId)!;
    expect(alpha).toMatchObject({
      clientId: "alpha",
      clientHost: "/127.0.0.1",
      memberAssignment: assignment(a.memberId),
    });
    expect(unknown).toMatchObject({ errorCode: 0, groupState: "Dead", members: [] });
    const describedV0 = await t.call(15, 0, { groups: [G], includeAuthorizedOperations: false });
    expect(describedV0.groups[0].members).toHaveLength(3);

    const listed = await t.call(16, 0, { statesFilter: [] });
    expect(listed).toMatchObject({ errorCode: 0, groups: [{ groupId: G, protocolType: "consumer" }] });
    expect((await t.call(16, 4, { statesFilter: ["stable"] })).groups).toEqual([
      { groupId: G, protocolType: "consumer", groupState: "Stable" },
    ]);
    expect((await t.call(16, 4, { statesFilter: ["Empty"] })).groups).toEqual([]);
    expect(t.activity()).toBeGreaterThan(0);
  });

  it("commits and fetches offsets with metadata at v2, v6 and v8, and v8 fetches several groups", async () => {
    const { t, joined } = await formGroup();
    const leader = joined.find((j) => j.memberId === j.leader)!;
    await Promise.all(
      joined.map((j) =>
        t.call(14, 4, {
          groupId: G,
          generationId: 1,
          memberId: j.memberId,
          groupInstanceId: null,
          assignments:
            j === leader ? joined.map((m) => ({ memberId: m.memberId, assignment: Buffer.from("x") })) : [],
        }),
      ),
    );
    const [a, b, c] = joined;
    const commit = (
      v: number,
      memberId: string,
      partitions: { p: number; offset: bigint; epoch?: number; meta: string }[],
      topic = "orders",
    ) =>
      t.call(8, v, {
        ...defaultOffsetCommitRequest(),
        groupId: G,
        generationIdOrMemberEpoch: 1,
        memberId,
        retentionTimeMs: -1n,
        topics: [
          {
            name: topic,
            partitions: partitions.map((x) => ({
              partitionIndex: x.p,
              committedOffset: x.offset,
              committedLeaderEpoch: x.epoch ?? -1,
              commitTimestamp: -1n,
              committedMetadata: x.meta,
            })),
          },
        ],
      });
    const okV2 = await commit(2, a.memberId, [{ p: 0, offset: 10n, meta: "from-a" }]);
    expect(okV2.topics).toEqual([{ name: "orders", partitions: [{ partitionIndex: 0, errorCode: 0 }] }]);
    await commit(6, b.memberId, [{ p: 1, offset: 20n, epoch: 5, meta: "from-b" }]);
    await commit(8, c.memberId, [{ p: 2, offset: 30n, epoch: 6, meta: "from-c" }]);
    // Partitions of unknown topics, or beyond a topic's partition count, are refused on their own.
    const mixed = await commit(8, c.memberId, [
      { p: 2, offset: 31n, meta: "" },
      { p: 9, offset: 1n, meta: "" },
    ]);
    expect(mixed.topics[0].partitions.map((p) => p.errorCode)).toEqual([
      0,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const unknownTopic = await commit(8, c.memberId, [{ p: 0, offset: 1n, meta: "" }], "no-such-topic");
    expect(unknownTopic.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // A stale generation is refused.
    const stale = await t.call(8, 7, {
      ...defaultOffsetCommitRequest(),
      groupId: G,
      generationIdOrMemberEpoch: 0,
      memberId: a.memberId,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(stale.topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const v1 = await t.call(9, 1, {
      ...defaultOffsetFetchRequest(),
      groupId: G,
      topics: [{ name: "orders", partitionIndexes: [0, 1, 2] }],
    });
    expect(
      v1.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
    ).toEqual([
      [0, 10n, "from-a", 0],
      [1, 20n, "from-b", 0],
      [2, 31n, "", 0],
    ]);
    // v5 carries leader epochs; null topics (v2+) means every committed offset of the group.
    const v5 = await t.call(9, 5, { ...defaultOffsetFetchRequest(), groupId: G, topics: null });
    expect(v5.errorCode).toBe(0);
    const byPartition = new Map(v5.topics[0].partitions.map((p) => [p.partitionIndex, p]));
    expect(byPartition.get(1)).toMatchObject({
      committedOffset: 20n,
      committedLeaderEpoch: 5,
      metadata: "from-b",
    });
    expect(byPartition.get(0)?.committedLeaderEpoch).toBe(-1);

    const v8 = await t.call(9, 8, {
      ...defaultOffsetFetchRequest(),
      groups: [
        { groupId: G, topics: [{ name: "orders", partitionIndexes: [2] }] },
        { groupId: "never-committed", topics: null },
        { groupId: G, topics: [{ name: "audit", partitionIndexes: [0] }] },
      ],
    });
    expect(v8.groups.map((g) => g.groupId)).toEqual([G, "never-committed", G]);
    expect(v8.groups[0].topics[0].partitions[0]).toMatchObject({
      committedOffset: 31n,
      committedLeaderEpoch: -1,
      errorCode: 0,
    });
    expect(v8.groups[1]).toMatchObject({ errorCode: 0, topics: [] });
    expect(v8.groups[2].topics[0].partitions[0]).toMatchObject({
      committedOffset: -1n,
      metadata: "",
      errorCode: 0,
    });
  });

  it("LeaveGroup v3 removes a batch of members; v0 removes the last one", async () => {
    const { t, joined } = await formGroup();
    const leader = joined.find((j) => j.memberId === j.leader)!;
    await Promise.all(
      joined.map((j) =>
        t.call(14, 2, {
          groupId: G,
          generationId: 1,
          memberId: j.memberId,
          groupInstanceId: null,
          assignments:
            j === leader ? joined.map((m) => ({ memberId: m.memberId, assignment: Buffer.from("x") })) : [],
        }),
      ),
    );
    const [a, b, c] = joined;
    const left = await t.call(13, 3, {
      groupId: G,
      memberId: "",
      members: [
        { memberId: b.memberId, groupInstanceId: null },
        { memberId: c.memberId, groupInstanceId: null },
        { memberId: "ghost", groupInstanceId: null },
      ],
    });
    expect(left.errorCode).toBe(0);
    expect(left.members.map((m) => [m.memberId, m.errorCode])).toEqual([
      [b.memberId, 0],
      [c.memberId, 0],
      ["ghost", ErrorCode.UNKNOWN_MEMBER_ID],
    ]);
    // The survivor is told to rejoin and forms generation 2 alone.
    expect(
      (await t.call(12, 0, { groupId: G, generationId: 1, memberId: a.memberId, groupInstanceId: null }))
        .errorCode,
    ).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await t.call(11, 0, join(a.memberId), "alpha");
    expect(rejoined).toMatchObject({ errorCode: 0, generationId: 2, leader: a.memberId });
    const lastOut = await t.call(13, 0, { groupId: G, memberId: a.memberId, members: [] });
    expect(lastOut.errorCode).toBe(0);
    expect(t.groups.groupState(G)).toBe("Empty");
    expect((await t.call(13, 1, { groupId: G, memberId: a.memberId, members: [] })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });
});

describe("group handlers: offsets without group management", () => {
  it("a simple consumer commits with generation -1 (v2) and without one (v0), and fetches its metadata back", async () => {
    const t = groupContext();
    const simple = await t.call(8, 2, {
      ...defaultOffsetCommitRequest(),
      groupId: "simple",
      generationIdOrMemberEpoch: -1,
      memberId: "",
      retentionTimeMs: 3_600_000n,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 1,
              committedOffset: 42n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: "checkpoint-7",
            },
          ],
        },
      ],
    });
    expect(simple.topics[0].partitions[0].errorCode).toBe(0);
    const v0 = await t.call(8, 0, {
      ...defaultOffsetCommitRequest(),
      groupId: "legacy",
      topics: [
        {
          name: "audit",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 7n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: "v0-meta",
            },
          ],
        },
      ],
    });
    expect(v0.topics[0].partitions[0].errorCode).toBe(0);
    const fetched = await t.call(9, 0, {
      ...defaultOffsetFetchRequest(),
      groupId: "simple",
      topics: [{ name: "orders", partitionIndexes: [1, 2] }],
    });
    expect(fetched.topics[0].partitions).toEqual([
      {
        partitionIndex: 1,
        committedOffset: 42n,
        committedLeaderEpoch: -1,
        metadata: "checkpoint-7",
        errorCode: 0,
      },
      { partitionIndex: 2, committedOffset: -1n, committedLeaderEpoch: -1, metadata: "", errorCode: 0 },
    ]);
    const legacy = await t.call(9, 3, { ...defaultOffsetFetchRequest(), groupId: "legacy", topics: null });
    expect(legacy.topics).toEqual([
      {
        name: "audit",
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 7n,
            committedLeaderEpoch: -1,
            metadata: "v0-meta",
            errorCode: 0,
          },
        ],
      },
    ]);
    // A positive generation for a group that does not exist is refused.
    const bad = await t.call(8, 5, {
      ...defaultOffsetCommitRequest(),
      groupId: "fresh",
      generationIdOrMemberEpoch: 3,
      memberId: "m",
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(bad.topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });
});

describe("group handlers: coordinator ownership", () => {
  it("answers NOT_COORDINATOR for an unowned partition and COORDINATOR_LOAD_IN_PROGRESS while loading", async () => {
    const t = groupContext();
    const partition = t.groups.partitionFor(G);
    t.groups.unloadPartition(partition);
    expect((await t.call(11, 4, join(""))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(
      (await t.call(12, 0, { groupId: G, generationId: 1, memberId: "m", groupInstanceId: null })).errorCode,
    ).toBe(ErrorCode.NOT_COORDINATOR);
    // OffsetFetch v0-1 have no top-level error: every requested partition carries it.
    const v1 = await t.call(9, 1, {
      ...defaultOffsetFetchRequest(),
      groupId: G,
      topics: [{ name: "orders", partitionIndexes: [0, 1] }],
    });
    expect(v1.topics[0].partitions.map((p) => [p.errorCode, p.committedOffset])).toEqual([
      [ErrorCode.NOT_COORDINATOR, -1n],
      [ErrorCode.NOT_COORDINATOR, -1n],
    ]);
    t.groups.beginLoading(partition);
    const v6 = await t.call(9, 6, { ...defaultOffsetFetchRequest(), groupId: G, topics: null });
    expect(v6).toMatchObject({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, topics: [] });
    const commit = await t.call(8, 8, {
      ...defaultOffsetCommitRequest(),
      groupId: G,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(commit.topics[0].partitions[0].errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const leave = await t.call(13, 4, {
      groupId: G,
      memberId: "",
      members: [{ memberId: "m", groupInstanceId: null }],
    });
    expect(leave).toMatchObject({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, members: [] });
    expect((await t.call(16, 2, { statesFilter: [] })).errorCode).toBe(
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    expect(
      (await t.call(15, 1, { groups: [G], includeAuthorizedOperations: false })).groups[0].errorCode,
    ).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  });
});

describe("FindCoordinator", () => {
  it("v0-v3 answer one key, v4 a batch; transaction keys get COORDINATOR_NOT_AVAILABLE", async () => {
    const t = groupContext();
    const v0 = await t.call(10, 0, { key: G, keyType: 0, coordinatorKeys: [] });
    expect(v0).toMatchObject({ errorCode: 0, nodeId: 1, host: "127.0.0.1", port: 9092 });
    const v3 = await t.call(10, 3, { key: G, keyType: 0, coordinatorKeys: [] });
    expect(v3).toMatchObject({
      errorCode: 0,
      errorMessage: null,
      nodeId: 1,
      host: "127.0.0.1",
      port: 9092,
      coordinators: [],
    });
    const v3Error = await t.call(10, 3, { key: "nowhere", keyType: 0, coordinatorKeys: [] });
    expect(v3Error).toMatchObject({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      nodeId: -1,
      host: "",
      port: -1,
    });
    const txn = await t.call(10, 1, { key: "txn-1", keyType: 1, coordinatorKeys: [] });
    expect(txn.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);

    const v4 = await t.call(10, 4, { key: "", keyType: 0, coordinatorKeys: [G, "nowhere", "other"] });
    expect(v4.coordinators.map((c) => [c.key, c.errorCode, c.nodeId, c.host, c.port])).toEqual([
      [G, 0, 1, "127.0.0.1", 9092],
      ["nowhere", ErrorCode.COORDINATOR_NOT_AVAILABLE, -1, "", -1],
      ["other", 0, 1, "127.0.0.1", 9092],
    ]);
    const v4Txn = await t.call(10, 4, { key: "", keyType: 1, coordinatorKeys: ["t1", "t2"] });
    expect(v4Txn.coordinators.map((c) => c.errorCode)).toEqual([
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    ]);
    const badType = await t.call(10, 2, { key: G, keyType: 7, coordinatorKeys: [] });
    expect(badType.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});
