import { describe, expect, it } from "vitest";
import { evaluateHealth, httpStatusFor } from "../../../shared/health/evaluate.ts";
import type { HealthStatus, UnhealthyReason } from "../../../shared/health/schema.ts";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import { broker, healthySnapshot, T0 } from "./snapshot-fixture.ts";

const DEAD = T0 - 60_000;

function withPartitions(s: RegistrySnapshot, leaders: (number | null)[], isr?: number[]): RegistrySnapshot {
  const topic = s.topics[0];
  return {
    ...s,
    topics: [
      {
        ...topic,
        partitions: leaders.map((leader, i) => ({
          partition: i,
          leader,
          leader_epoch: 1,
          replicas: [1, 2, 3],
          isr: isr ?? [1, 2, 3],
        })),
      },
    ],
  };
}

interface Case {
  name: string;
  snapshot: RegistrySnapshot;
  now?: number;
  status: HealthStatus;
  reasons: UnhealthyReason[];
}

const base = healthySnapshot();

const cases: Case[] = [
  {
    name: "all voters alive and every partition fully replicated",
    snapshot: base,
    status: "healthy",
    reasons: [],
  },
  {
    name: "snapshot older than the max age",
    snapshot: base,
    now: T0 + 30_001,
    status: "unknown",
    reasons: ["stale_metadata"],
  },
  {
    name: "snapshot exactly at the max age is still fresh",
    snapshot: base,
    now: T0 + 30_000,
    status: "healthy",
    reasons: [],
  },
  {
    name: "stale metadata hides the other reasons of the last known picture",
    snapshot: { ...base, meta: { ...base.meta, leader_id: null } },
    now: T0 + 60_000,
    status: "unknown",
    reasons: ["stale_metadata"],
  },
  {
    name: "no meta leader (null)",
    snapshot: { ...base, meta: { ...base.meta, leader_id: null } },
    status: "unavailable",
    reasons: ["no_meta_leader"],
  },
  {
    name: "no meta leader (0, Raft's 'none')",
    snapshot: { ...base, meta: { ...base.meta, leader_id: 0 } },
    status: "unavailable",
    reasons: ["no_meta_leader"],
  },
  {
    name: "two of three voters down: no quorum",
    snapshot: withPartitions(
      {
        ...base,
        brokers: [broker(1), broker(2, { last_heartbeat_at: DEAD }), broker(3, { last_heartbeat_at: DEAD })],
      },
      [1, 1, 1],
    ),
    status: "unavailable",
    reasons: ["no_meta_quorum", "nodes_down"],
  },
  {
    name: "one of three voters down, its partitions moved: degraded",
    snapshot: withPartitions(
      { ...base, brokers: [broker(1), broker(2), broker(3, { last_heartbeat_at: DEAD, state: "fenced" })] },
      [1, 2, 1],
      [1, 2],
    ),
    status: "degraded",
    reasons: ["nodes_down", "brokers_fenced", "under_replicated_partitions"],
  },
  {
    name: "a down broker still listed as a partition leader makes that partition leaderless",
    snapshot: { ...base, brokers: [broker(1), broker(2), broker(3, { last_heartbeat_at: DEAD })] },
    status: "unavailable",
    reasons: ["nodes_down", "leaderless_partitions"],
  },
  {
    name: "a fenced broker that still heartbeats",
    snapshot: { ...base, brokers: [broker(1), broker(2, { state: "fenced" }), broker(3)] },
    status: "degraded",
    reasons: ["brokers_fenced"],
  },
  {
    name: "a registered broker not yet unfenced counts as fenced",
    snapshot: { ...base, brokers: [broker(1), broker(2), broker(3, { state: "registered" })] },
    status: "degraded",
    reasons: ["brokers_fenced"],
  },
  {
    name: "a shutting-down broker that still heartbeats is no reason",
    snapshot: { ...base, brokers: [broker(1), broker(2), broker(3, { state: "shutting_down" })] },
    status: "healthy",
    reasons: [],
  },
  {
    name: "a registration without a heartbeat yet is alive within the session timeout",
    snapshot: {
      ...base,
      brokers: [broker(1), broker(2), broker(3, { last_heartbeat_at: null, registered_at: T0 - 1000 })],
    },
    status: "healthy",
    reasons: [],
  },
  {
    name: "a voter that never registered",
    snapshot: withPartitions({ ...base, brokers: [broker(1), broker(2)] }, [1, 2, 2], [1, 2]),
    status: "degraded",
    reasons: ["brokers_not_registered", "under_replicated_partitions"],
  },
  {
    name: "two voters never registered: no quorum",
    snapshot: withPartitions({ ...base, brokers: [broker(1)] }, [1], [1]),
    status: "unavailable",
    reasons: ["no_meta_quorum", "brokers_not_registered", "under_replicated_partitions"],
  },
  {
    name: "the unregistered meta leader still counts toward quorum",
    snapshot: withPartitions({ ...base, brokers: [broker(2)] }, [2], [2]),
    status: "degraded",
    reasons: ["brokers_not_registered", "under_replicated_partitions"],
  },
  {
    name: "a partition without a leader",
    snapshot: withPartitions(base, [1, null, 3]),
    status: "unavailable",
    reasons: ["leaderless_partitions"],
  },
  {
    name: "a partition whose leader is 0",
    snapshot: withPartitions(base, [0, 2, 3]),
    status: "unavailable",
    reasons: ["leaderless_partitions"],
  },
  {
    name: "an ISR smaller than the replica set",
    snapshot: withPartitions(base, [1, 2, 3], [1, 2]),
    status: "degraded",
    reasons: ["under_replicated_partitions"],
  },
  {
    name: "no voters configured means no quorum",
    snapshot: { ...base, meta: { ...base.meta, voters: [] } },
    status: "unavailable",
    reasons: ["no_meta_quorum"],
  },
  {
    name: "a cluster without topics",
    snapshot: { ...base, topics: [] },
    status: "healthy",
    reasons: [],
  },
];

