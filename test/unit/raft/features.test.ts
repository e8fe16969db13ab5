// Scenario tests beyond the paper, in the spirit of etcd's raft_test.go.
import { describe, expect, it } from "vitest";
import { ProgressState } from "../../../data-node/src/raft/progress.ts";
import { MemoryStorage } from "../../../data-node/src/raft/storage.ts";
import { ConfChangeType, MessageType, Role } from "../../../data-node/src/raft/types.ts";
import { dec, enc, TestNet } from "./net.ts";

describe("elections", () => {
  it("dueling candidates: a split vote resolves to a single leader", () => {
    const net = new TestNet([1, 2, 3], { preVote: false });
    net.isolate(3);
    net.raw(1).campaign();
    net.raw(2).campaign();
    net.stabilize();
    // Each voted for itself and 3 heard nothing: no leader in term 1.
    expect(net.leaders()).toEqual([]);
    net.heal();
    net.tickAll(60);
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    const term = net.raw(leaders[0]).status().term;
    for (const id of [1, 2, 3]) expect(net.raw(id).status()).toMatchObject({ term, leaderId: leaders[0] });
  });

  it("PreVote: a rejoining partitioned node does not disrupt the leader", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    const term = net.raw(1).status().term;
    net.isolate(3);
    net.tick(3, 100);
    // Without PreVote node 3 would have bumped its term many times; with it, the term is unchanged.
    expect(net.raw(3).status().term).toBe(term);
    net.heal();
    net.tickAll(5);
    expect(net.leaders()).toEqual([1]);
    expect(net.raw(1).status().term).toBe(term);
    expect(net.raw(3).status().leaderId).toBe(1);
  });

  it("leader lease: a follower that hears from its leader ignores a forced vote request", () => {
    const net = new TestNet([1, 2, 3], { preVote: false });
    net.elect(1);
    const term = net.raw(1).status().term;
    net.raw(3).campaign();
    net.stabilize();
    // 3 moved to a higher term, but 1 and 2 ignored it while their lease holds.
    expect(net.raw(2).status()).toMatchObject({ term, leaderId: 1 });
    expect(net.sentOfType(MessageType.VoteResp).filter((m) => m.to === 3 && !m.reject)).toHaveLength(0);
  });

  it("CheckQuorum: a partitioned leader steps down within two election timeouts", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.isolate(1);
    net.tick(1, 20);
    expect(net.raw(1).status().role).toBe(Role.Follower);
    expect(net.raw(1).status().leaderId).toBeUndefined();
    expect(net.raw(1).propose(enc("x"))).toEqual({
      ok: false,
      error: { kind: "not-leader", leaderId: undefined },
    });
  });

  it("an idle healthy cluster never re-elects", () => {
    const net = new TestNet([1, 2, 3], { heartbeatTicks: 2 });
    net.elect(1);
    const term = net.raw(1).status().term;
    net.tickAll(1000);
    expect(net.leaders()).toEqual([1]);
    expect(net.raw(1).status().term).toBe(term);
  });
});

