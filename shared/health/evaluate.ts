import type { Broker, RegistrySnapshot } from "../registry/snapshot.ts";
import type {
  ClusterHealth,
  HealthStatus,
  NodeHealth,
  PartitionList,
  PartitionRef,
  UnhealthyReason,
} from "./schema.ts";
import { unhealthyReason } from "./schema.ts";

// The cluster health rules, shared by the data nodes' admin HTTP and the control plane. Pure: the
// caller passes the registry snapshot and the current time.
//
// Rules, checked in this order:
// 1. unknown     — the snapshot is older than maxAgeMs (now - observed_at): reason stale_metadata
//                  only; the rest of the report is the last known picture, not a verdict.
// 2. unavailable — any of: no_meta_leader (leader id null or 0), no_meta_quorum (fewer than a
//                  majority of voters alive), leaderless_partitions.
// 3. degraded    — none of the above, but any of: nodes_down, brokers_fenced,
//                  brokers_not_registered, under_replicated_partitions.
// 4. healthy     — no reason at all.
// All applicable reasons are listed (in vocabulary order), not only the one that set the status.
//
// Definitions:
// - A broker is alive when its last contact (last heartbeat, else its registration) is at most
//   session_timeout_ms before observed_at. Ages use the publisher's clock: heartbeats are stamped
//   with it, so skew between machines cannot change a verdict.
// - A voter is alive when it is the meta leader (it produced this snapshot's commit index) or a
//   registered broker that is alive. A voter with no registration counts as not alive for quorum and
//   raises brokers_not_registered.
// - nodes_down lists registered brokers that are not alive.
// - brokers_fenced: a broker in state fenced, or registered but not yet unfenced (KRaft fences a
//   broker until it has caught up with the metadata log).
// - A partition is leaderless when it has no leader (null or 0) or its leader is not an alive
//   broker: clients cannot produce to it until a new leader is elected and reported.
// - A partition is under-replicated when its ISR is smaller than its replica set.

export const DEFAULT_MAX_AGE_MS = 30_000;
export const DEFAULT_LIST_CAP = 100;

export interface HealthOptions {
  maxAgeMs?: number;
  listCap?: number;
}

const UNAVAILABLE_REASONS: ReadonlySet<UnhealthyReason> = new Set([
  "no_meta_leader",
  "no_meta_quorum",
  "leaderless_partitions",
]);

const REASON_ORDER: readonly UnhealthyReason[] = unhealthyReason.options;

export function isBrokerAlive(broker: Broker, snapshot: RegistrySnapshot): boolean {
  const lastContact = broker.last_heartbeat_at ?? broker.registered_at;
  return snapshot.observed_at - lastContact <= snapshot.session_timeout_ms;
}

export function metaLeaderOf(snapshot: RegistrySnapshot): number | null {
  const id = snapshot.meta.leader_id;
  return id === null || id === 0 ? null : id;
}

export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

export function evaluateHealth(
  snapshot: RegistrySnapshot,
  now: number,
  opts: HealthOptions = {},
): ClusterHealth {
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const listCap = opts.listCap ?? DEFAULT_LIST_CAP;
  const leaderId = metaLeaderOf(snapshot);
  const voters = [...new Set(snapshot.meta.voters)].sort((a, b) => a - b);
  const voterSet = new Set(voters);
  const brokersById = new Map(snapshot.brokers.map((b) => [b.id, b]));

  const alive = new Set(snapshot.brokers.filter((b) => isBrokerAlive(b, snapshot)).map((b) => b.id));
  const nodes: NodeHealth[] = snapshot.brokers.map((b) => ({
    id: b.id,
    state: b.state,
    alive: alive.has(b.id),
    is_voter: voterSet.has(b.id),
    is_meta_leader: b.id === leaderId,
    last_heartbeat_age_ms:
      b.last_heartbeat_at === null ? null : Math.max(0, snapshot.observed_at - b.last_heartbeat_at),
  }));
  const unregisteredVoters = voters.filter((id) => !brokersById.has(id));
  for (const id of unregisteredVoters) {
    nodes.push({
      id,
      state: "not_registered",
      // The meta leader is evidently up even before its broker registration lands.
      alive: id === leaderId,
      is_voter: true,
      is_meta_leader: id === leaderId,
      last_heartbeat_age_ms: null,
    });
  }
  nodes.sort((a, b) => a.id - b.id);

  const votersAlive = voters.filter((id) => id === leaderId || alive.has(id));
  const quorum = quorumSize(voters.length);
  const nodesDown = snapshot.brokers
    .filter((b) => !alive.has(b.id))
    .map((b) => b.id)
    .sort((a, b) => a - b);
  const fenced = snapshot.brokers.some((b) => b.state === "fenced" || b.state === "registered");

  const leaderless: PartitionRef[] = [];
  const underReplicated: PartitionRef[] = [];
  const topics = [...snapshot.topics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const topic of topics) {
    const partitions = [...topic.partitions].sort((a, b) => a.partition - b.partition);
    for (const p of partitions) {
      const ref: PartitionRef = {
        topic: topic.name,
        partition: p.partition,
        leader: p.leader === 0 ? null : p.leader,
        replicas: p.replicas,
        isr: p.isr,
      };
      if (ref.leader === null || !alive.has(ref.leader)) leaderless.push(ref);
      if (new Set(p.isr).size < new Set(p.replicas).size) underReplicated.push(ref);
    }
  }

  const found = new Set<UnhealthyReason>();
  if (leaderId === null) found.add("no_meta_leader");
  if (votersAlive.length < quorum) found.add("no_meta_quorum");
  if (nodesDown.length > 0) found.add("nodes_down");
  if (fenced) found.add("brokers_fenced");
  if (unregisteredVoters.length > 0) found.add("brokers_not_registered");
  if (leaderless.length > 0) found.add("leaderless_partitions");
  if (underReplicated.length > 0) found.add("under_replicated_partitions");

  const age = Math.max(0, now - snapshot.observed_at);
  const stale = age > maxAgeMs;
  let status: HealthStatus;
  let reasons: UnhealthyReason[];
  if (stale) {
    status = "unknown";
    reasons = ["stale_metadata"];
  } else {
    reasons = REASON_ORDER.filter((r) => found.has(r));
    status =
      reasons.length === 0
        ? "healthy"
        : reasons.some((r) => UNAVAILABLE_REASONS.has(r))
          ? "unavailable"
          : "degraded";
  }

  return {
    cluster_id: snapshot.cluster_id,
    status,
    is_healthy: status === "healthy",
    unhealthy_reasons: reasons,
    meta: {
      leader_id: leaderId,
      term: snapshot.meta.term,
      commit_index: snapshot.meta.commit_index,
      voters,
      voters_alive: votersAlive,
      quorum,
    },
    controller_id: leaderId,
    nodes,
    nodes_down: nodesDown,
    leaderless_partitions: capped(leaderless, listCap),
    under_replicated_partitions: capped(underReplicated, listCap),
    metadata_version: { term: snapshot.version.term, applied_index: snapshot.version.applied_index },
    observed_at: snapshot.observed_at,
    age_ms: age,
    stale,
  };
}

// 200 while the cluster serves (healthy or degraded); 503 when it does not or nobody can tell.
export function httpStatusFor(health: Pick<ClusterHealth, "status">): 200 | 503 {
  return health.status === "healthy" || health.status === "degraded" ? 200 : 503;
}

function capped(list: PartitionRef[], cap: number): PartitionList {
  return { count: list.length, partitions: list.slice(0, Math.max(0, cap)), truncated: list.length > cap };
}
