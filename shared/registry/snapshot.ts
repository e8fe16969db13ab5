import { z } from "zod";

// The registry snapshot: what the __meta leader publishes (to the control plane mirror) and what
// the health rules read. Both sides validate it with this schema, so it is the contract between them.

export const brokerState = z.enum(["registered", "fenced", "unfenced", "shutting_down"]);
export type BrokerState = z.infer<typeof brokerState>;

export const listenerSchema = z.object({
  name: z.string(),
  host: z.string(),
  port: z.number().int().min(0).max(65535),
});

export const brokerSchema = z.object({
  id: z.number().int().nonnegative(),
  incarnation_id: z.string(),
  state: brokerState,
  epoch: z.number().int().nonnegative(),
  listeners: z.array(listenerSchema),
  raft_address: z.string(),
  rack: z.string().nullable(),
  version: z.string(),
  registered_at: z.number().int().nonnegative(),
  last_heartbeat_at: z.number().int().nonnegative().nullable(),
});
export type Broker = z.infer<typeof brokerSchema>;

export const partitionSchema = z.object({
  partition: z.number().int().nonnegative(),
  leader: z.number().int().nonnegative().nullable(),
  leader_epoch: z.number().int().nonnegative(),
  replicas: z.array(z.number().int().nonnegative()),
  isr: z.array(z.number().int().nonnegative()),
});
export type PartitionInfo = z.infer<typeof partitionSchema>;

export const topicSchema = z.object({
  name: z.string().min(1),
  id: z.string(),
  internal: z.boolean(),
  configs: z.record(z.string(), z.string()),
  partitions: z.array(partitionSchema),
});
export type TopicInfo = z.infer<typeof topicSchema>;

export const registrySnapshotSchema = z.object({
  cluster_id: z.string().min(1),
  version: z.object({
    term: z.number().int().nonnegative(),
    applied_index: z.number().int().nonnegative(),
  }),
  // Wall-clock ms at which the publishing node built this snapshot.
  observed_at: z.number().int().nonnegative(),
  meta: z.object({
    leader_id: z.number().int().nonnegative().nullable(),
    term: z.number().int().nonnegative(),
    commit_index: z.number().int().nonnegative(),
    voters: z.array(z.number().int().nonnegative()),
  }),
  // A broker whose last heartbeat is older than this is not alive (and is fenced by the controller).
  session_timeout_ms: z.number().int().positive(),
  brokers: z.array(brokerSchema),
  topics: z.array(topicSchema),
});
export type RegistrySnapshot = z.infer<typeof registrySnapshotSchema>;
