import type { GroupCoordinator } from "../groups/coordinator.ts";
import type { PartitionReplica } from "../partition/partition.ts";
import type { MetadataView, UnknownTopicHook } from "./handlers/metadata.ts";

// What the Kafka handlers need from the node, and nothing more. The node (data-node/src/node/)
// implements it over __meta, the partition replicas and the group coordinator; tests can fake it.

export interface TopicToCreate {
  name: string;
  // -1: the broker's default (topic_defaults in the config).
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface TopicOutcome {
  name: string;
  errorCode: number;
  errorMessage?: string;
  topicId?: string;
  numPartitions?: number;
  replicationFactor?: number;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  // True when the value is the broker default rather than set on the topic.
  isDefault: boolean;
  isSensitive: boolean;
}

export interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
}

export interface BrokerContext {
  nodeId: number;
  metadata: MetadataView;
  // Auto-create on Metadata (auto.create.topics.enable) with the default replication factor.
  onUnknownTopic: UnknownTopicHook;
  // This node's replica of a partition (leader or follower), if it hosts one.
  partition(topic: string, partition: number): PartitionReplica | undefined;
  // Admin, through the __meta leader. Each resolves once the change is applied on the meta leader.
  createTopics(topics: TopicToCreate[], validateOnly: boolean): Promise<TopicOutcome[]>;
  deleteTopics(names: string[]): Promise<TopicOutcome[]>;
  createPartitions(reqs: { name: string; count: number }[], validateOnly: boolean): Promise<TopicOutcome[]>;
  // undefined: no such topic.
  topicConfigs(name: string): ConfigEntry[] | undefined;
  brokerConfigs(): ConfigEntry[];
  // Idempotent producers: a fresh producer id (epoch 0) from this node's block, allocated via __meta.
  allocateProducerId(): Promise<{ errorCode: number; producerId: number; producerEpoch: number }>;
  // Consumer groups: the broker that coordinates a group (the leader of its __consumer_offsets
  // partition), creating that internal topic on first use.
  findCoordinator(
    groupId: string,
  ): Promise<{ errorCode: number; errorMessage?: string; coordinator?: BrokerAddress }>;
  // The coordinator on this node; it answers NOT_COORDINATOR for groups whose partition it does not own.
  groups: GroupCoordinator;
  // Optional: called by the group handlers after each coordinator operation and when its answer is
  // ready, so the node can re-arm its group deadline timer (OffsetsTopicBinding.rearm).
  onGroupActivity?(): void;
  now(): number;
}
