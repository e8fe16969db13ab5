import type { MetaImage } from "./image.ts";
import { chooseLeader } from "./leader-election.ts";
import { type HeartbeatTracker, isBrokerAlive } from "./liveness.ts";
import type { BrokerShuttingDown, PartitionChange } from "./records.ts";

// Controlled shutdown, planned on the meta leader: mark the broker shutting_down and move each partition
// it leads to another in-sync, live, unfenced replica. The runtime proposes `records` and asks each
// partition's Raft group to transfer leadership per `transfers`; `stuck` partitions have no eligible
// successor (the broker may wait, or go anyway and leave them leaderless until it returns).

export type LeadershipTransfer = { topic: string; partition: number; from: number; to: number };

export type ShutdownPlan = {
  records: (BrokerShuttingDown | PartitionChange)[];
  transfers: LeadershipTransfer[];
  stuck: { topic: string; partition: number }[];
};

export function planControlledShutdown(
  ctx: { image: MetaImage; heartbeats: HeartbeatTracker; now: number; sessionTimeoutMs: number },
  nodeId: number,
): ShutdownPlan | { error: "BROKER_NOT_REGISTERED"; message: string } {
  const { image, heartbeats, now, sessionTimeoutMs } = ctx;
  const b = image.broker(nodeId);
  if (!b) return { error: "BROKER_NOT_REGISTERED", message: `node ${nodeId} is not registered` };
  const plan: ShutdownPlan = { records: [], transfers: [], stuck: [] };
  if (b.state !== "shutting_down") {
    plan.records.push({ type: "broker_shutting_down", nodeId, brokerEpoch: b.epoch, timestamp: now });
  }
  const rank = (id: number): number => {
    const r = image.broker(id);
    if (id === nodeId || !r || r.state !== "unfenced") return Number.POSITIVE_INFINITY;
    return isBrokerAlive(image, heartbeats, id, now, sessionTimeoutMs) ? 0 : Number.POSITIVE_INFINITY;
  };
  for (const t of image.topics()) {
    for (const p of t.partitions) {
      if (p.leader !== nodeId) continue;
      const to = chooseLeader(p, p.isr, rank);
      if (to === null) {
        plan.stuck.push({ topic: t.name, partition: p.partition });
        continue;
      }
      plan.records.push({
        type: "partition_change",
        topic: t.name,
        partition: p.partition,
        leader: to,
        leaderEpoch: p.leaderEpoch,
        isr: [...p.isr],
      });
      plan.transfers.push({ topic: t.name, partition: p.partition, from: nodeId, to });
    }
  }
  return plan;
}
