import { describe, expect, it } from "vitest";
import { GroupCoordinator } from "../../../data-node/src/groups/coordinator.ts";
import { ErrorCode } from "../../../data-node/src/groups/error-codes.ts";
import { rebuildFromRecords } from "../../../data-node/src/groups/rebuild.ts";
import {
  type CoordinatorRecord,
  encodeGroupMetadataRecord,
  encodeOffsetCommitRecord,
  type GroupMetadataValue,
} from "../../../data-node/src/groups/records.ts";
import { GROUP, harness, joinRequest } from "./harness.ts";

const SIMPLE = "offsets-only";

function offset(offset: bigint, commitTimestamp = 0) {
  return { offset, leaderEpoch: 1, metadata: `m${offset}`, commitTimestamp, expireTimestamp: null };
}

const groupValue = (generation: number, members: string[]): GroupMetadataValue => ({
  protocolType: "consumer",
  generation,
  protocol: members.length > 0 ? "range" : null,
  leader: members[0] ?? null,
  currentStateTimestamp: 10,
  members: members.map((memberId) => ({
    memberId,
    groupInstanceId: null,
    clientId: "c",
    clientHost: "/h",
    rebalanceTimeoutMs: 30_000,
    sessionTimeoutMs: 10_000,
    subscription: Buffer.from("s"),
    assignment: Buffer.from(`a:${memberId}`),
  })),
});

describe("rebuildFromRecords", () => {
  it("replays commits, overwrites and tombstones in log order", () => {
    const records: CoordinatorRecord[] = [
      encodeOffsetCommitRecord({ group: "g", topic: "t", partition: 0 }, offset(1n)),
      encodeOffsetCommitRecord({ group: "g", topic: "t", partition: 1 }, offset(2n)),
      encodeGroupMetadataRecord("g", groupValue(1, ["m1", "m2"])),
      encodeOffsetCommitRecord({ group: "g", topic: "t", partition: 0 }, offset(5n)),
      encodeOffsetCommitRecord({ group: "g", topic: "t", partition: 1 }, null),
      encodeGroupMetadataRecord("g", groupValue(2, ["m2"])),
      encodeOffsetCommitRecord({ group: "gone", topic: "t", partition: 0 }, offset(3n)),
      encodeGroupMetadataRecord("gone", groupValue(4, [])),
      encodeOffsetCommitRecord({ group: "gone", topic: "t", partition: 0 }, null),
      encodeGroupMetadataRecord("gone", null),
    ];
    const state = rebuildFromRecords(records);
    expect([...state.groups.keys()]).toEqual(["g"]);
    expect(state.groups.get("g")).toEqual(groupValue(2, ["m2"]));
    expect([...state.offsets.keys()]).toEqual(["g"]);
    expect(state.offsets.get("g")).toEqual(new Map([["t", new Map([[0, offset(5n)]])]]));
  });
});

