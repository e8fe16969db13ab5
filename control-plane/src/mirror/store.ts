import { and, asc, eq, sql } from "drizzle-orm";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import type { Database } from "../db/database.ts";
import { brokers, clusters, mirrorVersions, partitions, topics } from "../db/schema.ts";

// Writes and reads of the mirrored registry. A push replaces a cluster's mirror only when its
// (term, applied_index) tag is newer than the stored one, inside one transaction.

export type ApplyResult =
  | { applied: true }
  // "equal": same metadata version; if the push was observed later, it refreshes the liveness
  // fields (observed_at, heartbeats), which change without a new metadata record.
  | { applied: false; reason: "equal"; refreshed: boolean }
  | { applied: false; reason: "older" };

export interface StoredSnapshot {
  snapshot: RegistrySnapshot;
  // Control-plane clock at the last push that confirmed this snapshot (applied or refreshed).
  receivedAt: number;
}

// Postgres caps a statement at 65535 parameters; partitions take 7 each.
const INSERT_CHUNK = 1000;

export async function applySnapshot(
  db: Database,
  s: RegistrySnapshot,
  receivedAt: number,
): Promise<ApplyResult> {
  return db.transaction(async (tx) => {
    // Takes the cluster's version row lock whether or not the WHERE lets the update through, so
    // concurrent pushes for one cluster run one after the other from here on.
    const won = await tx
      .insert(mirrorVersions)
      .values({
        clusterId: s.cluster_id,
        term: s.version.term,
        appliedIndex: s.version.applied_index,
        observedAt: s.observed_at,
        receivedAt,
      })
      .onConflictDoUpdate({
        target: mirrorVersions.clusterId,
        set: {
          term: sql`excluded.term`,
          appliedIndex: sql`excluded.applied_index`,
          observedAt: sql`excluded.observed_at`,
          receivedAt: sql`excluded.received_at`,
        },
        setWhere: sql`(${mirrorVersions.term}, ${mirrorVersions.appliedIndex}) < (excluded.term, excluded.applied_index)`,
      })
      .returning({ clusterId: mirrorVersions.clusterId });

    if (won.length === 0) {
      const [current] = await tx
        .select()
        .from(mirrorVersions)
        .where(eq(mirrorVersions.clusterId, s.cluster_id));
      if (current.term !== s.version.term || current.appliedIndex !== s.version.applied_index) {
        return { applied: false, reason: "older" } as const;
      }
      if (s.observed_at <= current.observedAt)
        return { applied: false, reason: "equal", refreshed: false } as const;
      await tx
        .update(mirrorVersions)
        .set({ observedAt: s.observed_at, receivedAt })
        .where(eq(mirrorVersions.clusterId, s.cluster_id));
      for (const b of s.brokers) {
        await tx
          .update(brokers)
          .set({ lastHeartbeatAt: b.last_heartbeat_at })
          .where(and(eq(brokers.clusterId, s.cluster_id), eq(brokers.id, b.id)));
      }
      return { applied: false, reason: "equal", refreshed: true } as const;
    }

    const clusterRow = {
      id: s.cluster_id,
      metaLeaderId: s.meta.leader_id,
      metaTerm: s.meta.term,
      metaCommitIndex: s.meta.commit_index,
      voters: s.meta.voters,
      sessionTimeoutMs: s.session_timeout_ms,
    };
    await tx
      .insert(clusters)
      .values(clusterRow)
      .onConflictDoUpdate({
        target: clusters.id,
        set: {
          metaLeaderId: clusterRow.metaLeaderId,
          metaTerm: clusterRow.metaTerm,
          metaCommitIndex: clusterRow.metaCommitIndex,
          voters: clusterRow.voters,
          sessionTimeoutMs: clusterRow.sessionTimeoutMs,
        },
      });
    // Topics cascade to their partitions.
    await tx.delete(topics).where(eq(topics.clusterId, s.cluster_id));
    await tx.delete(brokers).where(eq(brokers.clusterId, s.cluster_id));

    for (const chunk of chunks(s.brokers)) {
      await tx.insert(brokers).values(
        chunk.map((b) => ({
          clusterId: s.cluster_id,
          id: b.id,
          incarnationId: b.incarnation_id,
          state: b.state,
          epoch: b.epoch,
          listeners: b.listeners,
          raftAddress: b.raft_address,
          rack: b.rack,
          version: b.version,
          registeredAt: b.registered_at,
          lastHeartbeatAt: b.last_heartbeat_at,
        })),
      );
    }
    for (const chunk of chunks(s.topics)) {
      await tx.insert(topics).values(
        chunk.map((t) => ({
          clusterId: s.cluster_id,
          name: t.name,
          topicId: t.id,
          internal: t.internal,
          configs: t.configs,
        })),
      );
    }
    const partitionRows = s.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        clusterId: s.cluster_id,
        topic: t.name,
        partition: p.partition,
        leader: p.leader,
        leaderEpoch: p.leader_epoch,
        replicas: p.replicas,
        isr: p.isr,
      })),
    );
    for (const chunk of chunks(partitionRows)) await tx.insert(partitions).values(chunk);
    return { applied: true } as const;
  });
}

