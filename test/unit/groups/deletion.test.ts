import { describe, expect, it } from "vitest";
import { encodeConsumerSubscription } from "../../../data-node/src/groups/consumer-protocol.ts";
import { GroupCoordinator } from "../../../data-node/src/groups/coordinator.ts";
import { ErrorCode } from "../../../data-node/src/groups/error-codes.ts";
import { decodeRecord } from "../../../data-node/src/groups/records.ts";
import { commit, GROUP, harness, joinRequest, stableGroup } from "./harness.ts";

const subscribing = (...topics: string[]) => [
  {
    name: "range",
    metadata: encodeConsumerSubscription({
      topics,
      userData: null,
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    }),
  },
];

// A coordinator that takes over the partition from what `h` appended, as a new leader would.
function takeOver(h: ReturnType<typeof harness>): GroupCoordinator {
  const next = new GroupCoordinator({ append: () => Promise.resolve(), newUuid: () => "x" });
  const partition = next.partitionFor(GROUP);
  for (let p = 0; p < next.config.offsetsTopicPartitions; p++) next.loadPartition(p, h.recordsOf(p), 0);
  expect(h.recordsOf(partition).length).toBeGreaterThan(0);
  return next;
}

describe("DeleteGroups", () => {
  it("deletes an empty group with its offsets, durably: a new coordinator does not bring it back", async () => {
    const h = harness();
    const c = h.coordinator;
    const memberId = await stableGroup(c, subscribing("t"));
    await commit(c, 0, [{ topic: "t", partition: 0, offset: 5n }], { generationId: 1, memberId });
    c.leaveGroup({ groupId: GROUP, members: [{ memberId, groupInstanceId: null }] }, 1);
    expect(c.groupState(GROUP)).toBe("Empty");
    expect(takeOver(h).fetchOffsets({ groupId: GROUP, topics: null }).topics).toHaveLength(1);

    expect(await c.deleteGroups([GROUP, GROUP], 2)).toEqual([{ groupId: GROUP, errorCode: 0 }]);
    expect(c.groupState(GROUP)).toBe("Dead");
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics).toEqual([]);
    expect(h.log.slice(-2).map((e) => decodeRecord(e.record))).toEqual([
      { type: "offset", key: { group: GROUP, topic: "t", partition: 0 }, value: null },
      { type: "group", groupId: GROUP, value: null },
    ]);
    const next = takeOver(h);
    expect(next.groupState(GROUP)).toBe("Dead");
    expect(next.fetchOffsets({ groupId: GROUP, topics: null }).topics).toEqual([]);
  });

  it("deletes a group that only stores offsets", async () => {
    const h = harness();
    await commit(h.coordinator, 0, [{ topic: "t", partition: 0, offset: 1n }]);
    expect(await h.coordinator.deleteGroups([GROUP], 1)).toEqual([{ groupId: GROUP, errorCode: 0 }]);
    expect(takeOver(h).listGroups().groups).toEqual([]);
  });

  it("refuses a group with members, an unknown group, and one coordinated elsewhere", async () => {
    const h = harness();
    const c = h.coordinator;
    await stableGroup(c);
    c.unloadPartition(c.partitionFor("elsewhere"));
    const res = await c.deleteGroups([GROUP, "nobody", "elsewhere"], 1);
    expect(res).toEqual([
      { groupId: GROUP, errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: "nobody", errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      { groupId: "elsewhere", errorCode: ErrorCode.NOT_COORDINATOR },
    ]);
    expect(c.groupState(GROUP)).toBe("Stable");
  });

  it("deletes a group whose last member's session has expired by now", async () => {
    const h = harness();
    const c = h.coordinator;
    await stableGroup(c);
    expect(await c.deleteGroups([GROUP], joinRequest().sessionTimeoutMs + 1)).toEqual([
      { groupId: GROUP, errorCode: 0 },
    ]);
  });

  it("answers the append's failure", async () => {
    const h = harness();
    await commit(h.coordinator, 0, [{ topic: "t", partition: 0, offset: 1n }]);
    h.failAppends(Object.assign(new Error("not leader"), { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }));
    expect(await h.coordinator.deleteGroups([GROUP], 1)).toEqual([
      { groupId: GROUP, errorCode: ErrorCode.NOT_COORDINATOR },
    ]);
  });
});

describe("OffsetDelete", () => {
  const partitions = (...topics: [string, number[]][]) =>
    topics.map(([name, partitionIndexes]) => ({ name, partitionIndexes }));

  it("removes an empty group's offsets durably; partitions without one are fine too", async () => {
    const h = harness();
    const c = h.coordinator;
    await commit(c, 0, [
      { topic: "a", partition: 0, offset: 1n },
      { topic: "a", partition: 1, offset: 2n },
    ]);
    const res = await c.deleteOffsets({ groupId: GROUP, topics: partitions(["a", [0, 7]]) }, 1);
    expect(res).toEqual({
      errorCode: 0,
      topics: [
        {
          name: "a",
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 7, errorCode: 0 },
          ],
        },
      ],
    });
    const left = (co: GroupCoordinator) =>
      co
        .fetchOffsets({ groupId: GROUP, topics: null })
        .topics.flatMap((t) => t.partitions.map((p) => p.partitionIndex));
    expect(left(c)).toEqual([1]);
    expect(left(takeOver(h))).toEqual([1]);
  });

  it("keeps the offsets of topics a consumer group with members subscribes to", async () => {
    const h = harness();
    const c = h.coordinator;
    const memberId = await stableGroup(c, subscribing("read"));
    const member = { generationId: 1, memberId };
    await commit(c, 0, [{ topic: "read", partition: 0, offset: 1n }], member);
    await commit(c, 0, [{ topic: "old", partition: 0, offset: 1n }], member);
    const res = await c.deleteOffsets({ groupId: GROUP, topics: partitions(["read", [0]], ["old", [0]]) }, 1);
    expect(res.topics.map((t) => [t.name, t.partitions[0].errorCode])).toEqual([
      ["read", ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC],
      ["old", 0],
    ]);
    expect(c.fetchOffsets({ groupId: GROUP, topics: null }).topics.map((t) => t.name)).toEqual(["read"]);
  });

  it("treats every topic as subscribed when the subscriptions cannot be read", async () => {
    const h = harness();
    const c = h.coordinator;
    await stableGroup(c);
    const res = await c.deleteOffsets({ groupId: GROUP, topics: partitions(["x", [0]]) }, 1);
    expect(res.topics[0].partitions[0].errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
  });

  it("answers group errors without topics: non-consumer groups with members, unknown, invalid, elsewhere", async () => {
    const h = harness();
    const c = h.coordinator;
    await stableGroup(c);
    await c.joinGroup(
      joinRequest({ groupId: "connect", protocolType: "connect", requireKnownMemberId: false }),
      0,
    );
    c.unloadPartition(c.partitionFor("elsewhere"));
    const ask = (groupId: string) => c.deleteOffsets({ groupId, topics: partitions(["t", [0]]) }, 1);
    expect(await ask("connect")).toEqual({ errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] });
    expect(await ask("nobody")).toEqual({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] });
    expect(await ask("")).toEqual({ errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] });
    expect(await ask("elsewhere")).toEqual({ errorCode: ErrorCode.NOT_COORDINATOR, topics: [] });
  });
});
