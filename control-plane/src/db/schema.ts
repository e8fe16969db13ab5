import {
  bigint,
  boolean,
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

// The mirror of each cluster's registry: a read model rebuilt from the __meta leader's pushes.
// Times that came from the cluster (observed_at, heartbeats, registrations) are epoch milliseconds on
// the publisher's clock; received_at is the control plane's own clock.

export const clusters = pgTable("clusters", {
  id: text("id").primaryKey(),
  metaLeaderId: integer("meta_leader_id"),
  metaTerm: bigint("meta_term", { mode: "number" }).notNull(),
  metaCommitIndex: bigint("meta_commit_index", { mode: "number" }).notNull(),
  voters: integer("voters").array().notNull(),
  sessionTimeoutMs: bigint("session_timeout_ms", { mode: "number" }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

// One row per cluster: the (term, applied_index) tag of the stored snapshot. Every push locks this row
// first, so concurrent pushes for one cluster serialise and only a newer tag replaces the mirror.
export const mirrorVersions = pgTable("mirror_versions", {
  clusterId: text("cluster_id").primaryKey(),
  term: bigint("term", { mode: "number" }).notNull(),
  appliedIndex: bigint("applied_index", { mode: "number" }).notNull(),
  observedAt: bigint("observed_at", { mode: "number" }).notNull(),
  receivedAt: bigint("received_at", { mode: "number" }).notNull(),
});

export const brokers = pgTable(
  "brokers",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    id: integer("id").notNull(),
    incarnationId: text("incarnation_id").notNull(),
    state: text("state", { enum: ["registered", "fenced", "unfenced", "shutting_down"] }).notNull(),
    epoch: bigint("epoch", { mode: "number" }).notNull(),
    listeners: jsonb("listeners").$type<{ name: string; host: string; port: number }[]>().notNull(),
    raftAddress: text("raft_address").notNull(),
    rack: text("rack"),
    version: text("version").notNull(),
    registeredAt: bigint("registered_at", { mode: "number" }).notNull(),
    lastHeartbeatAt: bigint("last_heartbeat_at", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.id] })],
);

export const topics = pgTable(
  "topics",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    topicId: text("topic_id").notNull(),
    internal: boolean("internal").notNull(),
    configs: jsonb("configs").$type<Record<string, string>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.name] })],
);

export const partitions = pgTable(
  "partitions",
  {
    clusterId: text("cluster_id").notNull(),
    topic: text("topic").notNull(),
    partition: integer("partition").notNull(),
    leader: integer("leader"),
    leaderEpoch: bigint("leader_epoch", { mode: "number" }).notNull(),
    replicas: integer("replicas").array().notNull(),
    isr: integer("isr").array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.topic, t.partition] }),
    foreignKey({ columns: [t.clusterId, t.topic], foreignColumns: [topics.clusterId, topics.name] }).onDelete(
      "cascade",
    ),
  ],
);
