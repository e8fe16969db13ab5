import { z } from "zod";
import { brokerState } from "../registry/snapshot.ts";

// The health report, as data nodes and the control plane both serve it. Defined with zod so HTTP
// layers can publish it in their OpenAPI documents; the rules that fill it live in evaluate.ts.

export const healthStatus = z.enum(["healthy", "degraded", "unavailable", "unknown"]);
export type HealthStatus = z.infer<typeof healthStatus>;

export const unhealthyReason = z.enum([
  "no_meta_leader",
  "no_meta_quorum",
  "nodes_down",
  "brokers_fenced",
  "brokers_not_registered",
  "leaderless_partitions",
  "under_replicated_partitions",
  "stale_metadata",
]);
export type UnhealthyReason = z.infer<typeof unhealthyReason>;

export const nodeHealthSchema = z.object({
  id: z.number().int(),
  // "not_registered": a configured __meta voter that has no broker registration.
  state: z.union([brokerState, z.literal("not_registered")]),
  alive: z.boolean(),
  is_voter: z.boolean(),
  is_meta_leader: z.boolean(),
  // Measured at the snapshot's observed_at, on the publisher's clock (the clock heartbeats are
  // stamped with), so clock skew between machines cannot make a node look dead or alive.
  last_heartbeat_age_ms: z.number().int().nullable(),
});
export type NodeHealth = z.infer<typeof nodeHealthSchema>;

export const partitionRefSchema = z.object({
  topic: z.string(),
  partition: z.number().int(),
  leader: z.number().int().nullable(),
  replicas: z.array(z.number().int()),
  isr: z.array(z.number().int()),
});
export type PartitionRef = z.infer<typeof partitionRefSchema>;

export const partitionListSchema = z.object({
  count: z.number().int(),
  // At most `listCap` entries, ordered by topic then partition; `truncated` says more exist.
  partitions: z.array(partitionRefSchema),
  truncated: z.boolean(),
});
export type PartitionList = z.infer<typeof partitionListSchema>;

export const clusterHealthSchema = z.object({
  cluster_id: z.string(),
  status: healthStatus,
  is_healthy: z.boolean(),
  unhealthy_reasons: z.array(unhealthyReason),
  meta: z.object({
    leader_id: z.number().int().nullable(),
    term: z.number().int(),
    commit_index: z.number().int(),
    voters: z.array(z.number().int()),
    voters_alive: z.array(z.number().int()),
    quorum: z.number().int(),
  }),
  // Alias of meta.leader_id under Kafka's name for it.
  controller_id: z.number().int().nullable(),
  nodes: z.array(nodeHealthSchema),
  nodes_down: z.array(z.number().int()),
  leaderless_partitions: partitionListSchema,
  under_replicated_partitions: partitionListSchema,
  metadata_version: z.object({ term: z.number().int(), applied_index: z.number().int() }),
  observed_at: z.number().int(),
  age_ms: z.number().int(),
  stale: z.boolean(),
});
export type ClusterHealth = z.infer<typeof clusterHealthSchema>;
