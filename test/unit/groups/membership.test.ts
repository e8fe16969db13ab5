import { describe, expect, it } from "vitest";
import type { GroupCoordinator } from "../../../data-node/src/groups/coordinator.ts";
import { ErrorCode } from "../../../data-node/src/groups/error-codes.ts";
import type { JoinGroupRequest, JoinGroupResult } from "../../../data-node/src/groups/types.ts";
import { flush, GROUP, harness, joinRequest, protocols, track } from "./harness.ts";

const SESSION = 10_000;
const REBALANCE = 30_000;

// First JoinGroup round of KIP-394: the coordinator hands out the member id and answers at once.
async function memberIdFor(
  c: GroupCoordinator,
  clientId: string,
  now: number,
  extra: Partial<JoinGroupRequest> = {},
) {
  const first = await c.joinGroup(joinRequest({ clientId, ...extra }), now);
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId.startsWith(`${clientId}-`)).toBe(true);
  return first.memberId;
}

function join(c: GroupCoordinator, memberId: string, now: number, extra: Partial<JoinGroupRequest> = {}) {
  return c.joinGroup(joinRequest({ memberId, clientId: memberId.split("-")[0], ...extra }), now);
}

function heartbeat(c: GroupCoordinator, memberId: string, generationId: number, now: number) {
  return c.heartbeat({ groupId: GROUP, memberId, generationId, groupInstanceId: null }, now);
}

function sync(
  c: GroupCoordinator,
  memberId: string,
  generationId: number,
  now: number,
  assignments: { memberId: string; assignment: Buffer }[] = [],
) {
  return c.syncGroup(
    {
      groupId: GROUP,
      memberId,
      generationId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments,
    },
    now,
  );
}

// All members (re)join and sync; the leader assigns each member a buffer naming it. `started` are
// JoinGroups already in flight.
async function rebalance(
  c: GroupCoordinator,
  memberIds: string[],
  now: number,
  started: Promise<JoinGroupResult>[] = [],
) {
  const joins = [...started, ...memberIds.map((id) => join(c, id, now))];
  const results = await Promise.all(joins);
  const leader = results.find((r) => r.members.length > 0)!;
  const generation = leader.generationId;
  const followers = results.filter((r) => r !== leader).map((r) => sync(c, r.memberId, generation, now));
  const assignments = leader.members.map((m) => ({
    memberId: m.memberId,
    assignment: Buffer.from(`a:${m.memberId}`),
  }));
  await sync(c, leader.memberId, generation, now, assignments);
  await Promise.all(followers);
  return { results, generation, leader: leader.memberId };
}

