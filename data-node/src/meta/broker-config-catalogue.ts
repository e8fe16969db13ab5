import type { NodeConfig } from "../../../shared/config/schema.ts";
import type { ConfigType } from "./config-values.ts";
import { LONG_MAX } from "./topic-config-catalogue.ts";

// The broker configs chronik describes: those its node config sets (fromNode: reported as
// STATIC_BROKER_CONFIG) and every broker synonym of a topic config (Kafka's default otherwise; null
// where Kafka has none). All are read-only: chronik has no dynamic broker configs.

export interface BrokerConfigDef {
  name: string;
  type: ConfigType;
  kafkaDefault: string | null;
  fromNode?: (c: NodeConfig) => string | number | boolean;
  doc: string;
}

const defs: BrokerConfigDef[] = [
  { name: "node.id", type: "int", kafkaDefault: "-1", fromNode: (c) => c.node_id, doc: "This node's id." },
  {
    name: "broker.id",
    type: "int",
    kafkaDefault: "-1",
    fromNode: (c) => c.node_id,
    doc: "This node's id (the older name of node.id).",
  },
  {
    name: "auto.create.topics.enable",
    type: "boolean",
    kafkaDefault: "true",
    fromNode: (c) => c.topic_defaults.auto_create,
    doc: "Whether Metadata requests create unknown topics (topic_defaults.auto_create).",
  },
  {
    name: "num.partitions",
    type: "int",
    kafkaDefault: "1",
    fromNode: (c) => c.topic_defaults.partitions,
    doc: "Partitions of an auto-created topic or one created with -1 (topic_defaults.partitions).",
  },
  {
    name: "default.replication.factor",
    type: "int",
    kafkaDefault: "1",
    fromNode: (c) => c.topic_defaults.replication_factor,
    doc: "Replicas of an auto-created topic or one created with -1 (topic_defaults.replication_factor).",
  },
  {
    name: "offsets.topic.num.partitions",
    type: "int",
    kafkaDefault: "50",
    fromNode: (c) => c.groups.offsets_partitions,
    doc: "Partitions of __consumer_offsets (groups.offsets_partitions).",
  },
  {
    name: "offsets.topic.replication.factor",
    type: "short",
    kafkaDefault: "3",
    fromNode: (c) => c.groups.offsets_replication_factor,
    doc: "Replicas of __consumer_offsets (groups.offsets_replication_factor).",
  },
  {
    name: "group.min.session.timeout.ms",
    type: "int",
    kafkaDefault: "6000",
    fromNode: (c) => c.groups.min_session_timeout_ms,
    doc: "The shortest session timeout a group member may ask for (groups.min_session_timeout_ms).",
  },
  {
    name: "group.max.session.timeout.ms",
    type: "int",
    kafkaDefault: "1800000",
    fromNode: (c) => c.groups.max_session_timeout_ms,
    doc: "The longest session timeout a group member may ask for (groups.max_session_timeout_ms).",
  },
  {
    name: "group.initial.rebalance.delay.ms",
    type: "int",
    kafkaDefault: "3000",
    fromNode: (c) => c.groups.initial_rebalance_delay_ms,
    doc: "How long a new group waits for more members before its first rebalance (groups.initial_rebalance_delay_ms).",
  },
  {
    name: "socket.request.max.bytes",
    type: "int",
    kafkaDefault: "104857600",
    fromNode: (c) => c.kafka.max_request_bytes,
    doc: "The largest request a client may send (kafka.max_request_bytes).",
  },
  {
    name: "message.max.bytes",
    type: "int",
    kafkaDefault: "1048588",
    fromNode: (c) => c.topic_defaults.max_message_bytes,
    doc: "Default max.message.bytes of topics (topic_defaults.max_message_bytes).",
  },
  {
    name: "log.retention.ms",
    type: "long",
    kafkaDefault: null,
    fromNode: (c) => c.topic_defaults.retention_ms,
    doc: "Default retention.ms of topics (topic_defaults.retention_ms).",
  },
  {
    name: "log.retention.minutes",
    type: "int",
    kafkaDefault: null,
    doc: "Retention in minutes, below log.retention.ms.",
  },
  {
    name: "log.retention.hours",
    type: "int",
    kafkaDefault: "168",
    doc: "Retention in hours, below log.retention.minutes.",
  },
  {
    name: "log.retention.bytes",
    type: "long",
    kafkaDefault: "-1",
    fromNode: (c) => c.topic_defaults.retention_bytes,
    doc: "Default retention.bytes of topics (topic_defaults.retention_bytes).",
  },
  {
    name: "log.segment.bytes",
    type: "int",
    kafkaDefault: "1073741824",
    fromNode: (c) => c.storage.segment_bytes,
    doc: "Default segment.bytes of topics (storage.segment_bytes).",
  },
  {
    name: "log.roll.ms",
    type: "long",
    kafkaDefault: null,
    fromNode: (c) => c.storage.segment_ms,
    doc: "Default segment.ms of topics (storage.segment_ms).",
  },
  {
    name: "log.roll.hours",
    type: "int",
    kafkaDefault: "168",
    doc: "Segment age in hours, below log.roll.ms.",
  },
  {
    name: "log.roll.jitter.ms",
    type: "long",
    kafkaDefault: null,
    doc: "Default segment.jitter.ms of topics.",
  },
  {
    name: "log.roll.jitter.hours",
    type: "int",
    kafkaDefault: "0",
    doc: "Segment jitter in hours, below log.roll.jitter.ms.",
  },
  {
    name: "log.index.size.max.bytes",
    type: "int",
    kafkaDefault: "10485760",
    doc: "Default segment.index.bytes of topics.",
  },
  {
    name: "log.flush.interval.messages",
    type: "long",
    kafkaDefault: LONG_MAX,
    doc: "Default flush.messages of topics.",
  },
  { name: "log.flush.interval.ms", type: "long", kafkaDefault: null, doc: "Default flush.ms of topics." },
  {
    name: "log.flush.scheduler.interval.ms",
    type: "long",
    kafkaDefault: LONG_MAX,
    doc: "Flush interval, below log.flush.interval.ms.",
  },
  {
    name: "log.index.interval.bytes",
    type: "int",
    kafkaDefault: "4096",
    doc: "Default index.interval.bytes of topics.",
  },
  {
    name: "log.cleaner.delete.retention.ms",
    type: "long",
    kafkaDefault: "86400000",
    doc: "Default delete.retention.ms of topics.",
  },
  {
    name: "log.cleaner.min.compaction.lag.ms",
    type: "long",
    kafkaDefault: "0",
    doc: "Default min.compaction.lag.ms of topics.",
  },
  {
    name: "log.cleaner.max.compaction.lag.ms",
    type: "long",
    kafkaDefault: LONG_MAX,
    doc: "Default max.compaction.lag.ms of topics.",
  },
  {
    name: "log.segment.delete.delay.ms",
    type: "long",
    kafkaDefault: "60000",
    doc: "Default file.delete.delay.ms of topics.",
  },
  {
    name: "log.cleaner.min.cleanable.ratio",
    type: "double",
    kafkaDefault: "0.5",
    doc: "Default min.cleanable.dirty.ratio of topics.",
  },
  {
    name: "log.cleanup.policy",
    type: "list",
    kafkaDefault: "delete",
    doc: "Default cleanup.policy of topics.",
  },
  {
    name: "unclean.leader.election.enable",
    type: "boolean",
    kafkaDefault: "false",
    doc: "Default unclean.leader.election.enable of topics.",
  },
  {
    name: "min.insync.replicas",
    type: "int",
    kafkaDefault: "1",
    doc: "Default min.insync.replicas of topics.",
  },
  {
    name: "compression.type",
    type: "string",
    kafkaDefault: "producer",
    doc: "Default compression.type of topics.",
  },
  {
    name: "compression.gzip.level",
    type: "int",
    kafkaDefault: "-1",
    doc: "Default compression.gzip.level of topics.",
  },
  {
    name: "compression.lz4.level",
    type: "int",
    kafkaDefault: "9",
    doc: "Default compression.lz4.level of topics.",
  },
  {
    name: "compression.zstd.level",
    type: "int",
    kafkaDefault: "3",
    doc: "Default compression.zstd.level of topics.",
  },
  { name: "log.preallocate", type: "boolean", kafkaDefault: "false", doc: "Default preallocate of topics." },
  {
    name: "log.message.timestamp.type",
    type: "string",
    kafkaDefault: "CreateTime",
    doc: "Default message.timestamp.type of topics.",
  },
  {
    name: "log.message.timestamp.before.max.ms",
    type: "long",
    kafkaDefault: LONG_MAX,
    doc: "Default message.timestamp.before.max.ms of topics.",
  },
  {
    name: "log.message.timestamp.after.max.ms",
    type: "long",
    kafkaDefault: "3600000",
    doc: "Default message.timestamp.after.max.ms of topics.",
  },
  {
    name: "log.local.retention.ms",
    type: "long",
    kafkaDefault: "-2",
    doc: "Default local.retention.ms of topics.",
  },
  {
    name: "log.local.retention.bytes",
    type: "long",
    kafkaDefault: "-2",
    doc: "Default local.retention.bytes of topics.",
  },
];

export const BROKER_CONFIGS: ReadonlyMap<string, BrokerConfigDef> = new Map(defs.map((d) => [d.name, d]));
