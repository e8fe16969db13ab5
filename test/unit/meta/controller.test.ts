import { describe, expect, it } from "vitest";
import { assignableBrokers } from "../../../data-node/src/meta/assignment.ts";
import {
  handleHeartbeat,
  planProducerIdBlock,
  planRegistration,
} from "../../../data-node/src/meta/broker-requests.ts";
import { controllerTick } from "../../../data-node/src/meta/fencing.ts";
import { HeartbeatTracker } from "../../../data-node/src/meta/liveness.ts";
import type { MetaRecord } from "../../../data-node/src/meta/records.ts";
import { planControlledShutdown } from "../../../data-node/src/meta/shutdown.ts";
import { clusterOf, ImageBuilder, reg } from "./fixtures.ts";

const SESSION = 6000;

// Three unfenced brokers (epochs 1, 3, 5) and topic "t": p0 led by 1 on [1,2,3], p1 led by 2 on [2,3],
// p2 led by 1 on [1] only.
function cluster(): ImageBuilder {
  const b = clusterOf(3);
  b.apply({
    type: "create_topic",
    name: "t",
    topicId: "id-t",
    internal: false,
    configs: {},
    partitions: [
      { partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 2, isr: [1, 2, 3] },
      { partition: 1, replicas: [2, 3], leader: 2, leaderEpoch: 0, isr: [2, 3] },
      { partition: 2, replicas: [1], leader: 1, leaderEpoch: 0, isr: [1] },
    ],
  });
  return b;
}

const epochOf = (id: number) => 2 * id - 1;

function beat(tracker: HeartbeatTracker, ids: number[], now: number, appliedIndex = 100) {
  for (const id of ids) tracker.record({ nodeId: id, brokerEpoch: epochOf(id), appliedIndex }, now);
}

describe("controller tick: fencing", () => {
  it("fences nothing while sessions are fresh, including right after a leader change", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    hb.becameLeader(10_000);
    expect(
      controllerTick({ image: b.image, heartbeats: hb, now: 10_000 + SESSION, sessionTimeoutMs: SESSION }),
    ).toEqual([]);
    beat(hb, [1, 2, 3], 15_000);
    expect(
      controllerTick({ image: b.image, heartbeats: hb, now: 20_000, sessionTimeoutMs: SESSION }),
    ).toEqual([]);
  });

  it("fences a broker whose session lapsed and moves its leaderships and ISR slots away", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    hb.becameLeader(0);
    beat(hb, [1, 2, 3], 10_000);
    beat(hb, [2, 3], 14_000);
    const now = 10_000 + SESSION + 1;
    const records = controllerTick({ image: b.image, heartbeats: hb, now, sessionTimeoutMs: SESSION });
    expect(records).toEqual([
      { type: "fence_broker", nodeId: 1, brokerEpoch: 1, timestamp: now },
      // p0: leaderless until its Raft group's new leader reports itself (the controller does not guess).
      { type: "partition_change", topic: "t", partition: 0, leader: null, leaderEpoch: 2, isr: [2, 3] },
      // p2: no other replica; leaderless, and its ISR keeps the last member (who has the newest data).
      { type: "partition_change", topic: "t", partition: 2, leader: null, leaderEpoch: 0, isr: [1] },
    ]);
    for (const r of records) expect(b.apply(r)[0].ok).toBe(true);
    expect(b.image.broker(1)?.state).toBe("fenced");
    // Idempotent: once applied, the same tick decides nothing more.
    expect(controllerTick({ image: b.image, heartbeats: hb, now, sessionTimeoutMs: SESSION })).toEqual([]);
  });

  it("leaves every partition of fenced leaders leaderless, shrinking ISRs to the live replicas", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    beat(hb, [1, 2], 1_000);
    beat(hb, [3], 7_000);
    // At 7,500 brokers 1 and 2 lapse together; only 3 stays in the ISRs it is part of.
    const records = controllerTick({ image: b.image, heartbeats: hb, now: 7_500, sessionTimeoutMs: SESSION });
    const fenced = records.filter((r) => r.type === "fence_broker").map((r) => r.nodeId);
    expect(fenced).toEqual([1, 2]);
    const changes = records.filter(
      (r): r is Extract<MetaRecord, { type: "partition_change" }> => r.type === "partition_change",
    );
    expect(changes.map((c) => [c.partition, c.leader, c.isr])).toEqual([
      [0, null, [3]],
      [1, null, [3]],
      [2, null, [1]],
    ]);
  });

  it("unfences a fenced broker once it heartbeats again with its epoch and has caught up", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    b.apply({ type: "fence_broker", nodeId: 2, brokerEpoch: 3, timestamp: 1 });
    const ctx = { image: b.image, heartbeats: hb, now: 50_000, sessionTimeoutMs: SESSION };
    beat(hb, [1, 3], 49_000);
    // Heartbeat from an older incarnation's epoch does not count.
    hb.record({ nodeId: 2, brokerEpoch: 1, appliedIndex: 100 }, 49_500);
    expect(controllerTick(ctx).filter((r) => r.type === "unfence_broker")).toEqual([]);
    // Right epoch but not yet caught up to its own registration.
    hb.record({ nodeId: 2, brokerEpoch: 3, appliedIndex: 2 }, 49_600);
    expect(controllerTick(ctx).filter((r) => r.type === "unfence_broker")).toEqual([]);
    hb.record({ nodeId: 2, brokerEpoch: 3, appliedIndex: 3 }, 49_700);
    expect(controllerTick(ctx)).toEqual([
      { type: "unfence_broker", nodeId: 2, brokerEpoch: 3, timestamp: 50_000 },
    ]);
  });
});

