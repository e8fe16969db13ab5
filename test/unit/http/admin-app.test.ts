import { describe, expect, it } from "vitest";
import { createAdminApp } from "../../../data-node/src/http/admin-app.ts";
import { NodeMetrics } from "../../../data-node/src/http/metrics.ts";
import { NODE_READINESS_CONDITIONS, Readiness } from "../../../data-node/src/meta/readiness.ts";
import { toRegistrySnapshot } from "../../../data-node/src/meta/registry-snapshot.ts";
import { clusterHealthSchema } from "../../../shared/health/index.ts";
import { silentLogger } from "../../../shared/log.ts";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";
import { clusterOf } from "../meta/fixtures.ts";

const NOW = 1_000_000;

function snapshotOf(opts: { fenceBroker3?: boolean; leaderId?: number } = {}): RegistrySnapshot {
  const b = clusterOf(3);
  b.apply({
    type: "create_topic",
    name: "orders",
    topicId: "id-orders",
    internal: false,
    configs: {},
    partitions: [
      { partition: 0, replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1, 2, 3] },
      { partition: 1, replicas: [2, 3, 1], leader: 2, leaderEpoch: 0, isr: [2, 1] },
    ],
  });
  if (opts.fenceBroker3) b.apply({ type: "fence_broker", nodeId: 3, brokerEpoch: 5, timestamp: NOW });
  return toRegistrySnapshot(b.image, {
    clusterId: "chronik-test",
    term: 2,
    commitIndex: b.image.appliedIndex,
    leaderId: opts.leaderId ?? 1,
    voters: [1, 2, 3],
    sessionTimeoutMs: 6000,
    now: NOW,
    heartbeats: new Map([
      [1, NOW - 100],
      [2, NOW - 200],
      [3, opts.fenceBroker3 ? NOW - 60_000 : NOW - 300],
    ]),
  });
}

function app(over: { snapshot?: RegistrySnapshot; readiness?: Readiness; metrics?: NodeMetrics } = {}) {
  const readiness = over.readiness ?? new Readiness(NODE_READINESS_CONDITIONS, silentLogger);
  const metrics = over.metrics ?? new NodeMetrics({ nodeId: 1 });
  return createAdminApp({ readiness, getSnapshot: () => over.snapshot, now: () => NOW + 500, metrics });
}

describe("node admin app", () => {
  it("is live from the start", async () => {
    const res = await app().request("/health/live");
    expect(res.status).toBe(200);
  });

  it("answers 503 with the missing conditions until the node is ready, then 200", async () => {
    const readiness = new Readiness(NODE_READINESS_CONDITIONS, silentLogger);
    const a = app({ readiness });
    let res = await a.request("/health/ready");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, waiting_for: [...NODE_READINESS_CONDITIONS] });
    for (const c of NODE_READINESS_CONDITIONS.slice(0, 4)) readiness.set(c, true);
    res = await a.request("/health/ready");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, waiting_for: ["kafka_listener_bound"] });
    readiness.set("kafka_listener_bound", true);
    res = await a.request("/health/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true });
  });

  it("serves cluster health from this node's image by the shared rules", async () => {
    let res = await app({ snapshot: snapshotOf() }).request("/cluster/health");
    expect(res.status).toBe(200);
    let body = clusterHealthSchema.parse(await res.json());
    expect(body).toMatchObject({
      cluster_id: "chronik-test",
      status: "degraded",
      unhealthy_reasons: ["under_replicated_partitions"],
      controller_id: 1,
      metadata_version: { term: 1 },
    });
    expect(body.under_replicated_partitions.partitions.map((p) => p.partition)).toEqual([1]);

    res = await app({ snapshot: snapshotOf({ leaderId: 0 }) }).request("/cluster/health");
    expect(res.status).toBe(503);
    body = clusterHealthSchema.parse(await res.json());
    expect(body.status).toBe("unavailable");
    expect(body.unhealthy_reasons).toContain("no_meta_leader");
  });

  it("answers 503 unknown before this node has a metadata image", async () => {
    for (const path of ["/cluster/health", "/brokers"]) {
      const res = await app().request(path);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "unknown", is_healthy: false });
    }
  });

  it("lists brokers with their state, liveness and partition counts", async () => {
    const res = await app({ snapshot: snapshotOf({ fenceBroker3: true }) }).request("/brokers");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      cluster_id: string;
      observed_at: number;
      metadata_version: { term: number; applied_index: number };
      brokers: {
        id: number;
        state: string;
        alive: boolean;
        is_meta_leader: boolean;
        partitions: { led: number };
      }[];
    };
    expect(body.cluster_id).toBe("chronik-test");
    expect(body.observed_at).toBe(NOW);
    expect(body.metadata_version.applied_index).toBeGreaterThan(0);
    expect(body.brokers.map((b) => [b.id, b.state, b.alive, b.is_meta_leader, b.partitions.led])).toEqual([
      [1, "unfenced", true, true, 1],
      [2, "unfenced", true, false, 1],
      [3, "fenced", false, false, 0],
    ]);
  });

  it("exposes the node metrics in Prometheus text format", async () => {
    const metrics = new NodeMetrics({ nodeId: 1 });
    metrics.updateFromSnapshot(snapshotOf({ fenceBroker3: true }), 2);
    metrics.electionStarted();
    let refreshed = 0;
    const readiness = new Readiness(["x"], silentLogger);
    const a = createAdminApp({
      readiness,
      getSnapshot: () => undefined,
      now: () => NOW,
      metrics,
      refreshMetrics: () => refreshed++,
    });
    const res = await a.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    for (const name of [
      "chronik_meta_leader_id",
      "chronik_meta_term",
      "chronik_meta_commit_index",
      "chronik_meta_applied_index",
      "chronik_raft_elections_total",
      "chronik_brokers_registered",
      "chronik_brokers_fenced",
      "chronik_partitions_led",
      "chronik_partitions_under_replicated",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('chronik_meta_leader_id{node_id="1"} 1');
    expect(text).toContain('chronik_brokers_registered{node_id="1"} 3');
    expect(text).toContain('chronik_brokers_fenced{node_id="1"} 1');
    expect(text).toContain('chronik_partitions_led{node_id="1"} 1');
    expect(text).toContain('chronik_partitions_under_replicated{node_id="1"} 1');
    expect(text).toContain('chronik_raft_elections_total{node_id="1"} 1');
    expect(refreshed).toBe(1);
  });

  it("keeps each node's metrics in its own registry", async () => {
    const a = new NodeMetrics({ nodeId: 1 });
    const b = new NodeMetrics({ nodeId: 2 });
    a.setMeta({ leaderId: 3, term: 9, commitIndex: 1, appliedIndex: 1 });
    expect(await b.text()).toContain('chronik_meta_term{node_id="2"} 0');
    expect(await a.text()).toContain('chronik_meta_term{node_id="1"} 9');
  });
});
