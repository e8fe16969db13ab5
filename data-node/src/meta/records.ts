import { z } from "zod";

// The __meta log's record types (model: KRaft's __cluster_metadata). Every change to cluster metadata is
// one of these, applied in log order by MetaImage. Broker heartbeats are deliberately absent: liveness
// is soft state on the meta leader, and only its consequences (fence/unfence) are logged.
// Timestamps are wall-clock ms stamped by the proposer, so applying a record never reads a clock.

const nodeId = z.number().int().min(1);
const epoch = z.number().int().nonnegative();

export const listenerRecordSchema = z.object({
  name: z.string().min(1),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
});

export const partitionAssignmentSchema = z.object({
  partition: z.number().int().nonnegative(),
  replicas: z.array(nodeId).min(1),
  leader: nodeId.nullable(),
  leaderEpoch: epoch,
  isr: z.array(nodeId),
});

export const registerBrokerSchema = z.object({
  type: z.literal("register_broker"),
  nodeId,
  incarnationId: z.string().min(1),
  // The incarnation this process replaces, read from the data dir it holds locked: proof that the
  // predecessor is gone, so it may be replaced without waiting out its session (KIP-1073's idea).
  previousIncarnationId: z.string().min(1).optional(),
  listeners: z.array(listenerRecordSchema),
  raftAddress: z.string(),
  rack: z.string().nullable(),
  version: z.string(),
  timestamp: epoch,
});

export const unregisterBrokerSchema = z.object({
  type: z.literal("unregister_broker"),
  nodeId,
  brokerEpoch: epoch,
  timestamp: epoch,
});

export const fenceBrokerSchema = z.object({
  type: z.literal("fence_broker"),
  nodeId,
  brokerEpoch: epoch,
  timestamp: epoch,
});

export const unfenceBrokerSchema = z.object({
  type: z.literal("unfence_broker"),
  nodeId,
  brokerEpoch: epoch,
  timestamp: epoch,
});

// Controlled shutdown has begun: the broker stays registered but new leaderships avoid it.
export const brokerShuttingDownSchema = z.object({
  type: z.literal("broker_shutting_down"),
  nodeId,
  brokerEpoch: epoch,
  timestamp: epoch,
});

export const createTopicSchema = z.object({
  type: z.literal("create_topic"),
  name: z.string().min(1),
  topicId: z.string().min(1),
  internal: z.boolean(),
  partitions: z.array(partitionAssignmentSchema).min(1),
  configs: z.record(z.string(), z.string()),
});

export const deleteTopicSchema = z.object({
  type: z.literal("delete_topic"),
  name: z.string().min(1),
  topicId: z.string().min(1),
});

// Appends partitions to an existing topic; their numbers must continue the existing sequence.
export const createPartitionsSchema = z.object({
  type: z.literal("create_partitions"),
  topic: z.string().min(1),
  partitions: z.array(partitionAssignmentSchema).min(1),
});

// Reported by a partition's Raft leader when leadership or the ISR changes, or decided by the controller
// when a leader is fenced. `replicas` is present only when the replica set itself changes.
export const partitionChangeSchema = z.object({
  type: z.literal("partition_change"),
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  leader: nodeId.nullable(),
  leaderEpoch: epoch,
  isr: z.array(nodeId),
  replicas: z.array(nodeId).min(1).optional(),
});

export const topicConfigSchema = z.object({
  type: z.literal("topic_config"),
  topic: z.string().min(1),
  // The topic the change was planned for: a topic re-created under the same name is left alone.
  topicId: z.string().min(1).optional(),
  set: z.record(z.string(), z.string()),
  delete: z.array(z.string()),
});

// Hands the next block of producer ids to a broker. The block's start is not in the record: the state
// machine assigns it from its own counter, so two blocks can never overlap whatever the proposal order.
export const producerIdBlockSchema = z.object({
  type: z.literal("producer_id_block"),
  nodeId,
  brokerEpoch: epoch,
  size: z.number().int().min(1).max(1_000_000),
});

export const metaRecordSchema = z.discriminatedUnion("type", [
  registerBrokerSchema,
  unregisterBrokerSchema,
  fenceBrokerSchema,
  unfenceBrokerSchema,
  brokerShuttingDownSchema,
  createTopicSchema,
  deleteTopicSchema,
  createPartitionsSchema,
  partitionChangeSchema,
  topicConfigSchema,
  producerIdBlockSchema,
]);

export type ListenerRecord = z.infer<typeof listenerRecordSchema>;
export type PartitionAssignment = z.infer<typeof partitionAssignmentSchema>;
export type RegisterBroker = z.infer<typeof registerBrokerSchema>;
export type UnregisterBroker = z.infer<typeof unregisterBrokerSchema>;
export type FenceBroker = z.infer<typeof fenceBrokerSchema>;
export type UnfenceBroker = z.infer<typeof unfenceBrokerSchema>;
export type BrokerShuttingDown = z.infer<typeof brokerShuttingDownSchema>;
export type CreateTopic = z.infer<typeof createTopicSchema>;
export type DeleteTopic = z.infer<typeof deleteTopicSchema>;
export type CreatePartitions = z.infer<typeof createPartitionsSchema>;
export type PartitionChange = z.infer<typeof partitionChangeSchema>;
export type TopicConfig = z.infer<typeof topicConfigSchema>;
export type ProducerIdBlock = z.infer<typeof producerIdBlockSchema>;
export type MetaRecord = z.infer<typeof metaRecordSchema>;
export type MetaRecordType = MetaRecord["type"];