describe("coordinator failover", () => {
  it("a new coordinator rebuilt from the log has the same offsets, generation and assignments", async () => {
    const h = harness({ offsetsRetentionCheckIntervalMs: 1_000 });
    const c = h.coordinator;
    let now = 0;

    // A consumer group through two generations, committing as it goes.
    const a = (await c.joinGroup(joinRequest({ clientId: "a", requireKnownMemberId: false }), now)).memberId;
    const joinB = c.joinGroup(joinRequest({ clientId: "b", requireKnownMemberId: false }), now);
    const joinA = c.joinGroup(joinRequest({ clientId: "a", memberId: a }), now);
    const [rb] = await Promise.all([joinB, joinA]);
    const b = rb.memberId;
    const syncReq = (
      memberId: string,
      generationId: number,
      assignments: { memberId: string; assignment: Buffer }[] = [],
    ) => ({
      groupId: GROUP,
      memberId,
      generationId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments,
    });
    const syncB = c.syncGroup(syncReq(b, 2), now);
    await c.syncGroup(
      syncReq(a, 2, [
        { memberId: a, assignment: Buffer.from("a:t-0") },
        { memberId: b, assignment: Buffer.from("b:t-1") },
      ]),
      now,
    );
    await syncB;
    const commitAs = (memberId: string, generationId: number, partition: number, o: bigint) =>
      c.commitOffsets(
        {
          groupId: GROUP,
          generationId,
          memberId,
          groupInstanceId: null,
          retentionTimeMs: null,
          topics: [
            {
              name: "t",
              partitions: [
                {
                  partitionIndex: partition,
                  committedOffset: o,
                  committedLeaderEpoch: 2,
                  committedMetadata: `p${partition}`,
                },
              ],
            },
          ],
        },
        now,
      );
    await commitAs(a, 2, 0, 10n);
    await commitAs(b, 2, 1, 20n);
    now = 1_000;
    c.leaveGroup({ groupId: GROUP, members: [{ memberId: b, groupInstanceId: null }] }, now);
    await c.joinGroup(joinRequest({ clientId: "a", memberId: a }), now);
    await c.syncGroup(syncReq(a, 3, [{ memberId: a, assignment: Buffer.from("a:t-0,t-1") }]), now);
    await commitAs(a, 3, 1, 25n);

    // An offsets-only group: one offset overwritten, one expired (tombstoned) by its retention time.
    const simpleCommit = (partition: number, o: bigint, retentionTimeMs: number | null) =>
      c.commitOffsets(
        {
          groupId: SIMPLE,
          generationId: -1,
          memberId: "",
          groupInstanceId: null,
          retentionTimeMs,
          topics: [
            {
              name: "s",
              partitions: [
                {
                  partitionIndex: partition,
                  committedOffset: o,
                  committedLeaderEpoch: -1,
                  committedMetadata: null,
                },
              ],
            },
          ],
        },
        now,
      );
    await simpleCommit(0, 1n, null);
    await simpleCommit(0, 2n, null);
    await simpleCommit(1, 7n, 500);
    c.tick(now);
    now = 2_000;
    c.tick(now);
    expect(
      c.fetchOffsets({ groupId: SIMPLE, topics: null }).topics[0].partitions.map((p) => p.partitionIndex),
    ).toEqual([0]);

    // Failover: a fresh coordinator loads every partition from the replicated log.
    const next = new GroupCoordinator({ append: async () => {}, newUuid: () => "x", config: c.config });
    for (let p = 0; p < c.config.offsetsTopicPartitions; p++) next.loadPartition(p, h.recordsOf(p), now);

    for (const groupId of [GROUP, SIMPLE]) {
      expect(next.fetchOffsets({ groupId, topics: null })).toEqual(c.fetchOffsets({ groupId, topics: null }));
      expect(next.generationOf(groupId)).toBe(c.generationOf(groupId));
      expect(next.describeGroups([groupId])).toEqual(c.describeGroups([groupId]));
    }
    expect(next.generationOf(GROUP)).toBe(3);
    expect(next.groupState(GROUP)).toBe("Stable");
    expect(
      next.fetchOffsets({ groupId: GROUP, topics: null }).topics[0].partitions.map((p) => p.committedOffset),
    ).toEqual([10n, 25n]);

    // Members carry on against the new coordinator, and their sessions are tracked again.
    expect(next.heartbeat({ groupId: GROUP, memberId: a, generationId: 3, groupInstanceId: null }, now)).toBe(
      ErrorCode.NONE,
    );
    const sync = await next.syncGroup(syncReq(a, 3), now);
    expect(sync.assignment).toEqual(Buffer.from("a:t-0,t-1"));
    // a's session (10 s) lapses on the new coordinator: the group rebalances to empty.
    next.tick(now + 9_999);
    expect(next.groupState(GROUP)).toBe("Stable");
    next.tick(now + 10_000);
    expect(next.groupState(GROUP)).toBe("Empty");
    expect(next.generationOf(GROUP)).toBe(4);
  });
});
