import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import type { MetaImage } from "./image.ts";

// Builds the registry snapshot (the contract with the control plane and the health rules) from this
// node's metadata image plus the Raft and liveness facts that live outside the image.

export type RegistrySnapshotInputs = {
  clusterId: string;
  // Current __meta Raft term and commit index as this node knows them.
  term: number;
  commitIndex: number;
  // undefined or 0 both mean "no known leader" (0 is Raft's "none").
  leaderId: number | undefined;
  voters: readonly number[];
  sessionTimeoutMs: number;
  now: number;
  // Last heartbeat wall-clock ms per node id (HeartbeatTracker.livenessTimes). Only the meta leader has
  // these; a follower omits them and reports the log's view instead: a broker not fenced counts as
  // heard from at `now`, since the leader would have fenced it otherwise.
  heartbeats?: ReadonlyMap<number, number>;
};

export function toRegistrySnapshot(image: MetaImage, inputs: RegistrySnapshotInputs): RegistrySnapshot {
  const leader = inputs.leaderId === undefined || inputs.leaderId === 0 ? null : inputs.leaderId;
  return {
    cluster_id: inputs.clusterId,
    version: { term: image.appliedTerm, applied_index: image.appliedIndex },
    observed_at: inputs.now,
    meta: {
      leader_id: leader,
      term: inputs.term,
      commit_index: Math.max(inputs.commitIndex, image.appliedIndex),
      voters: [...inputs.voters].sort((a, b) => a - b),
    },
    session_timeout_ms: inputs.sessionTimeoutMs,
    brokers: image.brokers().map((b) => ({
      id: b.nodeId,
      incarnation_id: b.incarnationId,
      state: b.state,
      epoch: b.epoch,
      listeners: b.listeners.map((l) => ({ ...l })),
      raft_address: b.raftAddress,
      rack: b.rack,
      version: b.version,
      registered_at: b.registeredAt,
      last_heartbeat_at: inputs.heartbeats
        ? (inputs.heartbeats.get(b.nodeId) ?? null)
        : b.state === "fenced"
          ? null
          : inputs.now,
    })),
    topics: image.topics().map((t) => ({
      name: t.name,
      id: t.id,
      internal: t.internal,
      configs: { ...t.configs },
      partitions: t.partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        leader_epoch: p.leaderEpoch,
        replicas: [...p.replicas],
        isr: [...p.isr],
      })),
    })),
  };
}
