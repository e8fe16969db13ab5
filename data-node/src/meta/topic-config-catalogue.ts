import {
  atLeast,
  between,
  type ConfigType,
  eachOneOf,
  either,
  oneOf,
  type ParsedValue,
  type Rule,
} from "./config-values.ts";

// Every topic config of Kafka 4.0 (its LogConfig, internal ones aside), with the type, rule and default
// Kafka gives it, the broker configs its default comes from (ServerTopicConfigSynonyms' order: the
// first one set wins), and whether chronik acts on it. Configs chronik does not act on are still
// validated, stored and described, so tools that set them keep working; they change nothing here.

export interface TopicConfigDef {
  name: string;
  type: ConfigType;
  // Kafka's default for the topic config, used when no broker synonym has a value.
  default: string;
  rule?: Rule;
  // Kafka also derives retention.ms from log.retention.hours (and the like) when the ms synonym is
  // unset; chronik's node config always sets the ms ones, so a value never comes from a later one.
  synonyms: readonly string[];
  // True when chronik acts on the value (storage, retention, compaction or produce follow it).
  enforced: boolean;
  doc: string;
}

export const LONG_MAX = "9223372036854775807";

// Kafka's ThrottledReplicaListValidator: "*", or partition:broker pairs.
const throttledReplicas: Rule = {
  allowed: '"*" or a comma-separated list of partition:broker pairs',
  test: (v) => {
    const items = v as string[];
    return (items.length === 1 && items[0] === "*") || items.every((x) => /^(\d+:\d+)?$/.test(x));
  },
};

// chronik has no tiered storage: the switch may only say so.
const noTieredStorage: Rule = {
  allowed: "false (chronik has no tiered storage)",
  test: (v: ParsedValue) => v === false,
};

