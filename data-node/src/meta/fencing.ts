import type { MetaImage } from "./image.ts";
import type { HeartbeatTracker } from "./liveness.ts";
import type { FenceBroker, MetaRecord, PartitionChange, UnfenceBroker } from "./records.ts";

// The controller's periodic duty on the meta leader: fence brokers whose session lapsed, unfence
// brokers that heartbeat again and have caught up, and move partition leadership and ISR membership
// off fenced brokers. Pure: it reads the image and the leader's heartbeat table and returns records.
// Proposing the same decision twice is harmless (re-fencing and equal-epoch changes are idempotent),
// but the runtime should wait for one tick's records to apply before running the next.

export type ControllerTickInput = {
  image: MetaImage;
  heartbeats: HeartbeatTracker;
  now: number;
  sessionTimeoutMs: number;
};

export function brokersToFence({
  image,
  heartbeats,
  now,
  sessionTimeoutMs,
}: ControllerTickInput): FenceBroker[] {
  return image
    .brokers()
    .filter((b) => b.state !== "fenced" && now - heartbeats.lastSeen(b.nodeId) > sessionTimeoutMs)
    .map((b) => ({ type: "fence_broker", nodeId: b.nodeId, brokerEpoch: b.epoch, timestamp: now }));
}

// Unfence: heard from within the session, with this incarnation's epoch, and the broker's own image has
// applied its registration (so it serves metadata at least as new as its own existence).
export function brokersToUnfence({
  image,
  heartbeats,
  now,
  sessionTimeoutMs,
}: ControllerTickInput): UnfenceBroker[] {
  return image
    .brokers()
    .filter((b) => {
      if (b.state !== "fenced" && b.state !== "registered") return false;
      const hb = heartbeats.get(b.nodeId);
      return (
        hb !== undefined &&
        hb.brokerEpoch === b.epoch &&
        !hb.wantShutDown &&
        now - hb.at <= sessionTimeoutMs &&
        hb.appliedIndex >= b.epoch
      );
    })
    .map((b) => ({ type: "unfence_broker", nodeId: b.nodeId, brokerEpoch: b.epoch, timestamp: now }));
}

// Partition changes that take the given fenced brokers out of leadership (leaving the partition
// leaderless until its Raft group's new leader reports) and out of the ISR.
// The ISR never becomes empty: its last member stays, marking who holds the newest data.
export function movesOffFenced(input: ControllerTickInput, fenced: ReadonlySet<number>): PartitionChange[] {
  const { image } = input;
  const changes: PartitionChange[] = [];
  for (const t of image.topics()) {
    for (const p of t.partitions) {
      const leaderFenced = p.leader !== null && fenced.has(p.leader);
      const isrFenced = p.isr.some((r) => fenced.has(r));
      if (!leaderFenced && !isrFenced) continue;
      const shrunk = p.isr.filter((r) => !fenced.has(r));
      const isr = shrunk.length > 0 ? shrunk : [...p.isr];
      // A partition's leader is whoever its Raft group elects, and that node reports itself. Naming a
      // successor here would send clients to a replica that may not lead (a client that caches it
      // keeps asking the wrong node); "no leader" makes them refresh until the elected one reports.
      const leader = leaderFenced ? null : p.leader;
      if (leader === p.leader && isr.length === p.isr.length) continue;
      changes.push({
        type: "partition_change",
        topic: t.name,
        partition: p.partition,
        leader,
        leaderEpoch: p.leaderEpoch,
        isr,
      });
    }
  }
  return changes;
}

// Everything one controller tick decides, in the order to propose it (one batch is fine).
export function controllerTick(input: ControllerTickInput): MetaRecord[] {
  const fence = brokersToFence(input);
  const fenced = new Set([
    ...input.image
      .brokers()
      .filter((b) => b.state === "fenced")
      .map((b) => b.nodeId),
    ...fence.map((f) => f.nodeId),
  ]);
  const unfence = brokersToUnfence(input).filter((u) => !fence.some((f) => f.nodeId === u.nodeId));
  for (const u of unfence) fenced.delete(u.nodeId);
  return [...fence, ...movesOffFenced(input, fenced), ...unfence];
}
