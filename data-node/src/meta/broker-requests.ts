import { brokersToUnfence } from "./fencing.ts";
import type { MetaImage } from "./image.ts";
import { type BrokerHeartbeat, type HeartbeatTracker, isBrokerAlive } from "./liveness.ts";
import type { FenceBroker, MetaRecord, ProducerIdBlock, RegisterBroker, UnfenceBroker } from "./records.ts";

// What the meta leader does with brokers' requests (registration, heartbeat, producer-id blocks) before
// anything reaches the log. Pure: image + leader soft state in, records to propose (or an error) out.

export type LeaderContext = {
  image: MetaImage;
  heartbeats: HeartbeatTracker;
  now: number;
  sessionTimeoutMs: number;
};

export type PlanError = {
  error: "DUPLICATE_BROKER_REGISTRATION" | "BROKER_NOT_REGISTERED" | "STALE_BROKER_EPOCH";
  message: string;
};

// A second incarnation may take over a node id only once its predecessor is dead: either its session
// lapsed (the leader judges liveness, soft state), or the new process names it as the incarnation it
// replaces on the same data dir, whose lock it now holds. The leader then fences the predecessor in
// the same batch as the new registration; the state machine only checks "predecessor fenced", which
// is deterministic.
// An accepted request counts as contact, so a broker is not fenced before its first heartbeat.
export function planRegistration(
  ctx: LeaderContext,
  record: RegisterBroker,
): { records: MetaRecord[] } | PlanError {
  const existing = ctx.image.broker(record.nodeId);
  if (!existing || existing.incarnationId === record.incarnationId || existing.state === "fenced") {
    ctx.heartbeats.noteContact(record.nodeId, ctx.now);
    return { records: [record] };
  }
  const replacesItself = record.previousIncarnationId === existing.incarnationId;
  if (
    !replacesItself &&
    isBrokerAlive(ctx.image, ctx.heartbeats, record.nodeId, ctx.now, ctx.sessionTimeoutMs)
  ) {
    return {
      error: "DUPLICATE_BROKER_REGISTRATION",
      message: `node ${record.nodeId} is held by live incarnation ${existing.incarnationId}`,
    };
  }
  ctx.heartbeats.noteContact(record.nodeId, ctx.now);
  const fence: FenceBroker = {
    type: "fence_broker",
    nodeId: record.nodeId,
    brokerEpoch: existing.epoch,
    timestamp: ctx.now,
  };
  return { records: [fence, record] };
}

export type HeartbeatReply = {
  // Set when the broker must register again (unknown, or a newer incarnation holds its id).
  error?: PlanError["error"];
  fenced: boolean;
  // The broker's image has applied its own registration.
  caughtUp: boolean;
  shuttingDown: boolean;
};

// Records the heartbeat and returns the reply plus records to propose right away: an unfence when this
// heartbeat makes the broker eligible (no need to wait for the next controller tick), or a fence when a
// broker in controlled shutdown asks to stop and leads nothing any more (so its restart is not held up
// waiting for its old session to lapse).
export function handleHeartbeat(
  ctx: LeaderContext,
  hb: BrokerHeartbeat,
): { reply: HeartbeatReply; records: (UnfenceBroker | FenceBroker)[] } {
  const b = ctx.image.broker(hb.nodeId);
  if (!b) {
    return {
      reply: { error: "BROKER_NOT_REGISTERED", fenced: true, caughtUp: false, shuttingDown: false },
      records: [],
    };
  }
  if (b.epoch !== hb.brokerEpoch) {
    return {
      reply: { error: "STALE_BROKER_EPOCH", fenced: true, caughtUp: false, shuttingDown: false },
      records: [],
    };
  }
  ctx.heartbeats.record(hb, ctx.now);
  const records: (UnfenceBroker | FenceBroker)[] = brokersToUnfence(ctx).filter(
    (u) => u.nodeId === hb.nodeId,
  );
  if (hb.wantShutDown && b.state === "shutting_down" && !leadsAnything(ctx.image, hb.nodeId)) {
    records.push({ type: "fence_broker", nodeId: hb.nodeId, brokerEpoch: b.epoch, timestamp: ctx.now });
  }
  return {
    reply: {
      fenced: b.state === "fenced" || b.state === "registered",
      caughtUp: hb.appliedIndex >= b.epoch,
      shuttingDown: b.state === "shutting_down",
    },
    records,
  };
}

function leadsAnything(image: MetaImage, nodeId: number): boolean {
  return image.topics().some((t) => t.partitions.some((p) => p.leader === nodeId));
}

export const DEFAULT_PRODUCER_ID_BLOCK_SIZE = 1000;

export function planProducerIdBlock(
  image: MetaImage,
  req: { nodeId: number; brokerEpoch: number; size?: number },
): { record: ProducerIdBlock } | PlanError {
  const b = image.broker(req.nodeId);
  if (!b) return { error: "BROKER_NOT_REGISTERED", message: `node ${req.nodeId} is not registered` };
  if (b.epoch !== req.brokerEpoch) {
    return { error: "STALE_BROKER_EPOCH", message: `node ${req.nodeId} has epoch ${b.epoch}` };
  }
  return {
    record: {
      type: "producer_id_block",
      nodeId: req.nodeId,
      brokerEpoch: req.brokerEpoch,
      size: req.size ?? DEFAULT_PRODUCER_ID_BLOCK_SIZE,
    },
  };
}
