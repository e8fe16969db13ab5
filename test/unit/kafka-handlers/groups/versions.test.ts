import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../../data-node/src/kafka/protocol/errors.ts";
import { API_CODECS } from "../../../../data-node/src/kafka/protocol/generated/apis.ts";
import { defaultJoinGroupRequest } from "../../../../data-node/src/kafka/protocol/generated/join-group-request.ts";
import { defaultOffsetCommitRequest } from "../../../../data-node/src/kafka/protocol/generated/offset-commit-request.ts";
import { defaultOffsetFetchRequest } from "../../../../data-node/src/kafka/protocol/generated/offset-fetch-request.ts";
import { groupContext } from "./group-context.ts";

const G = "versions-app";

function versionsOf(apiKey: keyof typeof API_CODECS): number[] {
  const c = API_CODECS[apiKey];
  return Array.from({ length: c.maxVersion - c.minVersion + 1 }, (_, i) => c.minVersion + i);
}

// A Stable group with one static member, formed directly on the coordinator; offsets committed for it.
async function stableGroup() {
  const t = groupContext();
  const joined = await t.groups.joinGroup(
    {
      groupId: G,
      memberId: "",
      groupInstanceId: "instance-1",
      requireKnownMemberId: false,
      clientId: "client",
      clientHost: "/127.0.0.1",
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: Buffer.from("subscription") }],
    },
    t.clock.now,
  );
  const memberId = joined.memberId;
  await t.groups.syncGroup(
    {
      groupId: G,
      generationId: joined.generationId,
      memberId,
      groupInstanceId: "instance-1",
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId, assignment: Buffer.from("assignment") }],
    },
    t.clock.now,
  );
  await t.groups.commitOffsets(
    {
      groupId: G,
      generationId: joined.generationId,
      memberId,
      groupInstanceId: "instance-1",
      retentionTimeMs: null,
      topics: [
        {
          name: "orders",
          partitions: [
            { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: 2, committedMetadata: null },
          ],
        },
      ],
    },
    t.clock.now,
  );
  return { t, memberId, generationId: joined.generationId };
}

