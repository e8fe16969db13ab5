// One test per rule of the Raft paper (§5), in the spirit of etcd's raft_paper_test.go.
import { describe, expect, it } from "vitest";
import { RawNode } from "../../../data-node/src/raft/raw-node.ts";
import { MemoryStorage } from "../../../data-node/src/raft/storage.ts";
import {
  EntryType,
  type Message,
  MessageType,
  makeMessage,
  Role,
} from "../../../data-node/src/raft/types.ts";
import { Prng } from "../../../data-node/src/raft-sim/prng.ts";
import { enc, TestNet } from "./net.ts";

function lone(id = 1, peers = [1, 2, 3], opts: { preVote?: boolean; checkQuorum?: boolean } = {}) {
  const storage = MemoryStorage.withVoters(peers);
  const raw = new RawNode({
    id,
    storage,
    random: new Prng(id),
    electionTicks: 10,
    heartbeatTicks: 1,
    preVote: opts.preVote ?? false,
    checkQuorum: opts.checkQuorum ?? false,
  });
  return { raw, storage };
}

/** Drain one Ready (persisting it) and return its messages. */
function drain(raw: RawNode, storage: MemoryStorage): Message[] {
  const out: Message[] = [];
  while (raw.hasReady()) {
    const rd = raw.ready();
    if (rd.snapshot) storage.applySnapshot(rd.snapshot);
    storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    out.push(...rd.messages.map((m) => m.message));
    raw.advance(rd);
  }
  return out;
}

function becomeLeader(raw: RawNode, storage: MemoryStorage): void {
  raw.campaign();
  drain(raw, storage);
  const term = raw.status().term;
  raw.step(makeMessage({ type: MessageType.VoteResp, from: 2, to: 1, term }));
  drain(raw, storage);
  expect(raw.status().role).toBe(Role.Leader);
}

describe("Raft paper §5.1: terms", () => {
  it.each([Role.Follower, Role.Candidate, Role.Leader])(
    "a %s that sees a higher term becomes follower",
    (role) => {
      const { raw, storage } = lone();
      if (role === Role.Candidate) raw.campaign();
      if (role === Role.Leader) becomeLeader(raw, storage);
      drain(raw, storage);
      raw.step(makeMessage({ type: MessageType.App, from: 2, to: 1, term: 9 }));
      const st = raw.status();
      expect(st.term).toBe(9);
      expect(st.role).toBe(Role.Follower);
      expect(st.leaderId).toBe(2);
    },
  );

  it("ignores a request with a stale term (and tells a stale leader the newer term)", () => {
    const { raw, storage } = lone(1, [1, 2, 3], { checkQuorum: true });
    raw.step(makeMessage({ type: MessageType.Heartbeat, from: 2, to: 1, term: 5 }));
    drain(raw, storage);
    raw.step(makeMessage({ type: MessageType.App, from: 3, to: 1, term: 2, index: 0, logTerm: 0 }));
    const msgs = drain(raw, storage);
    expect(raw.status().term).toBe(5);
    expect(raw.status().leaderId).toBe(2);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ type: MessageType.AppResp, to: 3, term: 5, reject: false });
  });

  it("starts as a follower", () => {
    const { raw } = lone();
    expect(raw.status().role).toBe(Role.Follower);
    expect(raw.status().leaderId).toBeUndefined();
  });
});