describe("proposals and reads", () => {
  it("a follower refuses a proposal with NotLeader naming the leader", () => {
    const net = new TestNet([1, 2, 3]);
    const before = net.raw(2).propose(enc("x"));
    expect(before).toEqual({ ok: false, error: { kind: "not-leader", leaderId: undefined } });
    net.elect(1);
    expect(net.raw(2).propose(enc("x"))).toEqual({ ok: false, error: { kind: "not-leader", leaderId: 1 } });
    expect(net.raw(3).readIndex(enc("r"))).toEqual({ ok: false, error: { kind: "not-leader", leaderId: 1 } });
  });

  it("ReadIndex returns the commit index after a quorum confirms leadership", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.propose(1, "a");
    net.isolate(2);
    net.isolate(3);
    expect(net.raw(1).readIndex(enc("r1")).ok).toBe(true);
    net.stabilize();
    // No quorum heard the heartbeat: the read must not complete.
    expect(net.node(1).readStates).toEqual([]);
    net.heal();
    net.tickAll(1);
    const commit = net.raw(1).status().commit;
    expect(net.node(1).readStates.map((r) => [r.index, dec(r.context)])).toEqual([[commit, "r1"]]);
  });

  it("ReadIndex on a new leader waits until an entry of its term commits", () => {
    const net = new TestNet([1, 2, 3]);
    // Elect 1 but hold back its appends, so its no-op stays uncommitted.
    net.dropIf = (m) => m.type === MessageType.App;
    net.elect(1);
    expect(net.raw(1).status().commit).toBe(1);
    expect(net.raw(1).readIndex(enc("r")).ok).toBe(true);
    net.stabilize();
    expect(net.node(1).readStates).toEqual([]);
    net.dropIf = undefined;
    net.tickAll(2);
    const rs = net.node(1).readStates;
    expect(rs.map((r) => dec(r.context))).toEqual(["r"]);
    expect(rs[0].index).toBeGreaterThanOrEqual(2);
    expect(net.raw(1).logTerm(rs[0].index)).toBe(net.raw(1).status().term);
  });

  it("batches proposals made between Readys into one append per follower", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    const before = net.sentOfType(MessageType.App).length;
    for (const d of ["a", "b", "c", "d"]) net.raw(1).propose(enc(d));
    net.stabilize();
    const apps = net
      .sentOfType(MessageType.App)
      .slice(before)
      .filter((m) => m.entries.length > 0);
    expect(apps).toHaveLength(2);
    expect(apps[0].entries.map((e) => dec(e.data))).toEqual(["a", "b", "c", "d"]);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(["a", "b", "c", "d"]);
  });

  it("marks votes and append acks to wait for persistence, but not the leader's appends", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.raw(1).propose(enc("x"));
    const rd = net.raw(1).ready();
    expect(rd.messages.every((m) => m.message.type === MessageType.App && !m.afterPersist)).toBe(true);
    net.raw(2).step(rd.messages.find((m) => m.message.to === 2)!.message);
    net.raw(1).advance(rd);
    const frd = net.raw(2).ready();
    expect(frd.entries).toHaveLength(1);
    expect(frd.messages.map((m) => [m.message.type, m.afterPersist])).toEqual([[MessageType.AppResp, true]]);
    net.raw(2).advance(frd);
  });
});

describe("replication flow control", () => {
  it("caps appends in flight to a follower that stopped acknowledging", () => {
    const net = new TestNet([1, 2, 3], { maxInflightMsgs: 3 });
    net.elect(1);
    net.cutOneWay(2, 1);
    const before = net.sent.length;
    for (let i = 0; i < 10; i++) net.propose(1, `e${i}`);
    const toTwo = net.sent
      .slice(before)
      .filter((m) => m.type === MessageType.App && m.to === 2 && m.entries.length > 0);
    expect(toTwo).toHaveLength(3);
    // Once acknowledgements flow again the follower catches up.
    net.heal();
    net.tickAll(2);
    expect(net.appliedData(2)).toHaveLength(10);
  });

  it("limits the bytes of entries per append message", () => {
    const net = new TestNet([1, 2, 3], { maxSizePerMsg: 200 });
    net.elect(1);
    net.isolate(3);
    for (let i = 0; i < 20; i++) net.propose(1, "x".repeat(50));
    const before = net.sent.length;
    net.heal();
    net.tickAll(2);
    const apps = net.sent
      .slice(before)
      .filter((m) => m.type === MessageType.App && m.to === 3 && m.entries.length > 0);
    expect(apps.length).toBeGreaterThan(5);
    for (const m of apps) expect(m.entries.length).toBeLessThanOrEqual(3);
    expect(net.appliedData(3)).toHaveLength(20);
  });

  it("a leader counts its own entry only once it is persisted", () => {
    const net = new TestNet([1]);
    net.elect(1);
    const raw = net.raw(1);
    raw.propose(enc("x"));
    const rd = raw.ready();
    expect(rd.committedEntries).toEqual([]);
    expect(raw.status().commit).toBe(2);
    net.node(1).storage.append(rd.entries);
    raw.advance(rd);
    expect(raw.status().commit).toBe(3);
  });
});

describe("snapshots", () => {
  it("a far-behind follower catches up through a snapshot after the leader compacted", () => {
    const net = new TestNet([1, 2, 3], { maxSizePerMsg: 100 });
    net.elect(1);
    net.crash(3);
    for (let i = 0; i < 50; i++) net.propose(1, `e${i}`);
    const leader = net.node(1);
    const applied = leader.raw.applied();
    leader.storage.createSnapshot(applied, leader.raw.confState(), enc("state@" + applied));
    leader.storage.compact(applied);
    net.restart(3);
    net.tickAll(3);
    const s3 = net.node(3).storage;
    expect(s3.snapshot().metadata.index).toBe(applied);
    expect(dec(s3.snapshot().data)).toBe("state@" + applied);
    net.propose(1, "after");
    expect(net.appliedData(3)).toEqual(["after"]);
    expect(net.raw(1).status().progress!.get(3)!.state).toBe(ProgressState.Replicate);
  });

  it("a failed snapshot send is retried after reportSnapshot(false)", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.isolate(3);
    for (let i = 0; i < 5; i++) net.propose(1, `e${i}`);
    const leader = net.node(1);
    const applied = leader.raw.applied();
    leader.storage.createSnapshot(applied, leader.raw.confState(), enc("s"));
    leader.storage.compact(applied);
    net.heal();
    let dropped = 0;
    net.dropIf = (m) => m.type === MessageType.Snap && dropped++ === 0;
    net.tickAll(1);
    expect(dropped).toBeGreaterThanOrEqual(1);
    // The failure report moved 3 back to probe; the next heartbeat round retries and succeeds.
    net.tickAll(2);
    expect(net.node(3).storage.snapshot().metadata.index).toBe(applied);
    expect(net.raw(1).status().progress!.get(3)!.state).toBe(ProgressState.Replicate);
  });
});