const defs: TopicConfigDef[] = [
  {
    name: "cleanup.policy",
    type: "list",
    default: "delete",
    rule: eachOneOf("compact", "delete"),
    synonyms: ["log.cleanup.policy"],
    enforced: true,
    doc: "What happens to old segments: delete drops them past retention, compact keeps the latest record of every key, both do both.",
  },
  {
    name: "compression.gzip.level",
    type: "int",
    default: "-1",
    rule: either(between(-1, -1), between(1, 9)),
    synonyms: ["compression.gzip.level"],
    enforced: false,
    doc: "The gzip level the broker would recompress with when compression.type is gzip.",
  },
  {
    name: "compression.lz4.level",
    type: "int",
    default: "9",
    rule: between(1, 17),
    synonyms: ["compression.lz4.level"],
    enforced: false,
    doc: "The lz4 level the broker would recompress with when compression.type is lz4.",
  },
  {
    name: "compression.type",
    type: "string",
    default: "producer",
    rule: oneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
    synonyms: ["compression.type"],
    enforced: false,
    doc: "The codec batches are stored with; producer keeps whatever the producer sent, which is what chronik always does.",
  },
  {
    name: "compression.zstd.level",
    type: "int",
    default: "3",
    rule: between(-131072, 22),
    synonyms: ["compression.zstd.level"],
    enforced: false,
    doc: "The zstd level the broker would recompress with when compression.type is zstd.",
  },
  {
    name: "delete.retention.ms",
    type: "long",
    default: "86400000",
    rule: atLeast(0n),
    synonyms: ["log.cleaner.delete.retention.ms"],
    enforced: true,
    doc: "How long a tombstone (a null value) survives compaction, so slow readers still see the delete.",
  },
  {
    name: "file.delete.delay.ms",
    type: "long",
    default: "60000",
    rule: atLeast(0n),
    synonyms: ["log.segment.delete.delay.ms"],
    enforced: false,
    doc: "How long a deleted segment file would linger before removal.",
  },
  {
    name: "flush.messages",
    type: "long",
    default: LONG_MAX,
    rule: atLeast(1n),
    synonyms: ["log.flush.interval.messages"],
    enforced: false,
    doc: "Force an fsync after this many messages; chronik syncs per storage.fsync instead.",
  },
  {
    name: "flush.ms",
    type: "long",
    default: LONG_MAX,
    rule: atLeast(0n),
    synonyms: ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
    enforced: false,
    doc: "Force an fsync after this long; chronik syncs per storage.fsync instead.",
  },
  {
    name: "follower.replication.throttled.replicas",
    type: "list",
    default: "",
    rule: throttledReplicas,
    synonyms: [],
    enforced: false,
    doc: "Replicas whose follower-side replication would be throttled.",
  },
  {
    name: "index.interval.bytes",
    type: "int",
    default: "4096",
    rule: atLeast(0n),
    synonyms: ["log.index.interval.bytes"],
    enforced: false,
    doc: "Bytes between offset index entries.",
  },
  {
    name: "leader.replication.throttled.replicas",
    type: "list",
    default: "",
    rule: throttledReplicas,
    synonyms: [],
    enforced: false,
    doc: "Replicas whose leader-side replication would be throttled.",
  },
  {
    name: "local.retention.bytes",
    type: "long",
    default: "-2",
    rule: atLeast(-2n),
    synonyms: ["log.local.retention.bytes"],
    enforced: false,
    doc: "Size retention of the local log under tiered storage; -2 follows retention.bytes.",
  },
  {
    name: "local.retention.ms",
    type: "long",
    default: "-2",
    rule: atLeast(-2n),
    synonyms: ["log.local.retention.ms"],
    enforced: false,
    doc: "Time retention of the local log under tiered storage; -2 follows retention.ms.",
  },
  {
    name: "max.compaction.lag.ms",
    type: "long",
    default: LONG_MAX,
    rule: atLeast(1n),
    synonyms: ["log.cleaner.max.compaction.lag.ms"],
    enforced: true,
    doc: "The longest a record may stay uncompacted in a compacted topic.",
  },
  {
    name: "max.message.bytes",
    type: "int",
    default: "1048588",
    rule: atLeast(0n),
    synonyms: ["message.max.bytes"],
    enforced: true,
    doc: "The largest record batch (after compression) a producer may append; larger ones get MESSAGE_TOO_LARGE.",
  },
  {
    name: "message.timestamp.after.max.ms",
    type: "long",
    default: "3600000",
    rule: atLeast(0n),
    synonyms: ["log.message.timestamp.after.max.ms"],
    enforced: false,
    doc: "How far in the future a CreateTime timestamp may be.",
  },
  {
    name: "message.timestamp.before.max.ms",
    type: "long",
    default: LONG_MAX,
    rule: atLeast(0n),
    synonyms: ["log.message.timestamp.before.max.ms"],
    enforced: false,
    doc: "How far in the past a CreateTime timestamp may be.",
  },
  {
    name: "message.timestamp.type",
    type: "string",
    default: "CreateTime",
    rule: oneOf("CreateTime", "LogAppendTime"),
    synonyms: ["log.message.timestamp.type"],
    enforced: false,
    doc: "Whether record timestamps are the producer's (CreateTime) or the broker's (LogAppendTime); chronik keeps the producer's.",
  },
  {
    name: "min.cleanable.dirty.ratio",
    type: "double",
    default: "0.5",
    rule: between(0, 1),
    synonyms: ["log.cleaner.min.cleanable.ratio"],
    enforced: true,
    doc: "Compaction starts once this share of the log has not been compacted yet.",
  },
  {
    name: "min.compaction.lag.ms",
    type: "long",
    default: "0",
    rule: atLeast(0n),
    synonyms: ["log.cleaner.min.compaction.lag.ms"],
    enforced: true,
    doc: "The shortest a record stays uncompacted in a compacted topic.",
  },
  {
    name: "min.insync.replicas",
    type: "int",
    default: "1",
    rule: atLeast(1n),
    synonyms: ["min.insync.replicas"],
    enforced: false,
    doc: "Replicas that must have an acks=all write; chronik always waits for a Raft majority.",
  },
  {
    name: "preallocate",
    type: "boolean",
    default: "false",
    synonyms: ["log.preallocate"],
    enforced: false,
    doc: "Whether segment files would be preallocated on disk.",
  },
  {
    name: "remote.log.copy.disable",
    type: "boolean",
    default: "false",
    synonyms: [],
    enforced: false,
    doc: "Stops copying segments to tiered storage.",
  },
  {
    name: "remote.log.delete.on.disable",
    type: "boolean",
    default: "false",
    synonyms: [],
    enforced: false,
    doc: "Deletes tiered data when tiered storage is turned off.",
  },
  {
    name: "remote.storage.enable",
    type: "boolean",
    default: "false",
    rule: noTieredStorage,
    synonyms: [],
    enforced: false,
    doc: "Tiered storage for the topic; chronik has none.",
  },
  {
    name: "retention.bytes",
    type: "long",
    default: "-1",
    synonyms: ["log.retention.bytes"],
    enforced: true,
    doc: "Per partition, the size beyond which the oldest segments are deleted (delete policy); -1 for no limit.",
  },
  {
    name: "retention.ms",
    type: "long",
    default: "604800000",
    rule: atLeast(-1n),
    synonyms: ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
    enforced: true,
    doc: "How long a segment is kept after its newest record (delete policy); -1 keeps it forever.",
  },
  {
    name: "segment.bytes",
    type: "int",
    default: "1073741824",
    rule: atLeast(1048576n),
    synonyms: ["log.segment.bytes"],
    enforced: true,
    doc: "A segment file is rolled once it would grow past this size.",
  },
  {
    name: "segment.index.bytes",
    type: "int",
    default: "10485760",
    rule: atLeast(4n),
    synonyms: ["log.index.size.max.bytes"],
    enforced: false,
    doc: "The largest offset index file of a segment.",
  },
  {
    name: "segment.jitter.ms",
    type: "long",
    default: "0",
    rule: atLeast(0n),
    synonyms: ["log.roll.jitter.ms", "log.roll.jitter.hours"],
    enforced: false,
    doc: "Random time subtracted from segment.ms so segments do not all roll at once.",
  },
  {
    name: "segment.ms",
    type: "long",
    default: "604800000",
    rule: atLeast(1n),
    synonyms: ["log.roll.ms", "log.roll.hours"],
    enforced: true,
    doc: "A segment is rolled at the first append this long after it was created, however small.",
  },
  {
    name: "unclean.leader.election.enable",
    type: "boolean",
    default: "false",
    synonyms: ["unclean.leader.election.enable"],
    enforced: false,
    doc: "Whether an out-of-sync replica may become leader; Raft never elects one.",
  },
];

export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDef> = new Map(defs.map((d) => [d.name, d]));