describe("Raft paper §5.2: leader election", () => {
  it("a leader broadcasts heartbeats every heartbeat interval", () => {
    const { raw, storage } = lone();
    becomeLeader(raw, storage);
    raw.tick();
    const hbs = drain(raw, storage).filter((m) => m.type === MessageType.Heartbeat);
    expect(hbs.map((m) => m.to).sort()).toEqual([2, 3]);
  });

  it("a follower that hears nothing campaigns: new term, votes for itself, asks every peer", () => {
    const { raw, storage } = lone();
    for (let i = 0; i < 20; i++) raw.tick();
    const msgs = drain(raw, storage);
    const st = raw.status();
    expect(st.role).toBe(Role.Candidate);
    expect(st.term).toBe(1);
    expect(st.vote).toBe(1);
    expect(msgs.filter((m) => m.type === MessageType.Vote).map((m) => m.to)).toEqual([2, 3]);
  });

  it("a candidate with votes from a majority becomes leader and appends a no-op", () => {
    const { raw, storage } = lone(1, [1, 2, 3, 4, 5]);
    raw.campaign();
    drain(raw, storage);
    raw.step(makeMessage({ type: MessageType.VoteResp, from: 2, to: 1, term: 1 }));
    expect(raw.status().role).toBe(Role.Candidate);
    raw.step(makeMessage({ type: MessageType.VoteResp, from: 3, to: 1, term: 1 }));
    expect(raw.status().role).toBe(Role.Leader);
    const rd = raw.ready();
    expect(rd.entries).toHaveLength(1);
    expect(rd.entries[0]).toMatchObject({ index: 1, term: 1, type: EntryType.Normal });
    expect(rd.entries[0].data.byteLength).toBe(0);
  });

  it("a candidate rejected by a majority returns to follower", () => {
    const { raw, storage } = lone();
    raw.campaign();
    drain(raw, storage);
    raw.step(makeMessage({ type: MessageType.VoteResp, from: 2, to: 1, term: 1, reject: true }));
    raw.step(makeMessage({ type: MessageType.VoteResp, from: 3, to: 1, term: 1, reject: true }));
    expect(raw.status().role).toBe(Role.Follower);
  });

  it("a node votes for at most one candidate per term, first come first served", () => {
    const { raw, storage } = lone(1);
    raw.step(makeMessage({ type: MessageType.Vote, from: 2, to: 1, term: 1 }));
    raw.step(makeMessage({ type: MessageType.Vote, from: 3, to: 1, term: 1 }));
    raw.step(makeMessage({ type: MessageType.Vote, from: 2, to: 1, term: 1 }));
    const resps = drain(raw, storage).filter((m) => m.type === MessageType.VoteResp);
    expect(resps.map((m) => [m.to, m.reject])).toEqual([
      [2, false],
      [3, true],
      [2, false],
    ]);
    expect(storage.getHardState().vote).toBe(2);
  });

  it("a candidate steps down when it hears from a leader of its own term", () => {
    const { raw, storage } = lone();
    raw.campaign();
    drain(raw, storage);
    raw.step(makeMessage({ type: MessageType.App, from: 3, to: 1, term: 1, index: 0, logTerm: 0 }));
    expect(raw.status()).toMatchObject({ role: Role.Follower, term: 1, leaderId: 3 });
  });

  it("election timeouts are randomized in [election, 2*election)", () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 60; seed++) {
      const raw = new RawNode({
        id: 1,
        storage: MemoryStorage.withVoters([1, 2, 3]),
        random: new Prng(seed),
        electionTicks: 10,
        heartbeatTicks: 1,
        preVote: false,
      });
      let ticks = 0;
      while (raw.status().role === Role.Follower) {
        raw.tick();
        ticks++;
      }
      seen.add(ticks);
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...seen)).toBeLessThan(20);
    expect(seen.size).toBeGreaterThan(5);
  });

  it("election safety: at most one leader per term across many contested elections", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const net = new TestNet([1, 2, 3, 4, 5], { preVote: false });
      const leadersByTerm = new Map<number, Set<number>>();
      for (let t = 0; t < 80; t++) {
        net.tickAll();
        for (const id of net.leaders()) {
          const term = net.raw(id).status().term;
          const s = leadersByTerm.get(term) ?? new Set();
          s.add(id);
          leadersByTerm.set(term, s);
        }
      }
      for (const s of leadersByTerm.values()) expect(s.size).toBe(1);
      expect(leadersByTerm.size).toBeGreaterThan(0);
    }
  });
});

describe("Raft paper §5.3: log replication", () => {
  it("the leader replicates a proposal, commits it once a majority stores it, then followers apply it", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.isolate(3);
    net.propose(1, "x");
    expect(net.raw(1).status().commit).toBe(3);
    expect(net.appliedData(1)).toEqual(["x"]);
    expect(net.appliedData(2)).toEqual(["x"]);
    expect(net.appliedData(3)).toEqual([]);
    net.heal();
    net.tickAll(2);
    expect(net.appliedData(3)).toEqual(["x"]);
  });

  it("an entry is not committed without a majority", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.isolate(2);
    net.isolate(3);
    const r = net.raw(1).propose(enc("y"));
    expect(r.ok).toBe(true);
    net.stabilize();
    expect(net.raw(1).status().commit).toBe(2);
    expect(net.appliedData(1)).toEqual([]);
  });

  it("a follower rejects an append whose previous entry does not match (consistency check)", () => {
    const { raw, storage } = lone();
    raw.step(makeMessage({ type: MessageType.App, from: 2, to: 1, term: 2, index: 5, logTerm: 2 }));
    const [resp] = drain(raw, storage);
    expect(resp).toMatchObject({ type: MessageType.AppResp, reject: true, index: 5, rejectHint: 0 });
  });

  it("a follower deletes a conflicting suffix and appends the leader's entries", () => {
    const { raw, storage } = lone();
    const e = (index: number, term: number, d: string) => ({
      index,
      term,
      type: EntryType.Normal,
      data: enc(d),
    });
    raw.step(
      makeMessage({
        type: MessageType.App,
        from: 2,
        to: 1,
        term: 1,
        index: 0,
        logTerm: 0,
        entries: [e(1, 1, "a"), e(2, 1, "b"), e(3, 1, "c")],
      }),
    );
    drain(raw, storage);
    raw.step(
      makeMessage({
        type: MessageType.App,
        from: 3,
        to: 1,
        term: 2,
        index: 1,
        logTerm: 1,
        entries: [e(2, 2, "B")],
      }),
    );
    const [resp] = drain(raw, storage);
    expect(resp).toMatchObject({ reject: false, index: 2 });
    expect(storage.lastIndex()).toBe(2);
    expect(storage.term(2)).toBe(2);
  });

  it("the leader backs up nextIndex and repairs a divergent follower (log matching)", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.propose(1, "a");
    // The old leader appends entries nobody else stores; the others move on in a newer term.
    net.isolate(1);
    net.raw(1).propose(enc("lost1"));
    net.raw(1).propose(enc("lost2"));
    net.stabilize();
    net.tickAll(30);
    const [leader] = net.leaders().filter((id) => id !== 1);
    expect(leader).toBeDefined();
    net.propose(leader, "b");
    net.propose(leader, "c");
    net.heal();
    net.tickAll(3);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(["a", "b", "c"]);
    const t = (id: number, i: number) => net.raw(id).logTerm(i);
    const last = net.raw(2).status().lastIndex;
    expect(net.raw(1).status().lastIndex).toBe(last);
    for (let i = 1; i <= last; i++) expect([t(1, i), t(3, i)]).toEqual([t(2, i), t(2, i)]);
  });
});