describe("leader transfer", () => {
  it("transfers leadership to an up-to-date follower with TimeoutNow", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.propose(1, "a");
    expect(net.raw(1).transferLeader(3).ok).toBe(true);
    net.stabilize();
    expect(net.leaders()).toEqual([3]);
    expect(net.sentOfType(MessageType.TimeoutNow).map((m) => m.to)).toEqual([3]);
    net.propose(3, "b");
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(["a", "b"]);
  });

  it("catches a lagging transferee up first, refusing proposals meanwhile", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.isolate(3);
    net.propose(1, "a");
    net.heal();
    net.isolate(3);
    net.raw(1).transferLeader(3);
    net.stabilize();
    expect(net.raw(1).propose(enc("b"))).toEqual({
      ok: false,
      error: { kind: "dropped", reason: "leader-transfer" },
    });
    net.heal();
    net.tickAll(1);
    expect(net.leaders()).toEqual([3]);
  });

  it("abandons a transfer that does not finish within an election timeout", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.crash(3);
    net.raw(1).transferLeader(3);
    net.tick(1, 10);
    expect(net.leaders()).toEqual([1]);
    expect(net.raw(1).propose(enc("ok")).ok).toBe(true);
  });
});

describe("membership", () => {
  it("adds a learner, promotes it, and removes a voter while another voter is down", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.propose(1, "a");
    net.crash(2);
    net.add(4, new MemoryStorage());
    expect(net.raw(1).proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 4 }).ok).toBe(true);
    net.stabilize();
    // The leader's snapshot predates 4; the runtime takes a fresh one after applying a conf change.
    const l = net.node(1);
    l.storage.createSnapshot(l.raw.applied(), l.raw.confState(), enc("snap"));
    net.tickAll(4);
    expect(net.raw(1).confState()).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(net.raw(4).confState()).toEqual({ voters: [1, 2, 3], learners: [4] });
    // A learner's vote never counts and it never campaigns.
    net.tick(4, 50);
    expect(net.raw(4).status().role).toBe(Role.Follower);
    expect(net.raw(1).proposeConfChange({ type: ConfChangeType.AddVoter, nodeId: 4 }).ok).toBe(true);
    net.stabilize();
    expect(net.raw(1).confState()).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    // With 2 down, 4 voters need 3: {1, 3, 4}.
    expect(net.raw(1).proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 2 }).ok).toBe(true);
    net.stabilize();
    expect(net.raw(1).confState()).toEqual({ voters: [1, 3, 4], learners: [] });
    net.propose(1, "b");
    for (const id of [1, 3]) expect(net.appliedData(id)).toEqual(["a", "b"]);
    expect(net.appliedData(4)).toEqual(["b"]);
    net.restart(2);
    net.tickAll(30);
    expect(net.leaders()).toEqual([1]);
  });

  it("allows only one pending configuration change at a time", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.isolate(2);
    net.isolate(3);
    expect(net.raw(1).proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 4 }).ok).toBe(true);
    expect(net.raw(1).proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 5 })).toEqual({
      ok: false,
      error: { kind: "dropped", reason: "conf-change-pending" },
    });
    net.heal();
    net.tickAll(2);
    expect(net.raw(1).proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: 5 }).ok).toBe(true);
  });

  it("a leader that removes itself steps down and the rest elect a new leader", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    expect(net.raw(1).proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 1 }).ok).toBe(true);
    net.stabilize();
    expect(net.raw(1).status().role).toBe(Role.Follower);
    net.tickAll(40);
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    expect([2, 3]).toContain(leaders[0]);
    expect(net.raw(leaders[0]).confState().voters).toEqual([2, 3]);
  });
});
