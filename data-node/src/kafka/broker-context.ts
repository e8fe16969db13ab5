import type { GroupCoordinator } from "../groups/coordinator.ts";
import type { ConfigEntry } from "../meta/config-resolver.ts";
import type { ReplicaAssignment } from "../meta/manual-assignment.ts";
import type { AlterTopicConfigs } from "../meta/topic-config-changes.ts";
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
  // The client's replica placement: partition i on brokerIds (the first is the preferred leader).
  assignments?: ReplicaAssignment[];
}

export interface TopicOutcome {
  name: string;
  errorCode: number;
  errorMessage?: string;
  topicId?: string;
  numPartitions?: number;
  replicationFactor?: number;
}

export type { ConfigEntry };

// DescribeLogDirs: a node has one log dir, its data dir.
export interface LogDirDescription {
  path: string;
  // Bytes on disk of each partition replica the node hosts.
  partitions: { topic: string; partition: number; sizeBytes: number }[];
  // The file system's size and the bytes available to the node; null when it cannot be read.
  space: { totalBytes: number; usableBytes: number } | null;
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
  // Every topic config with its value and source; undefined: no such topic.
  topicConfigs(name: string): ConfigEntry[] | undefined;
  // The same for a topic that would have these overrides (a validate-only CreateTopics).
  describeTopicConfigs(overrides: Record<string, string>): ConfigEntry[];
  brokerConfigs(): ConfigEntry[];
  // AlterConfigs / IncrementalAlterConfigs on a topic, through the __meta leader; resolves once this
  // node's image has the change.
  alterTopicConfigs(req: AlterTopicConfigs): Promise<{ errorCode: number; errorMessage?: string }>;
  // The effective configs (overrides over node defaults) of this node's replica of a partition.
  replicaConfigs(topic: string, partition: number): Readonly<Record<string, string>> | undefined;
  logDir(): Promise<LogDirDescription>;
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