describe("Raft paper §5.4: safety", () => {
  it("a voter rejects a candidate whose log is less up to date (election restriction)", () => {
    const { raw, storage } = lone();
    raw.step(
      makeMessage({
        type: MessageType.App,
        from: 2,
        to: 1,
        term: 3,
        index: 0,
        logTerm: 0,
        entries: [{ index: 1, term: 3, type: EntryType.Normal, data: enc("a") }],
      }),
    );
    drain(raw, storage);
    // Same last term, shorter log; and older last term, longer log.
    raw.step(makeMessage({ type: MessageType.Vote, from: 3, to: 1, term: 4, index: 0, logTerm: 3 }));
    raw.step(makeMessage({ type: MessageType.Vote, from: 3, to: 1, term: 5, index: 9, logTerm: 2 }));
    const resps = drain(raw, storage).filter((m) => m.type === MessageType.VoteResp);
    expect(resps.map((m) => m.reject)).toEqual([true, true]);
    raw.step(makeMessage({ type: MessageType.Vote, from: 3, to: 1, term: 6, index: 1, logTerm: 3 }));
    expect(drain(raw, storage).find((m) => m.type === MessageType.VoteResp)?.reject).toBe(false);
  });

  it("leader completeness: a new leader holds every committed entry", () => {
    const net = new TestNet([1, 2, 3, 4, 5]);
    net.elect(1);
    net.propose(1, "a");
    net.isolate(4);
    net.isolate(5);
    net.propose(1, "b");
    net.crash(1);
    net.heal();
    // 4 and 5 lack "b": neither can win without 2 or 3, whose votes they cannot get.
    net.campaign(4);
    expect(net.raw(4).status().role).not.toBe(Role.Leader);
    net.tickAll(40);
    const [leader] = net.leaders();
    expect([2, 3]).toContain(leader);
    net.propose(leader, "c");
    for (const id of [2, 3, 4, 5]) expect(net.appliedData(id)).toEqual(["a", "b", "c"]);
  });

  it("a leader does not commit an entry of an earlier term by counting replicas (Figure 8)", () => {
    const storage = MemoryStorage.withVoters([1, 2, 3]);
    // Node 1 holds an entry from term 2 that was never committed, then wins term 3.
    storage.append([{ index: 1, term: 2, type: EntryType.Normal, data: enc("old") }]);
    storage.setHardState({ term: 2, vote: 0, commit: 0 });
    const r = new RawNode({
      id: 1,
      storage,
      random: new Prng(3),
      electionTicks: 10,
      heartbeatTicks: 1,
      preVote: false,
    });
    r.campaign();
    drain(r, storage);
    r.step(makeMessage({ type: MessageType.VoteResp, from: 2, to: 1, term: 3 }));
    drain(r, storage);
    expect(r.status().role).toBe(Role.Leader);
    // Follower 2 acknowledges only the old entry: a majority stores it, yet it must not commit.
    r.step(makeMessage({ type: MessageType.AppResp, from: 2, to: 1, term: 3, index: 1 }));
    drain(r, storage);
    expect(r.status().commit).toBe(0);
    // Once the current term's no-op (index 2) is on a majority, both commit.
    r.step(makeMessage({ type: MessageType.AppResp, from: 2, to: 1, term: 3, index: 2 }));
    drain(r, storage);
    expect(r.status().commit).toBe(2);
  });

  it("a restarted node keeps its term, vote and log (persistent state)", () => {
    const net = new TestNet([1, 2, 3]);
    net.elect(1);
    net.propose(1, "a");
    const before = net.raw(2).status();
    net.crash(2);
    net.restart(2);
    const after = net.raw(2).status();
    expect([after.term, after.vote, after.lastIndex]).toEqual([before.term, before.vote, before.lastIndex]);
    net.tickAll(2);
    expect(net.appliedData(2)).toEqual(["a"]);
  });
});
