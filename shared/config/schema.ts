import { z } from "zod";
import { parseHostPort } from "./address.ts";

// The node configuration file (TOML). Keys are snake_case as written in the file; every tunable has a
// default a user never needs to touch. Unknown keys are errors so a typo cannot silently fall back to a
// default.

const hostPort = z.string().refine((v) => parseHostPort(v) !== undefined, {
  message: 'expected "host:port" with a port between 1 and 65535',
});

const kafkaSection = z.strictObject({
  listen: hostPort,
  // The address clients are told to use; defaults to the listen address, with a wildcard host
  // replaced by 127.0.0.1 (every client resolves that the same way).
  advertised: hostPort.optional(),
  max_request_bytes: z
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 * 1024),
});

const raftSection = z.strictObject({
  listen: hostPort,
  // One tick of the Raft clock. Election and heartbeat timeouts are counted in ticks.
  tick_ms: z.number().int().min(10).max(1000).default(100),
  election_ticks: z.number().int().min(3).default(10),
  heartbeat_ticks: z.number().int().min(1).default(2),
  max_inflight_appends: z.number().int().min(1).default(256),
  max_append_bytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
});

const httpSection = z.strictObject({ listen: hostPort });

const controlPlaneSection = z.strictObject({
  url: z.url(),
  // HMAC key for signed mirror pushes; the local default matches the control plane's dev default.
  secret: z.string().min(8).default("chronik-dev-secret"),
  push_interval_ms: z.number().int().min(100).default(2000),
});

const storageSection = z.strictObject({
  // "always": an entry is fdatasynced (in a group commit) before it counts toward an acknowledgement.
  // "never" leaves durability to the OS page cache; meant for benchmarks only.
  fsync: z.enum(["always", "never"]).default("always"),
  segment_bytes: z
    .number()
    .int()
    .min(1024 * 1024)
    .default(128 * 1024 * 1024),
  segment_ms: z
    .number()
    .int()
    .min(1000)
    .default(7 * 24 * 3600 * 1000),
  // log.retention.check.interval.ms: how often segments past retention are looked for.
  retention_check_ms: z.number().int().min(10).default(60_000),
  // log.cleaner.backoff.ms: how often the leaders of compacted topics check whether to clean.
  cleaner_backoff_ms: z.number().int().min(10).default(15_000),
  // log.cleaner.dedupe.buffer.size: the offset map of one cleaning; more keys take several passes.
  cleaner_dedupe_buffer_bytes: z
    .number()
    .int()
    .min(64 * 1024)
    .default(32 * 1024 * 1024),
  // log.cleaner.io.max.bytes.per.second: read plus written by a cleaning; -1 for no limit.
  cleaner_io_max_bytes_per_second: z.number().int().min(-1).default(-1),
});

const topicDefaultsSection = z.strictObject({
  auto_create: z.boolean().default(true),
  partitions: z.number().int().min(1).default(1),
  replication_factor: z.number().int().min(1).default(3),
  retention_ms: z
    .number()
    .int()
    .min(-1)
    .default(7 * 24 * 3600 * 1000),
  retention_bytes: z.number().int().min(-1).default(-1),
  // message.max.bytes: the largest record batch a producer may append, unless the topic's
  // max.message.bytes says otherwise. Kafka's default: 1 MiB plus a batch header's 12 bytes.
  max_message_bytes: z.number().int().min(0).default(1_048_588),
});

const brokerSection = z.strictObject({
  rack: z.string().min(1).optional(),
  heartbeat_interval_ms: z.number().int().min(50).default(1000),
  session_timeout_ms: z.number().int().min(500).default(6000),
  // SIGTERM: how long the node may spend moving its leaderships away before it exits anyway.
  shutdown_timeout_ms: z.number().int().min(0).default(10_000),
});

const groupsSection = z.strictObject({
  offsets_partitions: z.number().int().min(1).default(50),
  offsets_replication_factor: z.number().int().min(1).default(3),
  min_session_timeout_ms: z.number().int().min(1).default(6000),
  max_session_timeout_ms: z.number().int().min(1).default(1_800_000),
  initial_rebalance_delay_ms: z.number().int().min(0).default(0),
});

export const peerSchema = z.strictObject({
  id: z.number().int().min(1),
  // The peer's Kafka address. Its Raft endpoint is the same host at raft_port.
  addr: hostPort,
  raft_port: z.number().int().min(1).max(65535),
});

export const nodeConfigSchema = z.strictObject({
  node_id: z.number().int().min(1, { message: "node ids start at 1 (0 means 'no node' in Raft)" }),
  cluster_id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, {
    message: "letters, digits, '.', '_' or '-', at most 64 characters",
  }),
  data_dir: z.string().min(1),
  kafka: kafkaSection,
  raft: raftSection,
  http: httpSection,
  control_plane: controlPlaneSection.optional(),
  storage: storageSection.prefault({}),
  topic_defaults: topicDefaultsSection.prefault({}),
  broker: brokerSection.prefault({}),
  groups: groupsSection.prefault({}),
  peers: z.array(peerSchema).min(1, { message: "list every voter of the cluster, this node included" }),
});

export type NodeConfig = z.infer<typeof nodeConfigSchema>;
export type PeerConfig = z.infer<typeof peerSchema>;
