import type { MetaImage } from "./image.ts";
import { type HeartbeatTracker, isBrokerAlive } from "./liveness.ts";
import type { BrokerShuttingDown, PartitionChange } from "./records.ts";

// Controlled shutdown, planned on the meta leader: mark the broker shutting_down, so it takes no new
// replicas, and take it out as leader of the partitions nobody else can lead (no other live, unfenced
// in-sync replica): they go offline now rather than point clients at a broker about to leave. The
// other leaderships move through each partition's Raft group (the broker transfers them), and their
// new leaders report themselves, so __meta never names a leader Raft did not elect. Once the broker
// leads nothing, its heartbeat asking to stop gets it fenced (see handleHeartbeat).

export type ShutdownPlan = {
  records: (BrokerShuttingDown | PartitionChange)[];
  // Partitions the broker leads that another in-sync replica can take over.
  movable: { topic: string; partition: number }[];
};

export function planControlledShutdown(
  ctx: { image: MetaImage; heartbeats: HeartbeatTracker; now: number; sessionTimeoutMs: number },
  nodeId: number,
  brokerEpoch: number,
): ShutdownPlan | { error: "BROKER_NOT_REGISTERED" | "STALE_BROKER_EPOCH"; message: string } {
  const { image, heartbeats, now, sessionTimeoutMs } = ctx;
  const b = image.broker(nodeId);
  if (!b) return { error: "BROKER_NOT_REGISTERED", message: `node ${nodeId} is not registered` };
  if (b.epoch !== brokerEpoch)
    return { error: "STALE_BROKER_EPOCH", message: `node ${nodeId} has epoch ${b.epoch}` };
  const plan: ShutdownPlan = { records: [], movable: [] };
  if (b.state !== "shutting_down") {
    plan.records.push({ type: "broker_shutting_down", nodeId, brokerEpoch, timestamp: now });
  }
  const canLead = (id: number): boolean =>
    id !== nodeId &&
    image.broker(id)?.state === "unfenced" &&
    isBrokerAlive(image, heartbeats, id, now, sessionTimeoutMs);
  for (const t of image.topics()) {
    for (const p of t.partitions) {
      if (p.leader !== nodeId) continue;
      if (p.isr.some(canLead)) {
        plan.movable.push({ topic: t.name, partition: p.partition });
        continue;
      }
      plan.records.push({
        type: "partition_change",
        topic: t.name,
        partition: p.partition,
        leader: null,
        leaderEpoch: p.leaderEpoch,
        isr: [...p.isr],
      });
    }
  }
  return plan;
}
