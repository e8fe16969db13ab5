import type { Logger } from "../../../shared/log.ts";
import type { HeartbeatReply } from "./broker-requests.ts";
import type { BrokerHeartbeat } from "./liveness.ts";

// The broker's heartbeat loop: every intervalMs, tell the meta leader this incarnation is alive and how
// far its image has applied. Like registration it never addresses "node 0": with no known leader it
// waits for a leader change. Failures are logged at info when the state changes (not every beat).

export type HeartbeatLoopDeps = {
  nodeId: number;
  brokerEpoch: number;
  getAppliedIndex: () => number;
  wantShutDown?: () => boolean;
  getMetaLeader: () => number | undefined;
  isLocalLeader: () => boolean;
  sendLocal: (hb: BrokerHeartbeat) => Promise<HeartbeatReply>;
  forward: (leaderId: number, hb: BrokerHeartbeat) => Promise<HeartbeatReply>;
  waitForLeaderChange: (signal?: AbortSignal) => Promise<void>;
  // Called with each reply; a reply with `error` means this incarnation must register again.
  onReply: (reply: HeartbeatReply) => void;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  logger: Logger;
  intervalMs?: number;
  signal: AbortSignal;
};

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

// Resolves when the signal aborts, or after a reply carrying an error (the caller re-registers).
export async function runHeartbeats(deps: HeartbeatLoopDeps): Promise<void> {
  const { logger, signal } = deps;
  const interval = deps.intervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  let failing: string | undefined;
  while (!signal.aborted) {
    const leader = deps.getMetaLeader();
    if (leader === undefined || leader === 0) {
      if (failing !== "no leader")
        logger.info({ node_id: deps.nodeId }, "heartbeat: waiting for __meta leader");
      failing = "no leader";
      await deps.waitForLeaderChange(signal);
      continue;
    }
    const hb: BrokerHeartbeat = {
      nodeId: deps.nodeId,
      brokerEpoch: deps.brokerEpoch,
      appliedIndex: deps.getAppliedIndex(),
      wantShutDown: deps.wantShutDown?.() ?? false,
    };
    try {
      const reply = deps.isLocalLeader() ? await deps.sendLocal(hb) : await deps.forward(leader, hb);
      if (failing !== undefined)
        logger.info({ node_id: deps.nodeId, leader }, "heartbeats reaching the __meta leader");
      failing = undefined;
      deps.onReply(reply);
      if (reply.error) {
        logger.info({ node_id: deps.nodeId, error: reply.error }, "heartbeat refused; registration needed");
        return;
      }
    } catch (err) {
      if (signal.aborted) return;
      const reason = err instanceof Error ? err.message : String(err);
      if (failing !== reason) logger.info({ node_id: deps.nodeId, leader, reason }, "heartbeat failed");
      failing = reason;
    }
    await deps.sleep(interval, signal);
  }
}
