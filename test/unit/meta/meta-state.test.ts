import { describe, expect, it } from "vitest";
import { handleHeartbeat, planRegistration } from "../../../data-node/src/meta/broker-requests.ts";
import { encodeMetaBatch } from "../../../data-node/src/meta/codec.ts";
import { MetaState } from "../../../data-node/src/meta/meta-state.ts";
import { Readiness } from "../../../data-node/src/meta/readiness.ts";
import type { MetaRecord, RegisterBroker } from "../../../data-node/src/meta/records.ts";
import { type RegisterOutcome, runRegistration } from "../../../data-node/src/meta/registration.ts";
import { silentLogger } from "../../../shared/log.ts";
import { registrySnapshotSchema } from "../../../shared/registry/snapshot.ts";
import { reg } from "./fixtures.ts";

// Three nodes' MetaStates over one shared "committed log": a stand-in for the Raft group, to show the
// pieces wired the way the runtime wires them (plan on the leader, commit, apply everywhere).
class FakeCluster {
  readonly nodes = new Map(
    [1, 2, 3].map((id) => [id, new MetaState({ nodeId: id, clusterId: "c1", voters: [1, 2, 3] })]),
  );
  private index = 0;
  now = 1_000;

  elect(leaderId: number, term: number) {
    // The leader's first entry of the term: everything committed so far.
    for (const s of this.nodes.values()) s.setLeader(leaderId, term, this.now, this.index);
  }

  commit(records: MetaRecord[], to: number[] = [1, 2, 3]) {
    const index = ++this.index;
    let results: ReturnType<MetaState["applyEntry"]> = [];
    for (const id of to) {
      const s = this.nodes.get(id)!;
      results = s.applyEntry(encodeMetaBatch(records), index, 1);
      s.setCommitIndex(index);
    }
    return { index, results };
  }

  leader(): MetaState {
    return [...this.nodes.values()].find((s) => s.isLeader())!;
  }

  register(record: RegisterBroker): RegisterOutcome {
    const l = this.leader();
    const plan = planRegistration(
      { image: l.image, heartbeats: l.heartbeats, now: this.now, sessionTimeoutMs: l.sessionTimeoutMs },
      record,
    );
    if ("error" in plan) return { ok: false, error: plan.error };
    const { index, results } = this.commit(plan.records);
    const last = results[results.length - 1];
    return last.ok ? { ok: true, brokerEpoch: last.brokerEpoch!, index } : { ok: false, error: last.error };
  }
}