describe("evaluateHealth", () => {
  it.each(cases)("$name → $status", ({ snapshot, now, status, reasons }) => {
    const health = evaluateHealth(snapshot, now ?? T0 + 1000);
    expect(health.status).toBe(status);
    expect(health.unhealthy_reasons).toEqual(reasons);
    expect(health.is_healthy).toBe(status === "healthy");
    expect(health.stale).toBe(status === "unknown");
  });

  it("reports meta leader, term, commit index and quorum", () => {
    const h = evaluateHealth(healthySnapshot(), T0 + 250);
    expect(h.meta).toEqual({
      leader_id: 1,
      term: 3,
      commit_index: 120,
      voters: [1, 2, 3],
      voters_alive: [1, 2, 3],
      quorum: 2,
    });
    expect(h.controller_id).toBe(1);
    expect(h.metadata_version).toEqual({ term: 3, applied_index: 120 });
    expect(h.observed_at).toBe(T0);
    expect(h.age_ms).toBe(250);
    expect(h.cluster_id).toBe("test-cluster");
  });

  it("lists every node with state, liveness and heartbeat age, including unregistered voters", () => {
    const s = healthySnapshot({
      brokers: [
        broker(2, { last_heartbeat_at: DEAD, state: "fenced" }),
        broker(1, { last_heartbeat_at: T0 - 1200 }),
      ],
    });
    const h = evaluateHealth(s, T0);
    expect(h.nodes).toEqual([
      {
        id: 1,
        state: "unfenced",
        alive: true,
        is_voter: true,
        is_meta_leader: true,
        last_heartbeat_age_ms: 1200,
      },
      {
        id: 2,
        state: "fenced",
        alive: false,
        is_voter: true,
        is_meta_leader: false,
        last_heartbeat_age_ms: 60_000,
      },
      {
        id: 3,
        state: "not_registered",
        alive: false,
        is_voter: true,
        is_meta_leader: false,
        last_heartbeat_age_ms: null,
      },
    ]);
    expect(h.nodes_down).toEqual([2]);
    expect(h.meta.voters_alive).toEqual([1]);
  });

  it("counts problem partitions and caps their lists", () => {
    const s = withPartitions(healthySnapshot(), [null, null, null, null, null], [1]);
    const h = evaluateHealth(s, T0, { listCap: 2 });
    expect(h.leaderless_partitions.count).toBe(5);
    expect(h.leaderless_partitions.truncated).toBe(true);
    expect(h.leaderless_partitions.partitions).toEqual([
      { topic: "orders", partition: 0, leader: null, replicas: [1, 2, 3], isr: [1] },
      { topic: "orders", partition: 1, leader: null, replicas: [1, 2, 3], isr: [1] },
    ]);
    expect(h.under_replicated_partitions.count).toBe(5);
    const uncapped = evaluateHealth(s, T0);
    expect(uncapped.leaderless_partitions.partitions).toHaveLength(5);
    expect(uncapped.leaderless_partitions.truncated).toBe(false);
  });

  it("honours a custom max age and treats a snapshot from the future as age 0", () => {
    expect(evaluateHealth(healthySnapshot(), T0 + 5001, { maxAgeMs: 5000 }).status).toBe("unknown");
    const future = evaluateHealth(healthySnapshot(), T0 - 2000);
    expect(future.age_ms).toBe(0);
    expect(future.status).toBe("healthy");
  });
});

describe("httpStatusFor", () => {
  it.each([
    ["healthy", 200],
    ["degraded", 200],
    ["unavailable", 503],
    ["unknown", 503],
  ] as const)("%s → %i", (status, code) => {
    expect(httpStatusFor({ status })).toBe(code);
  });
});
