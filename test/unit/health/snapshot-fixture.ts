import type { Broker, RegistrySnapshot } from "../../../shared/registry/snapshot.ts";

// A healthy three-node cluster at time T0: voters 1-3, leader 1, topic "orders" with three partitions
// spread over all brokers. Tests derive every other state from it with small edits.
export const T0 = 1_800_000_000_000;

export function broker(id: number, overrides: Partial<Broker> = {}): Broker {
  return {
    id,
    incarnation_id: `inc-${id}`,
    state: "unfenced",
    epoch: 10 + id,
    listeners: [{ name: "PLAINTEXT", host: "127.0.0.1", port: 9091 + id }],
    raft_address: `127.0.0.1:${9191 + id}`,
    rack: null,
    version: "0.1.0",
    registered_at: T0 - 60_000,
    last_heartbeat_at: T0 - 500,
    ...overrides,
  };
}

export function healthySnapshot(overrides: Partial<RegistrySnapshot> = {}): RegistrySnapshot {
  return {
    cluster_id: "test-cluster",
    version: { term: 3, applied_index: 120 },
    observed_at: T0,
    meta: { leader_id: 1, term: 3, commit_index: 120, voters: [1, 2, 3] },
    session_timeout_ms: 6000,
    brokers: [broker(1), broker(2), broker(3)],
    topics: [
      {
        name: "orders",
        id: "topic-orders",
        internal: false,
        configs: { "retention.ms": "604800000" },
        partitions: [0, 1, 2].map((p) => ({
          partition: p,
          leader: (p % 3) + 1,
          leader_epoch: 2,
          replicas: [1, 2, 3],
          isr: [1, 2, 3],
        })),
      },
    ],
    ...overrides,
  };
}