describe("MetaState wiring", () => {
  it("registers, unfences on a caught-up heartbeat, and fences a broker that goes quiet", async () => {
    const c = new FakeCluster();
    const n2 = c.nodes.get(2)!;
    const registering = runRegistration({
      record: reg(2),
      getMetaLeader: () => n2.leader.get(),
      isLocalLeader: () => n2.isLeader(),
      proposeLocal: async (r) => c.register(r),
      forward: async (_leader, r) => c.register(r),
      waitForLeaderChange: (s) => n2.leader.waitForChange(s),
      waitForApplied: (i, s) => n2.applied.waitFor(i, s),
      random: () => 0.5,
      sleep: async () => {},
      logger: silentLogger,
    });
    c.elect(1, 1);
    const { epoch, index } = await registering;
    expect(epoch).toBe(index);
    expect(n2.image.broker(2)?.state).toBe("registered");

    const leader = c.leader();
    const ctx = () => ({
      image: leader.image,
      heartbeats: leader.heartbeats,
      now: c.now,
      sessionTimeoutMs: 6000,
    });
    const { records } = handleHeartbeat(ctx(), {
      nodeId: 2,
      brokerEpoch: epoch,
      appliedIndex: n2.applied.current,
    });
    c.commit(records);
    expect(n2.image.broker(2)?.state).toBe("unfenced");
    expect(leader.tick(c.now)).toEqual([]);
    expect(n2.tick(c.now)).toEqual([]); // followers decide nothing

    const snap = leader.registrySnapshot(c.now);
    expect(
      registrySnapshotSchema.parse(snap).brokers.map((b) => [b.id, b.state, b.last_heartbeat_at]),
    ).toEqual([[2, "unfenced", 1_000]]);
    expect(snap.meta).toMatchObject({ leader_id: 1, term: 1, commit_index: 2 });

    c.now += 6_001;
    const fence = leader.tick(c.now);
    expect(fence).toEqual([{ type: "fence_broker", nodeId: 2, brokerEpoch: epoch, timestamp: c.now }]);
    c.commit(fence);
    expect(n2.image.broker(2)?.state).toBe("fenced");
  });

  it("gives a new leader one session of grace before fencing anybody, and restores from snapshots", () => {
    const c = new FakeCluster();
    c.elect(1, 1);
    c.register(reg(2));
    c.register(reg(3));
    c.now = 100_000;
    c.elect(3, 2);
    expect(c.leader().tick(c.now + 5_000)).toEqual([]);
    expect(
      c
        .leader()
        .tick(c.now + 6_001)
        .map((r) => r.type),
    ).toEqual(["fence_broker", "fence_broker"]);

    const fresh = new MetaState({ nodeId: 4, clusterId: "c1", voters: [1, 2, 3] });
    fresh.restore(c.nodes.get(1)!.image.snapshot());
    expect(fresh.applied.current).toBe(2);
    expect(fresh.image.brokers()).toEqual(c.nodes.get(1)!.image.brokers());
  });

  it("keeps the leader and unfenced readiness conditions current", () => {
    const readiness = new Readiness(["meta_leader_known", "unfenced"], silentLogger);
    const s = new MetaState({ nodeId: 2, clusterId: "c1", voters: [1, 2, 3], readiness });
    s.setLeader(0, 1, 0);
    expect(readiness.status().waiting_for).toEqual(["meta_leader_known", "unfenced"]);
    s.setLeader(3, 1, 0);
    s.markApplied(1, 1);
    expect(() => s.markApplied(1, 1)).toThrow(/applied twice/);
    s.applyEntry(encodeMetaBatch([reg(2)]), 2, 1);
    expect(readiness.status().waiting_for).toEqual(["unfenced"]);
    s.applyEntry(
      encodeMetaBatch([{ type: "unfence_broker", nodeId: 2, brokerEpoch: 2, timestamp: 5 }]),
      3,
      1,
    );
    expect(readiness.status().ready).toBe(true);
    s.applyEntry(encodeMetaBatch([{ type: "fence_broker", nodeId: 2, brokerEpoch: 2, timestamp: 6 }]), 4, 1);
    s.setLeader(undefined, 2, 0);
    expect(readiness.status().waiting_for).toEqual(["meta_leader_known", "unfenced"]);
    expect(s.applied.current).toBe(4);
  });

  it("a new leader acts on its image only once it has applied the entries of earlier terms", async () => {
    const s = new MetaState({ nodeId: 1, clusterId: "c1", voters: [1, 2, 3] });
    s.applyEntry(encodeMetaBatch([reg(2)]), 1, 1);
    // Elected at term 2 with its no-op at index 3: entry 2 (committed by the old leader) is not applied yet.
    s.setLeader(1, 2, 10_000, 3);
    expect(s.leaderCaughtUp()).toBe(false);
    expect(s.tick(100_000)).toEqual([]);
    let caughtUp = false;
    const waiting = s.waitLeaderCaughtUp().then(() => {
      caughtUp = true;
    });
    s.applyEntry(
      encodeMetaBatch([{ type: "unfence_broker", nodeId: 2, brokerEpoch: 1, timestamp: 5 }]),
      2,
      1,
    );
    await Promise.resolve();
    expect(caughtUp).toBe(false);
    s.markApplied(3, 2);
    await waiting;
    expect(s.leaderCaughtUp()).toBe(true);
    // Now the controller may decide: broker 2 never heartbeated this leader and its session lapsed.
    expect(s.tick(100_000).map((r) => r.type)).toContain("fence_broker");
    // Losing leadership forgets the term start.
    s.setLeader(2, 3, 100_000);
    expect(s.leaderCaughtUp()).toBe(false);
  });
});
