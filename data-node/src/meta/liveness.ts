import type { MetaImage } from "./image.ts";

// Broker liveness: soft state on the __meta leader, never logged. Heartbeats carry the broker's epoch and
// how far its local image has applied; the controller turns lapses and recoveries into fence/unfence
// records. A new leader knows no heartbeats yet, so it counts every broker as seen at the moment it took
// over (one full session of grace) rather than fencing the whole cluster on its first tick.

export type BrokerHeartbeat = {
  nodeId: number;
  brokerEpoch: number;
  // The broker's local __meta applied index: it may be unfenced once this reaches its epoch.
  appliedIndex: number;
  // Set by a broker in controlled shutdown.
  wantShutDown?: boolean;
};

export type HeartbeatEntry = { at: number; brokerEpoch: number; appliedIndex: number; wantShutDown: boolean };

export const DEFAULT_SESSION_TIMEOUT_MS = 6000;

export class HeartbeatTracker {
  private leaderSince = 0;
  private readonly last = new Map<number, HeartbeatEntry>();
  // Other contact that proves a broker alive, chiefly its registration request.
  private readonly contact = new Map<number, number>();

  becameLeader(now: number): void {
    this.leaderSince = now;
  }

  record(hb: BrokerHeartbeat, now: number): void {
    this.last.set(hb.nodeId, {
      at: now,
      brokerEpoch: hb.brokerEpoch,
      appliedIndex: hb.appliedIndex,
      wantShutDown: hb.wantShutDown ?? false,
    });
  }

  noteContact(nodeId: number, now: number): void {
    this.contact.set(nodeId, Math.max(now, this.contact.get(nodeId) ?? 0));
  }

  get(nodeId: number): Readonly<HeartbeatEntry> | undefined {
    return this.last.get(nodeId);
  }

  // The liveness clock for a broker: its last heartbeat or registration, but never earlier than this
  // leader's start.
  lastSeen(nodeId: number): number {
    return Math.max(this.last.get(nodeId)?.at ?? 0, this.contact.get(nodeId) ?? 0, this.leaderSince);
  }

  // Liveness times for the registry snapshot's last_heartbeat_at: the same clock the controller fences
  // by, so the health report calls a broker alive exactly when the controller would keep it unfenced.
  livenessTimes(nodeIds: Iterable<number>): Map<number, number> {
    const out = new Map<number, number>();
    for (const id of nodeIds) {
      const seen = this.lastSeen(id);
      if (seen > 0) out.set(id, seen);
    }
    return out;
  }
}

// Alive: registered (in any state but fenced) and heard from within the session timeout.
export function isBrokerAlive(
  image: MetaImage,
  tracker: HeartbeatTracker,
  nodeId: number,
  now: number,
  sessionTimeoutMs: number,
): boolean {
  const b = image.broker(nodeId);
  if (!b || b.state === "fenced") return false;
  return now - tracker.lastSeen(nodeId) <= sessionTimeoutMs;
}