describe("leader-side broker requests", () => {
  it("answers heartbeats and proposes the unfence a caught-up heartbeat earns", () => {
    const b = new ImageBuilder();
    const [res] = b.apply(reg(1));
    const epoch = res.ok ? res.brokerEpoch! : -1;
    const ctx = { image: b.image, heartbeats: new HeartbeatTracker(), now: 5_000, sessionTimeoutMs: SESSION };
    const early = handleHeartbeat(ctx, { nodeId: 1, brokerEpoch: epoch, appliedIndex: 0 });
    expect(early).toEqual({ reply: { fenced: true, caughtUp: false, shuttingDown: false }, records: [] });
    const caught = handleHeartbeat(ctx, { nodeId: 1, brokerEpoch: epoch, appliedIndex: epoch });
    expect(caught.records).toEqual([
      { type: "unfence_broker", nodeId: 1, brokerEpoch: epoch, timestamp: 5_000 },
    ]);
    expect(handleHeartbeat(ctx, { nodeId: 1, brokerEpoch: epoch + 7, appliedIndex: 9 }).reply.error).toBe(
      "STALE_BROKER_EPOCH",
    );
    expect(handleHeartbeat(ctx, { nodeId: 9, brokerEpoch: 1, appliedIndex: 9 }).reply.error).toBe(
      "BROKER_NOT_REGISTERED",
    );
  });

  it("refuses a new incarnation while the old one is alive, and fences it first once lapsed", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    beat(hb, [1, 2, 3], 10_000);
    const next = reg(2, { incarnationId: "inc-2-b", timestamp: 12_000 });
    const alive = planRegistration(
      { image: b.image, heartbeats: hb, now: 12_000, sessionTimeoutMs: SESSION },
      next,
    );
    expect(alive).toMatchObject({ error: "DUPLICATE_BROKER_REGISTRATION" });
    const lapsed = planRegistration(
      { image: b.image, heartbeats: hb, now: 17_000, sessionTimeoutMs: SESSION },
      next,
    );
    if ("error" in lapsed) throw new Error(lapsed.message);
    expect(lapsed.records).toEqual([
      { type: "fence_broker", nodeId: 2, brokerEpoch: 3, timestamp: 17_000 },
      next,
    ]);
    // The same incarnation re-registering is always accepted.
    expect(
      planRegistration({ image: b.image, heartbeats: hb, now: 17_000, sessionTimeoutMs: SESSION }, reg(2)),
    ).toEqual({
      records: [reg(2)],
    });
    const index = b.nextIndex;
    const results = lapsed.records.map((r) => b.image.apply(r, index, 2));
    expect(results[1]).toEqual({ ok: true, brokerEpoch: index });
  });

  it("replaces a live-looking incarnation at once when the new process names it as its predecessor", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    beat(hb, [1, 2, 3], 10_000);
    const ctx = { image: b.image, heartbeats: hb, now: 11_000, sessionTimeoutMs: SESSION };
    const restarted = reg(2, {
      incarnationId: "inc-2-b",
      previousIncarnationId: "inc-2-a",
      timestamp: 11_000,
    });
    const plan = planRegistration(ctx, restarted);
    if ("error" in plan) throw new Error(plan.message);
    expect(plan.records).toEqual([
      { type: "fence_broker", nodeId: 2, brokerEpoch: 3, timestamp: 11_000 },
      restarted,
    ]);
    const index = b.nextIndex;
    expect(plan.records.map((r) => b.image.apply(r, index, 2))[1]).toEqual({ ok: true, brokerEpoch: index });
    // Naming an incarnation that is not the registered one proves nothing: the live one keeps its id.
    const stranger = reg(2, {
      incarnationId: "inc-2-c",
      previousIncarnationId: "inc-2-a",
      timestamp: 11_500,
    });
    beat(hb, [2], 11_400);
    expect(planRegistration({ ...ctx, now: 11_500 }, stranger)).toMatchObject({
      error: "DUPLICATE_BROKER_REGISTRATION",
    });
  });

  it("plans producer id blocks for the current incarnation only", () => {
    const b = cluster();
    expect(planProducerIdBlock(b.image, { nodeId: 2, brokerEpoch: 3 })).toEqual({
      record: { type: "producer_id_block", nodeId: 2, brokerEpoch: 3, size: 1000 },
    });
    expect(planProducerIdBlock(b.image, { nodeId: 2, brokerEpoch: 1 })).toMatchObject({
      error: "STALE_BROKER_EPOCH",
    });
    expect(planProducerIdBlock(b.image, { nodeId: 8, brokerEpoch: 1 })).toMatchObject({
      error: "BROKER_NOT_REGISTERED",
    });
  });
});

