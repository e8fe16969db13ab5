import { writeFileSync } from "node:fs";
import { Kafka, logLevel } from "kafkajs";
import { afterEach, describe, expect, test } from "vitest";
import { TestCluster } from "../support/cluster.ts";
import { waitFor } from "../support/poll.ts";

// Real node processes on loopback. Every wait polls an observable condition with a deadline.

interface Health {
  status: string;
  unhealthy_reasons: string[];
  meta: { leader_id: number | null };
  nodes: { id: number; state: string; alive: boolean }[];
  nodes_down: number[];
}

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const fast = { broker: { session_timeout_ms: 3000, heartbeat_interval_ms: 500 } };

async function health(c: TestCluster, via: number): Promise<Health> {
  return (await c.adminJson<Health>(via, "/cluster/health")).body;
}

describe("broker lifecycle", () => {
  test("three nodes started together register and report a healthy cluster", async () => {
    cluster = new TestCluster({ nodes: 3, kafkaBase: 19092, httpBase: 18081, extra: fast });
    await cluster.startAll();
    const h = await waitFor("a healthy cluster with 3 unfenced brokers", async () => {
      const x = await health(cluster!, 1);
      return x.status === "healthy" && x.nodes.filter((n) => n.state === "unfenced").length === 3
        ? x
        : undefined;
    });
    expect(h.unhealthy_reasons).toEqual([]);
    for (const n of cluster.nodes) {
      const log = cluster.log(n.id);
      // The seed's failure: registration forwarded to "peer 0" before a leader was known.
      expect(log).not.toMatch(/peer 0|node 0/);
      expect(log).not.toMatch(/"level":(50|60)/);
    }
  });

  test("the first node alone waits for a quorum and says so; the rest join in any order", async () => {
    cluster = new TestCluster({ nodes: 3, kafkaBase: 19092, httpBase: 18081, extra: fast });
    cluster.start(1);
    const waiting = await waitFor("node 1 to answer /health/ready", () => cluster!.readiness(1));
    expect(waiting.status).toBe(503);
    expect(waiting.body.waiting_for).toContain("meta_leader_known");
    // Node 3 (not the node that campaigns first on a new cluster) completes the quorum.
    cluster.start(3);
    await cluster.waitReady(1);
    await cluster.waitReady(3);
    // Node 2 starts late, after the others are serving.
    const before = await health(cluster, 1);
    expect(before.unhealthy_reasons).toContain("brokers_not_registered");
    expect(before.nodes.find((n) => n.id === 2)?.state).not.toBe("unfenced");
    cluster.start(2);
    await cluster.waitReady(2);
  });

  test("the two later nodes elect without the first; it joins when it starts", async () => {
    cluster = new TestCluster({ nodes: 3, kafkaBase: 19092, httpBase: 18081, extra: fast });
    cluster.start(2);
    cluster.start(3);
    await cluster.waitReady(2);
    await cluster.waitReady(3);
    cluster.start(1);
    await cluster.waitReady(1);
  });

  test("a killed meta leader is replaced, fenced within the session timeout, and unfenced after restart", async () => {
    cluster = new TestCluster({ nodes: 3, kafkaBase: 19092, httpBase: 18081, extra: fast });
    await cluster.startAll();
    const leader = (await waitFor(
      "a meta leader",
      async () => (await health(cluster!, 1)).meta.leader_id ?? undefined,
    )) as number;
    const other = cluster.nodes.find((n) => n.id !== leader)!.id;
    await cluster.kill(leader);
    const degraded = await waitFor(
      `node ${leader} fenced and reported down`,
      async () => {
        const h = await health(cluster!, other);
        const dead = h.nodes.find((n) => n.id === leader);
        return h.meta.leader_id !== null &&
          h.meta.leader_id !== leader &&
          dead?.state === "fenced" &&
          h.nodes_down.includes(leader)
          ? h
          : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(degraded.status).toBe("degraded");
    cluster.start(leader);
    await cluster.waitReady(leader);
    await waitFor("the restarted node unfenced and the cluster healthy", async () => {
      const h = await health(cluster!, other);
      return h.status === "healthy" && h.nodes.find((n) => n.id === leader)?.state === "unfenced";
    });
  });
});

describe("controlled shutdown", () => {
  test("SIGTERM hands the node's partition and __meta leaderships to followers before it stops", async () => {
    cluster = new TestCluster({ nodes: 3, kafkaBase: 19092, httpBase: 18081, extra: fast });
    await cluster.startAll();
    const kafka = new Kafka({ brokers: cluster.bootstrap.split(","), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: "handoff", numPartitions: 3, replicationFactor: 3 }],
        waitForLeaders: true,
      });
      const leaderOf0 = async () =>
        (await admin.fetchTopicMetadata({ topics: ["handoff"] })).topics[0].partitions.find(
          (p) => p.partitionId === 0,
        )?.leader;
      const before = await waitFor(
        "partition 0's leader",
        async () => ((await leaderOf0()) ?? -1) > 0 && (await leaderOf0()),
      );
      await cluster.stop(before as number);
      const log = cluster.log(before as number);
      const done = JSON.parse(log.split("\n").find((l) => l.includes("controlled shutdown done")) ?? "{}");
      // Every leadership moved, and __meta let the broker go (fenced at its own request) before it exited.
      expect(done).toMatchObject({ leaderships_moved: true, still_leading: 0, broker_state: "fenced" });
      const survivor = cluster.nodes.find((n) => n.id !== before)!.id;
      const fresh = new Kafka({
        brokers: [`127.0.0.1:${cluster.node(survivor).kafkaPort}`],
        logLevel: logLevel.NOTHING,
      }).admin();
      await fresh.connect();
      try {
        const after = await waitFor("a new leader for partition 0", async () => {
          const p = (await fresh.fetchTopicMetadata({ topics: ["handoff"] })).topics[0].partitions.find(
            (x) => x.partitionId === 0,
          );
          return p && p.leader !== before && p.leader > 0 ? p.leader : undefined;
        });
        expect(after).not.toBe(before);
      } finally {
        await fresh.disconnect();
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  });
});

describe("misconfiguration", () => {
  // The twin never hears from the __meta leader (the leader sends to the real node 2's address), so
  // it never gets as far as registering: it campaigns, is ignored by voters that have a live
  // leader, and stays unready. The leader's refusal of a duplicate registration itself
  // (DUPLICATE_BROKER_REGISTRATION) is covered by the meta unit tests.
  test("a second process claiming a live node id stays unready and does not disturb the cluster", async () => {
    cluster = new TestCluster({ nodes: 3, kafkaBase: 19092, httpBase: 18081, extra: fast });
    await cluster.startAll();
    // Node 2's twin: same id and peers, its own ports and data directory.
    const twin = { ...cluster.node(2), kafkaPort: 19099, raftPort: 19199, httpPort: 18089 };
    const twinCluster = new TestCluster({ nodes: 3, kafkaBase: 19092, httpBase: 18081, extra: fast });
    const peers = cluster.nodes.map((n) => (n.id === 2 ? twin : n));
    twinCluster.nodes[1] = {
      ...twin,
      configFile: `${twinCluster.dir}/twin.toml`,
      dataDir: `${twinCluster.dir}/twin`,
      logFile: `${twinCluster.dir}/twin.log`,
    };
    writeFileSync(twinCluster.nodes[1].configFile, cluster.configText(twinCluster.nodes[1], peers));
    twinCluster.start(2);
    try {
      await waitFor("the twin to try to campaign for __meta", () =>
        twinCluster.log(2).includes('"role":"pre-candidate"') ? true : undefined,
      );
      const ready = await twinCluster.readiness(2);
      expect(ready?.status).toBe(503);
      expect(ready?.body.waiting_for).toEqual(expect.arrayContaining(["meta_leader_known", "registered"]));
      const h = await health(cluster, 1);
      expect(h.status).toBe("healthy");
      expect(h.meta.leader_id).not.toBeNull();
      await cluster.waitReady(2);
    } finally {
      await twinCluster.stopAll();
    }
  });

  test("a peer entry that points at another node's Raft port is refused at the handshake, naming the entry", async () => {
    cluster = new TestCluster({ nodes: 3, kafkaBase: 19092, httpBase: 18081, extra: fast });
    // Node 2's file swaps the Raft ports of peers 1 and 3: it passes the per-file checks (with
    // warnings) but dials node 3 when it means node 1.
    const [n1, n2, n3] = cluster.nodes;
    const swapped = [{ ...n1, raftPort: n3.raftPort }, n2, { ...n3, raftPort: n1.raftPort }];
    writeFileSync(n2.configFile, cluster.configText(n2, swapped));
    for (const n of cluster.nodes) cluster.start(n.id);
    await cluster.waitReady(1);
    await cluster.waitReady(3);
    const line = await waitFor("node 2 to log the refused peer entry", () =>
      cluster!
        .log(2)
        .split("\n")
        .find((l) => l.includes("peers[0] (id 1)") && l.includes("answered as node 3")),
    );
    expect(line).toContain(n2.configFile);
  });
});
