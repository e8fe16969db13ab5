import { type HeartbeatLoopDeps, runHeartbeats } from "./heartbeat-loop.ts";
import type { Readiness } from "./readiness.ts";
import { type RegistrationDeps, runRegistration } from "./registration.ts";

// The broker side of the lifecycle, end to end: register (waiting for a leader, retrying), then heartbeat
// with the registration's epoch; if the leader stops recognising that epoch (the broker was replaced or
// unregistered), register again. Resolves once the signal aborts.

export type BrokerLifecycleDeps = {
  registration: Omit<RegistrationDeps, "signal" | "readiness">;
  heartbeats: Omit<HeartbeatLoopDeps, "brokerEpoch" | "signal" | "nodeId">;
  readiness?: Readiness;
  signal: AbortSignal;
  // Called with each new registration (e.g. to stamp the broker epoch on partition requests).
  onRegistered?: (registration: { epoch: number; index: number }) => void;
};

export async function runBrokerLifecycle(deps: BrokerLifecycleDeps): Promise<void> {
  const { signal, readiness } = deps;
  while (!signal.aborted) {
    let registration: { epoch: number; index: number };
    try {
      registration = await runRegistration({ ...deps.registration, readiness, signal });
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    deps.onRegistered?.(registration);
    await runHeartbeats({
      ...deps.heartbeats,
      nodeId: deps.registration.record.nodeId,
      brokerEpoch: registration.epoch,
      signal,
    });
    readiness?.set("registered", false);
    readiness?.set("metadata_caught_up", false);
  }
}