describe("registration contact", () => {
  it("does not fence a broker that registered recently but has not heartbeated yet", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    hb.becameLeader(0);
    beat(hb, [1, 2, 3], 99_000);
    const ctx = { image: b.image, heartbeats: hb, now: 100_000, sessionTimeoutMs: SESSION };
    const plan = planRegistration(ctx, reg(4));
    if ("error" in plan) throw new Error(plan.message);
    b.apply(...plan.records);
    const fencedAt = (now: number) =>
      controllerTick({ ...ctx, now })
        .filter((r) => r.type === "fence_broker")
        .map((r) => r.nodeId);
    expect(fencedAt(100_000 + SESSION)).toEqual([1, 2, 3]);
    expect(fencedAt(100_001 + SESSION)).toEqual([1, 2, 3, 4]);
  });
});

describe("controlled shutdown", () => {
  it("marks the broker shutting down and takes it off the leaderships nobody else can take", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    beat(hb, [1, 2, 3], 1_000);
    const ctx = { image: b.image, heartbeats: hb, now: 2_000, sessionTimeoutMs: SESSION };
    expect(planControlledShutdown(ctx, 1, 7)).toMatchObject({ error: "STALE_BROKER_EPOCH" });
    expect(planControlledShutdown(ctx, 9, 1)).toMatchObject({ error: "BROKER_NOT_REGISTERED" });
    const plan = planControlledShutdown(ctx, 1, 1);
    if ("error" in plan) throw new Error(plan.message);
    // p0 moves through its Raft group (its new leader reports itself); p2 has no other replica.
    expect(plan.records).toEqual([
      { type: "broker_shutting_down", nodeId: 1, brokerEpoch: 1, timestamp: 2_000 },
      { type: "partition_change", topic: "t", partition: 2, leader: null, leaderEpoch: 0, isr: [1] },
    ]);
    expect(plan.movable).toEqual([{ topic: "t", partition: 0 }]);
    for (const r of plan.records) expect(b.apply(r)[0].ok).toBe(true);
    expect(b.image.broker(1)?.state).toBe("shutting_down");
    // A leadership report it sent before shutting down began is refused when it arrives after.
    expect(
      b.apply({
        type: "partition_change",
        topic: "t",
        partition: 0,
        leader: 1,
        leaderEpoch: 3,
        isr: [1, 2, 3],
      })[0],
    ).toMatchObject({ ok: false, error: "BROKER_NOT_AVAILABLE" });
    // Asking again while shutting down proposes no second state change.
    const again = planControlledShutdown(ctx, 1, 1);
    if ("error" in again) throw new Error(again.message);
    expect(again.records).toEqual([]);
    // A shutting-down broker is not fenced while it still heartbeats, and receives no new replicas.
    expect(controllerTick(ctx)).toEqual([]);
    expect(assignableBrokers(b.image)).toEqual([2, 3]);

    // Once it leads nothing and asks to stop, its next heartbeat gets it fenced (a restart need not wait).
    const later = { ...ctx, now: 3_000 };
    const asking = { nodeId: 1, brokerEpoch: 1, appliedIndex: 100, wantShutDown: true };
    expect(handleHeartbeat(later, asking)).toEqual({
      reply: { fenced: false, caughtUp: true, shuttingDown: true },
      records: [],
    });
    b.apply({
      type: "partition_change",
      topic: "t",
      partition: 0,
      leader: 2,
      leaderEpoch: 3,
      isr: [1, 2, 3],
    });
    expect(handleHeartbeat(later, asking).records).toEqual([
      { type: "fence_broker", nodeId: 1, brokerEpoch: 1, timestamp: 3_000 },
    ]);
  });

  it("counts only live, unfenced in-sync replicas as successors", () => {
    const b = cluster();
    const hb = new HeartbeatTracker();
    hb.becameLeader(0);
    beat(hb, [1], 20_000);
    beat(hb, [2, 3], 1_000);
    const plan = planControlledShutdown(
      { image: b.image, heartbeats: hb, now: 20_000, sessionTimeoutMs: SESSION },
      1,
      1,
    );
    if ("error" in plan) throw new Error(plan.message);
    expect(plan.movable).toEqual([]);
    expect(plan.records.filter((r) => r.type === "partition_change").map((r) => r.partition)).toEqual([0, 2]);
  });
});
