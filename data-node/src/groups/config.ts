import { DEFAULT_OFFSETS_TOPIC_PARTITIONS } from "./partition-for-group.ts";

// Broker-side group settings; defaults are Apache Kafka's.
export interface GroupCoordinatorConfig {
  // offsets.topic.num.partitions
  offsetsTopicPartitions: number;
  // group.min.session.timeout.ms / group.max.session.timeout.ms
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  // group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members.
  initialRebalanceDelayMs: number;
  // A new member whose JoinGroup waits this long without the rebalance completing is dropped.
  newMemberJoinTimeoutMs: number;
  // offsets.retention.minutes, in ms
  offsetsRetentionMs: number;
  // offsets.retention.check.interval.ms
  offsetsRetentionCheckIntervalMs: number;
  // offset.metadata.max.bytes
  maxMetadataSize: number;
  // group.max.size
  maxGroupSize: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  offsetsTopicPartitions: DEFAULT_OFFSETS_TOPIC_PARTITIONS,
  minSessionTimeoutMs: 6_000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3_000,
  newMemberJoinTimeoutMs: 300_000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  maxMetadataSize: 4096,
  maxGroupSize: 2_147_483_647,
};