describe("group membership", () => {
  it("runs a 3-member group through joins, rebalances, expiry, leave and rebalance timeout", async () => {
    const h = harness();
    const c = h.coordinator;
    let now = 1_000;

    // KIP-394 round: every member first learns its id; nothing completes while ids are pending.
    const ids = [];
    for (const client of ["a", "b", "c"]) ids.push(await memberIdFor(c, client, now));
    const [a, b, cc] = ids;
    expect(c.groupState(GROUP)).toBe("Empty");

    const joinA = track(join(c, a, now, { protocols: protocols("range", "roundrobin") }));
    const joinB = track(join(c, b, now, { protocols: protocols("roundrobin", "range") }));
    await flush();
    expect(c.groupState(GROUP)).toBe("PreparingRebalance");
    expect(joinA.done).toBe(false); // still waiting for c, whose id is pending
    const joinC = track(join(c, cc, now, { protocols: protocols("roundrobin", "range") }));
    await flush();
    // Complete as soon as everyone joined: no tick, no timeout.
    for (const j of [joinA, joinB, joinC]) expect(j.done).toBe(true);
    const ra = joinA.value!;
    const rb = joinB.value!;
    const rc = joinC.value!;
    expect(c.groupState(GROUP)).toBe("CompletingRebalance");
    // Leader is the first member to join; protocol chosen by vote (2 of 3 prefer roundrobin).
    for (const r of [ra, rb, rc]) {
      expect(r).toMatchObject({
        errorCode: 0,
        generationId: 1,
        leader: a,
        protocolName: "roundrobin",
        protocolType: "consumer",
      });
    }
    expect(ra.members.map((m) => m.memberId)).toEqual([a, b, cc]);
    expect(ra.members[1].metadata).toEqual(Buffer.from("meta:roundrobin"));
    expect(rb.members).toEqual([]);
    expect(rc.members).toEqual([]);

    // Followers wait in SyncGroup until the leader's assignment is durable.
    const syncB = track(sync(c, b, 1, now));
    const syncC = track(sync(c, cc, 1, now));
    await flush();
    expect(syncB.done).toBe(false);
    const assignments = [a, b, cc].map((id) => ({ memberId: id, assignment: Buffer.from(`a:${id}`) }));
    const syncA = await sync(c, a, 1, now, assignments);
    await flush();
    expect(syncA).toMatchObject({
      errorCode: 0,
      assignment: Buffer.from(`a:${a}`),
      protocolName: "roundrobin",
    });
    expect(syncB.value).toMatchObject({ errorCode: 0, assignment: Buffer.from(`a:${b}`) });
    expect(syncC.value).toMatchObject({ errorCode: 0, assignment: Buffer.from(`a:${cc}`) });
    expect(c.groupState(GROUP)).toBe("Stable");
    expect(h.log.length).toBe(1); // the group metadata record with the assignment

    // Steady heartbeats, well past the session timeout in total.
    for (let i = 0; i < 5; i++) {
      now += SESSION / 2;
      c.tick(now);
      for (const id of [a, b, cc]) expect(heartbeat(c, id, 1, now)).toBe(ErrorCode.NONE);
    }
    expect(c.groupState(GROUP)).toBe("Stable");

    // A 4th member triggers a rebalance; every member hears REBALANCE_IN_PROGRESS on heartbeat.
    const d = await memberIdFor(c, "d", now);
    const joinD = track(join(c, d, now));
    await flush();
    expect(c.groupState(GROUP)).toBe("PreparingRebalance");
    for (const id of [a, b, cc]) expect(heartbeat(c, id, 1, now)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(await sync(c, b, 1, now)).toMatchObject({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
    // Rejoin completes the moment the last known member is back, long before the rebalance timeout.
    now += 100;
    const rejoin = [a, b, cc].map((id) => track(join(c, id, now)));
    await flush();
    expect(joinD.done).toBe(true);
    for (const r of rejoin) expect(r.value).toMatchObject({ errorCode: 0, generationId: 2, leader: a });
    expect(rejoin[0].value!.members.map((m) => m.memberId)).toEqual([a, b, cc, d]);
    expect(heartbeat(c, d, 1, now)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(heartbeat(c, d, 2, now)).toBe(ErrorCode.NONE);
    const followers = [b, cc, d].map((id) => sync(c, id, 2, now));
    await sync(
      c,
      a,
      2,
      now,
      [a, b, cc, d].map((id) => ({ memberId: id, assignment: Buffer.from(`g2:${id}`) })),
    );
    expect((await Promise.all(followers)).map((r) => r.assignment.toString())).toEqual([
      `g2:${b}`,
      `g2:${cc}`,
      `g2:${d}`,
    ]);
    expect(c.groupState(GROUP)).toBe("Stable");

    // cc stops heartbeating: its session expires, it is removed and a rebalance follows.
    const lastFromC = now;
    for (let t = now + 2_000; t <= lastFromC + SESSION; t += 2_000) {
      now = t;
      c.tick(now);
      for (const id of [a, b, d]) heartbeat(c, id, 2, now);
    }
    expect(c.groupState(GROUP)).toBe("PreparingRebalance");
    expect(heartbeat(c, cc, 2, now)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    for (const id of [a, b, d]) expect(heartbeat(c, id, 2, now)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const g3 = await rebalance(c, [a, b, d], now);
    expect(g3.generation).toBe(3);
    expect(g3.results[0].members.map((m) => m.memberId)).toEqual([a, b, d]);

    // b leaves: the group rebalances without it.
    const leave = c.leaveGroup({ groupId: GROUP, members: [{ memberId: b, groupInstanceId: null }] }, now);
    expect(leave).toEqual({ errorCode: 0, members: [{ memberId: b, groupInstanceId: null, errorCode: 0 }] });
    expect(heartbeat(c, a, 3, now)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const g4 = await rebalance(c, [a, d], now);
    expect(g4.generation).toBe(4);
    expect(g4.results[0].members.map((m) => m.memberId)).toEqual([a, d]);

    // A new member e arrives; d never rejoins: at the rebalance timeout the join completes without d.
    const e = await memberIdFor(c, "e", now);
    const joinE = track(join(c, e, now));
    const rebalanceStart = now;
    now += 1_000;
    const joinA5 = track(join(c, a, now));
    for (let t = now; t < rebalanceStart + REBALANCE; t += 5_000) {
      c.tick(t);
      heartbeat(c, d, 4, t); // d keeps heartbeating but never rejoins
    }
    await flush();
    expect(joinA5.done).toBe(false);
    now = rebalanceStart + REBALANCE;
    c.tick(now);
    await flush();
    expect(joinA5.value).toMatchObject({ errorCode: 0, generationId: 5, leader: a });
    expect(joinA5.value!.members.map((m) => m.memberId)).toEqual([a, e]);
    expect(joinE.value).toMatchObject({ errorCode: 0, generationId: 5 });
    expect(heartbeat(c, d, 4, now)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("waits for the initial rebalance delay, extended while new members keep arriving", async () => {
    const h = harness({ initialRebalanceDelayMs: 3_000 });
    const c = h.coordinator;
    const a = await memberIdFor(c, "a", 0);
    const joinA = track(join(c, a, 0));
    const b = await memberIdFor(c, "b", 1_000);
    const joinB = track(join(c, b, 1_000));
    c.tick(2_999);
    await flush();
    expect(joinA.done).toBe(false);
    c.tick(3_000); // b arrived during the delay: wait another delay
    await flush();
    expect(joinA.done).toBe(false);
    c.tick(6_000);
    await flush();
    expect(joinA.value).toMatchObject({ errorCode: 0, generationId: 1, leader: a });
    expect(joinB.value).toMatchObject({ errorCode: 0, generationId: 1, leader: a });
  });

  it("validates joins: session timeout, protocols, unknown member ids, coordinator ownership", async () => {
    const h = harness();
    const c = h.coordinator;
    expect(await c.joinGroup(joinRequest({ sessionTimeoutMs: 1_000 }), 0)).toMatchObject({
      errorCode: ErrorCode.INVALID_SESSION_TIMEOUT,
    });
    expect(await c.joinGroup(joinRequest({ sessionTimeoutMs: 3_600_000 }), 0)).toMatchObject({
      errorCode: ErrorCode.INVALID_SESSION_TIMEOUT,
    });
    expect(await c.joinGroup(joinRequest({ protocols: [] }), 0)).toMatchObject({
      errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    });
    expect(await c.joinGroup(joinRequest({ groupId: "" }), 0)).toMatchObject({
      errorCode: ErrorCode.INVALID_GROUP_ID,
    });
    expect(await c.joinGroup(joinRequest({ memberId: "ghost" }), 0)).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
      generationId: -1,
    });

    const joined = await c.joinGroup(
      joinRequest({ requireKnownMemberId: false, protocols: protocols("range") }),
      0,
    );
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(joined.memberId).toBe("client-uuid-1");
    // Different protocol type, or no protocol in common with the group.
    expect(await c.joinGroup(joinRequest({ protocolType: "connect" }), 0)).toMatchObject({
      errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    });
    expect(await c.joinGroup(joinRequest({ protocols: protocols("sticky") }), 0)).toMatchObject({
      errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    });

    c.unloadPartition(c.partitionFor(GROUP));
    expect(await c.joinGroup(joinRequest(), 0)).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR });
    c.beginLoading(c.partitionFor(GROUP));
    expect(await c.joinGroup(joinRequest(), 0)).toMatchObject({
      errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    });
    expect(c.describeGroups([GROUP])[0]).toMatchObject({
      errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      groupState: "",
    });
    // As Kafka does for older clients: heartbeats pass blindly, SyncGroup sends the member back to JoinGroup.
    expect(heartbeat(c, joined.memberId, 1, 0)).toBe(ErrorCode.NONE);
    expect(await sync(c, joined.memberId, 1, 0)).toMatchObject({
      errorCode: ErrorCode.REBALANCE_IN_PROGRESS,
    });
  });

  it("answers a retried JoinGroup of a follower in a stable group without a rebalance", async () => {
    const c = harness().coordinator;
    const a = await memberIdFor(c, "a", 0);
    const b = await memberIdFor(c, "b", 0);
    const joinA = join(c, a, 0);
    await join(c, b, 0);
    await joinA;
    const { generation } = await rebalance(c, [a, b], 0);
    expect(await join(c, b, 10)).toMatchObject({ errorCode: 0, generationId: generation, members: [] });
    expect(c.groupState(GROUP)).toBe("Stable");
    // The leader rejoining means new subscriptions: that does rebalance.
    const rejoinA = track(join(c, a, 20));
    await flush();
    expect(c.groupState(GROUP)).toBe("PreparingRebalance");
    expect(rejoinA.done).toBe(false);
  });

  it("removes members that never send SyncGroup and rebalances", async () => {
    const c = harness().coordinator;
    const a = await memberIdFor(c, "a", 0);
    const b = await memberIdFor(c, "b", 0);
    const joins = [join(c, a, 0), join(c, b, 0)];
    await Promise.all(joins);
    // Leader syncs, b never does.
    await sync(c, a, 1, 0, [{ memberId: a, assignment: Buffer.from("x") }]);
    expect(c.groupState(GROUP)).toBe("Stable");
    for (let t = 0; t < REBALANCE; t += 3_000) {
      c.tick(t);
      heartbeat(c, a, 1, t);
      heartbeat(c, b, 1, t);
    }
    c.tick(REBALANCE);
    expect(c.groupState(GROUP)).toBe("PreparingRebalance");
    expect(heartbeat(c, b, 1, REBALANCE)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("checks SyncGroup: unknown member, illegal generation, inconsistent protocol", async () => {
    const c = harness().coordinator;
    const a = await memberIdFor(c, "a", 0);
    await join(c, a, 0);
    expect(await sync(c, "ghost", 1, 0)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
    expect(await sync(c, a, 7, 0)).toMatchObject({ errorCode: ErrorCode.ILLEGAL_GENERATION });
    const wrongProtocol = await c.syncGroup(
      {
        groupId: GROUP,
        memberId: a,
        generationId: 1,
        groupInstanceId: null,
        protocolType: "consumer",
        protocolName: "roundrobin",
        assignments: [],
      },
      0,
    );
    expect(wrongProtocol.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(await sync(c, a, 1, 0)).toMatchObject({ errorCode: 0, assignment: Buffer.alloc(0) });
    expect(await c.syncGroup({ ...syncReq(a), groupId: "nope" }, 0)).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
    });
  });

  it("fails waiting SyncGroups when the assignment cannot be stored, then rebalances", async () => {
    const h = harness();
    const c = h.coordinator;
    const a = await memberIdFor(c, "a", 0);
    const b = await memberIdFor(c, "b", 0);
    await Promise.all([join(c, a, 0), join(c, b, 0)]);
    const syncB = sync(c, b, 1, 0);
    h.failAppends(Object.assign(new Error("no quorum"), { errorCode: 19 }));
    const syncA = await sync(c, a, 1, 0, [{ memberId: a, assignment: Buffer.from("x") }]);
    expect(syncA.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await syncB).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(c.groupState(GROUP)).toBe("PreparingRebalance");
  });

  it("leaves in batches (v3+) and by instance id; the last member out empties the group", async () => {
    const h = harness();
    const c = h.coordinator;
    const a = await memberIdFor(c, "a", 0);
    await join(c, a, 0);
    const joinS = c.joinGroup(joinRequest({ clientId: "s", groupInstanceId: "instance-s" }), 0);
    expect((await rebalance(c, [a], 0, [joinS])).generation).toBe(2);
    const result = c.leaveGroup(
      {
        groupId: GROUP,
        members: [
          { memberId: a, groupInstanceId: null },
          { memberId: "", groupInstanceId: "instance-s" },
          { memberId: "ghost", groupInstanceId: null },
        ],
      },
      5,
    );
    expect(result.members.map((m) => m.errorCode)).toEqual([0, 0, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(c.groupState(GROUP)).toBe("Empty");
    expect(c.generationOf(GROUP)).toBe(3);
    // Generation 2's assignment, then the empty group of generation 3.
    expect(h.log.length).toBe(2);
    expect(c.leaveGroup({ groupId: "nope", members: [{ memberId: a, groupInstanceId: null }] }, 5)).toEqual({
      errorCode: 0,
      members: [{ memberId: a, groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }],
    });
  });

  it("replaces a restarted static member, fencing its old member id, without a rebalance", async () => {
    const c = harness().coordinator;
    // a forms generation 1 alone; the static member's join starts generation 2, which a rejoins.
    const a = await memberIdFor(c, "a", 0);
    await join(c, a, 0);
    const joinS = c.joinGroup(joinRequest({ clientId: "s", groupInstanceId: "instance-s" }), 0);
    const { generation, leader, results } = await rebalance(c, [a], 0, [joinS]);
    const rs = results[0];
    expect(rs.memberId).toBe("instance-s-uuid-2"); // static members skip MEMBER_ID_REQUIRED
    expect(generation).toBe(2);
    expect(leader).toBe(a);
    const restarted = await c.joinGroup(joinRequest({ clientId: "s", groupInstanceId: "instance-s" }), 100);
    expect(restarted).toMatchObject({ errorCode: 0, generationId: generation });
    expect(restarted.memberId).not.toBe(rs.memberId);
    expect(c.groupState(GROUP)).toBe("Stable");
    const old = {
      groupId: GROUP,
      memberId: rs.memberId,
      generationId: generation,
      groupInstanceId: "instance-s",
    };
    expect(c.heartbeat(old, 100)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(c.heartbeat({ ...old, memberId: restarted.memberId }, 100)).toBe(ErrorCode.NONE);
    const s = await c.syncGroup(
      { ...syncReq(restarted.memberId), generationId: generation, groupInstanceId: "instance-s" },
      100,
    );
    expect(s.assignment.toString()).toBe(`a:${rs.memberId}`);
  });

  it("forgets a member that got MEMBER_ID_REQUIRED but never came back", async () => {
    const c = harness().coordinator;
    const a = await memberIdFor(c, "a", 0);
    await memberIdFor(c, "b", 0); // b never completes its join
    const joinA = track(join(c, a, 0));
    await flush();
    expect(joinA.done).toBe(false);
    c.tick(SESSION);
    await flush();
    expect(joinA.value).toMatchObject({ errorCode: 0, generationId: 1, members: [{ memberId: a }] });
  });

  it("describes and lists groups", async () => {
    const c = harness().coordinator;
    const a = await memberIdFor(c, "a", 0);
    await join(c, a, 0);
    expect(c.describeGroups([GROUP])[0]).toMatchObject({
      groupState: "CompletingRebalance",
      protocolData: "",
      members: [{ memberId: a, metadata: Buffer.alloc(0) }],
    });
    await sync(c, a, 1, 0, [{ memberId: a, assignment: Buffer.from("x") }]);
    expect(c.describeGroups([GROUP, "missing"])).toEqual([
      {
        errorCode: 0,
        groupId: GROUP,
        groupState: "Stable",
        protocolType: "consumer",
        protocolData: "range",
        members: [
          {
            memberId: a,
            groupInstanceId: null,
            clientId: "a",
            clientHost: "/127.0.0.1",
            metadata: Buffer.from("meta:range"),
            assignment: Buffer.from("x"),
          },
        ],
      },
      {
        errorCode: 0,
        groupId: "missing",
        groupState: "Dead",
        protocolType: "",
        protocolData: "",
        members: [],
      },
    ]);
    expect(c.listGroups()).toEqual({
      errorCode: 0,
      groups: [{ groupId: GROUP, protocolType: "consumer", groupState: "Stable" }],
    });
    expect(c.listGroups(["empty"]).groups).toEqual([]);
    expect(c.listGroups(["STABLE"]).groups).toHaveLength(1);
  });

  it("reports the next deadline so the driver knows when to tick", async () => {
    const c = harness().coordinator;
    // Loaded at 0: the first offset retention check is due after one check interval.
    expect(c.nextDeadline()).toBe(c.config.offsetsRetentionCheckIntervalMs);
    const a = await memberIdFor(c, "a", 0);
    expect(c.nextDeadline()).toBe(SESSION); // the pending member id expires
    await join(c, a, 0);
    await sync(c, a, 1, 0, []);
    heartbeat(c, a, 1, 4_000);
    expect(c.nextDeadline()).toBe(4_000 + SESSION);
  });
});

function syncReq(memberId: string) {
  return {
    groupId: GROUP,
    memberId,
    generationId: 1,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
  };
}