// Every response below goes through the generated writer and reader at its version (see `call`).
describe("group handler responses encode at every supported version", () => {
  it.each(versionsOf(11))("JoinGroup v%i", async (v) => {
    const t = groupContext();
    const request = {
      ...defaultJoinGroupRequest(),
      groupId: G,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      groupInstanceId: v >= 5 ? "instance-1" : null,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: Buffer.from("subscription") }],
    };
    let res = await t.call(11, v, request);
    // v4 dynamic members come back with the id they were given; static members (v5+) need no second trip.
    if (v === 4) {
      expect(res.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
      res = await t.call(11, v, { ...request, memberId: res.memberId });
    }
    expect(res.errorCode).toBe(0);
    expect(res.generationId).toBe(1);
    expect(res.members).toEqual([
      {
        memberId: res.memberId,
        groupInstanceId: v >= 5 ? "instance-1" : null,
        metadata: Buffer.from("subscription"),
      },
    ]);
    const failed = await t.call(11, v, { ...request, sessionTimeoutMs: 1 });
    expect(failed).toMatchObject({
      errorCode: ErrorCode.INVALID_SESSION_TIMEOUT,
      protocolName: "",
      leader: "",
    });
  });

  it.each(versionsOf(14))("SyncGroup v%i", async (v) => {
    const { t, memberId, generationId } = await stableGroup();
    const res = await t.call(14, v, {
      groupId: G,
      generationId,
      memberId,
      groupInstanceId: "instance-1",
      assignments: [],
    });
    expect(res).toMatchObject({ errorCode: 0, assignment: Buffer.from("assignment") });
    const bad = await t.call(14, v, {
      groupId: G,
      generationId: 99,
      memberId,
      groupInstanceId: null,
      assignments: [],
    });
    expect(bad).toMatchObject({ errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: Buffer.alloc(0) });
  });

  it.each(versionsOf(12))("Heartbeat v%i", async (v) => {
    const { t, memberId, generationId } = await stableGroup();
    const res = await t.call(12, v, { groupId: G, generationId, memberId, groupInstanceId: "instance-1" });
    expect(res.errorCode).toBe(0);
    // From v3 the instance id is checked: another instance claiming this member id is fenced.
    const other = await t.call(12, v, {
      groupId: G,
      generationId,
      memberId: "other-member",
      groupInstanceId: "instance-1",
    });
    expect(other.errorCode).toBe(v >= 3 ? ErrorCode.FENCED_INSTANCE_ID : ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it.each(versionsOf(13))("LeaveGroup v%i", async (v) => {
    const { t, memberId } = await stableGroup();
    const res = await t.call(13, v, {
      groupId: G,
      memberId,
      members: [{ memberId: "", groupInstanceId: "instance-1" }],
    });
    expect(res.errorCode).toBe(0);
    if (v >= 3) expect(res.members).toEqual([{ memberId: "", groupInstanceId: "instance-1", errorCode: 0 }]);
    else expect(res.members).toEqual([]);
    expect(t.groups.groupState(G)).not.toBe("Stable");
  });

  it.each(versionsOf(8))("OffsetCommit v%i", async (v) => {
    const { t, memberId, generationId } = await stableGroup();
    const res = await t.call(8, v, {
      ...defaultOffsetCommitRequest(),
      groupId: G,
      generationIdOrMemberEpoch: generationId,
      memberId,
      groupInstanceId: "instance-1",
      retentionTimeMs: 60_000n,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 1,
              committedOffset: 9n,
              committedLeaderEpoch: 4,
              commitTimestamp: -1n,
              committedMetadata: "m",
            },
          ],
        },
      ],
    });
    // v0 commits without a generation, which a group with members refuses (Kafka: UNKNOWN_MEMBER_ID).
    expect(res.topics[0].partitions[0].errorCode).toBe(v === 0 ? ErrorCode.UNKNOWN_MEMBER_ID : 0);
    if (v === 0) return;
    const fetched = t.groups.fetchOffsets({
      groupId: G,
      topics: [{ name: "orders", partitionIndexes: [1] }],
    });
    expect(fetched.topics[0].partitions[0]).toMatchObject({
      committedOffset: 9n,
      committedLeaderEpoch: v >= 6 ? 4 : -1,
    });
  });

  it.each(versionsOf(9))("OffsetFetch v%i", async (v) => {
    const { t } = await stableGroup();
    const topics = [{ name: "orders", partitionIndexes: [0, 1] }];
    const res = await t.call(9, v, {
      ...defaultOffsetFetchRequest(),
      groupId: G,
      topics,
      groups: [{ groupId: G, topics }],
    });
    const partitions = v >= 8 ? res.groups[0].topics[0].partitions : res.topics[0].partitions;
    expect(partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])).toEqual([
      [0, 5n, 0],
      [1, -1n, 0],
    ]);
    expect(partitions[0].committedLeaderEpoch).toBe(v >= 5 ? 2 : -1);
    expect(partitions[0].metadata).toBe("");
  });

  it.each(versionsOf(15))("DescribeGroups v%i", async (v) => {
    const { t, memberId } = await stableGroup();
    const res = await t.call(15, v, { groups: [G, "absent"], includeAuthorizedOperations: true });
    expect(res.groups[0]).toMatchObject({ errorCode: 0, groupState: "Stable", protocolData: "range" });
    expect(res.groups[0].members[0]).toEqual({
      memberId,
      groupInstanceId: v >= 4 ? "instance-1" : null,
      clientId: "client",
      clientHost: "/127.0.0.1",
      memberMetadata: Buffer.from("subscription"),
      memberAssignment: Buffer.from("assignment"),
    });
    expect(res.groups[1]).toMatchObject({ groupId: "absent", groupState: "Dead" });
  });

  it.each(versionsOf(16))("ListGroups v%i", async (v) => {
    const { t } = await stableGroup();
    const res = await t.call(16, v, { statesFilter: ["Stable"] });
    expect(res.groups).toEqual([
      { groupId: G, protocolType: "consumer", groupState: v >= 4 ? "Stable" : "" },
    ]);
  });

  it.each(versionsOf(10))("FindCoordinator v%i", async (v) => {
    const t = groupContext();
    const res = await t.call(10, v, { key: "nowhere", keyType: 0, coordinatorKeys: ["nowhere", G] });
    if (v >= 4) {
      expect(res.coordinators.map((c) => c.errorCode)).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE, 0]);
      expect(res.coordinators[0].errorMessage).toBe("the group's coordinator is being elected");
    } else {
      expect(res.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      expect(res.errorMessage).toBe(v >= 1 ? "the group's coordinator is being elected" : "");
    }
  });
});
