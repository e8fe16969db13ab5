import { Counter, Gauge, Registry } from "prom-client";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";

// The node's Prometheus metrics. One registry per node process (several nodes can share a process in
// dev and tests, so nothing uses prom-client's global registry). The runtime updates the values; the
// admin app only renders them.

export class NodeMetrics {
  readonly registry: Registry;
  private readonly metaLeaderId: Gauge;
  private readonly metaTerm: Gauge;
  private readonly metaCommitIndex: Gauge;
  private readonly metaAppliedIndex: Gauge;
  private readonly raftElections: Counter;
  private readonly brokersRegistered: Gauge;
  private readonly brokersFenced: Gauge;
  private readonly partitionsLed: Gauge;
  private readonly partitionsUnderReplicated: Gauge;
  private readonly raftGroups: Gauge;
  private readonly raftGroupsQuiesced: Gauge;

  constructor(opts: { nodeId?: number; registry?: Registry } = {}) {
    this.registry = opts.registry ?? new Registry();
    if (opts.nodeId !== undefined) this.registry.setDefaultLabels({ node_id: String(opts.nodeId) });
    const registers = [this.registry];
    const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
    this.metaLeaderId = gauge(
      "chronik_meta_leader_id",
      "Node id of the __meta leader as this node sees it (0: none)",
    );
    this.metaTerm = gauge("chronik_meta_term", "Current __meta Raft term");
    this.metaCommitIndex = gauge("chronik_meta_commit_index", "__meta Raft commit index");
    this.metaAppliedIndex = gauge("chronik_meta_applied_index", "__meta index applied to this node's image");
    this.raftElections = new Counter({
      name: "chronik_raft_elections_total",
      help: "Raft elections won by this node, all groups",
      registers,
    });
    this.brokersRegistered = gauge("chronik_brokers_registered", "Brokers registered in the metadata image");
    this.brokersFenced = gauge("chronik_brokers_fenced", "Brokers fenced (or not yet unfenced)");
    this.partitionsLed = gauge("chronik_partitions_led", "Partitions this node leads");
    this.partitionsUnderReplicated = gauge(
      "chronik_partitions_under_replicated",
      "Partitions this node leads whose ISR is smaller than the replica set",
    );
    this.raftGroups = gauge("chronik_raft_groups", "Raft groups hosted on this node (partitions and __meta)");
    this.raftGroupsQuiesced = gauge(
      "chronik_raft_groups_quiesced",
      "Raft groups idle enough to stop ticking",
    );
    this.setMeta({ leaderId: undefined, term: 0, commitIndex: 0, appliedIndex: 0 });
    this.setBrokers({ registered: 0, fenced: 0 });
    this.setPartitions({ led: 0, underReplicated: 0 });
  }

  setMeta(m: {
    leaderId: number | undefined;
    term: number;
    commitIndex: number;
    appliedIndex: number;
  }): void {
    this.metaLeaderId.set(m.leaderId ?? 0);
    this.metaTerm.set(m.term);
    this.metaCommitIndex.set(m.commitIndex);
    this.metaAppliedIndex.set(m.appliedIndex);
  }

  setRaft(r: { groups: number; quiesced: number }): void {
    this.raftGroups.set(r.groups);
    this.raftGroupsQuiesced.set(r.quiesced);
  }

  electionStarted(): void {
    this.raftElections.inc();
  }

  setBrokers(b: { registered: number; fenced: number }): void {
    this.brokersRegistered.set(b.registered);
    this.brokersFenced.set(b.fenced);
  }

  setPartitions(p: { led: number; underReplicated: number }): void {
    this.partitionsLed.set(p.led);
    this.partitionsUnderReplicated.set(p.underReplicated);
  }

  // Refreshes everything derivable from a registry snapshot, from the point of view of node `nodeId`.
  updateFromSnapshot(s: RegistrySnapshot, nodeId: number): void {
    this.setMeta({
      leaderId: s.meta.leader_id ?? undefined,
      term: s.meta.term,
      commitIndex: s.meta.commit_index,
      appliedIndex: s.version.applied_index,
    });
    this.setBrokers({
      registered: s.brokers.length,
      fenced: s.brokers.filter((b) => b.state === "fenced" || b.state === "registered").length,
    });
    let led = 0;
    let under = 0;
    for (const t of s.topics) {
      for (const p of t.partitions) {
        if (p.leader !== nodeId) continue;
        led++;
        if (new Set(p.isr).size < new Set(p.replicas).size) under++;
      }
    }
    this.setPartitions({ led, underReplicated: under });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