export async function listClusterIds(db: Database): Promise<string[]> {
  const rows = await db
    .select({ id: mirrorVersions.clusterId })
    .from(mirrorVersions)
    .orderBy(asc(mirrorVersions.clusterId));
  return rows.map((r) => r.id);
}

// Rebuilds a cluster's snapshot from the tables, reading them all at one point in time.
export async function loadSnapshot(db: Database, clusterId: string): Promise<StoredSnapshot | undefined> {
  return db.transaction(
    async (tx) => {
      const [version] = await tx.select().from(mirrorVersions).where(eq(mirrorVersions.clusterId, clusterId));
      const [cluster] = await tx.select().from(clusters).where(eq(clusters.id, clusterId));
      if (!version || !cluster) return undefined;
      const brokerRows = await tx
        .select()
        .from(brokers)
        .where(eq(brokers.clusterId, clusterId))
        .orderBy(asc(brokers.id));
      const topicRows = await tx
        .select()
        .from(topics)
        .where(eq(topics.clusterId, clusterId))
        .orderBy(asc(topics.name));
      const partitionRows = await tx
        .select()
        .from(partitions)
        .where(eq(partitions.clusterId, clusterId))
        .orderBy(asc(partitions.topic), asc(partitions.partition));
      const byTopic = new Map<string, RegistrySnapshot["topics"][number]["partitions"]>();
      for (const p of partitionRows) {
        const list = byTopic.get(p.topic) ?? [];
        list.push({
          partition: p.partition,
          leader: p.leader,
          leader_epoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
        });
        byTopic.set(p.topic, list);
      }
      const snapshot: RegistrySnapshot = {
        cluster_id: clusterId,
        version: { term: version.term, applied_index: version.appliedIndex },
        observed_at: version.observedAt,
        meta: {
          leader_id: cluster.metaLeaderId,
          term: cluster.metaTerm,
          commit_index: cluster.metaCommitIndex,
          voters: cluster.voters,
        },
        session_timeout_ms: cluster.sessionTimeoutMs,
        brokers: brokerRows.map((b) => ({
          id: b.id,
          incarnation_id: b.incarnationId,
          state: b.state,
          epoch: b.epoch,
          listeners: b.listeners,
          raft_address: b.raftAddress,
          rack: b.rack,
          version: b.version,
          registered_at: b.registeredAt,
          last_heartbeat_at: b.lastHeartbeatAt,
        })),
        topics: topicRows.map((t) => ({
          name: t.name,
          id: t.topicId,
          internal: t.internal,
          configs: t.configs,
          partitions: byTopic.get(t.name) ?? [],
        })),
      };
      return { snapshot, receivedAt: version.receivedAt };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += INSERT_CHUNK) yield items.slice(i, i + INSERT_CHUNK);
}
