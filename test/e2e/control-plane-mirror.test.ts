import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { TestCluster } from "../support/cluster.ts";
import { waitFor } from "../support/poll.ts";

// The whole system: real data nodes push their registry to a real control plane process (embedded
// PGlite), and the control plane's /cluster/health follows what happens to the nodes.

const bin = join(import.meta.dirname, "../../data-node/bin/chronik.js");
const CP_PORT = 18180;
const MAX_AGE_MS = 4000;

interface Health {
  status: string;
  unhealthy_reasons: string[];
  nodes: { id: number; state: string; alive: boolean }[];
  nodes_down: number[];
  stale: boolean;
}

let cluster: TestCluster | undefined;
let controlPlane: ChildProcess | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  controlPlane?.kill("SIGKILL");
  cluster = undefined;
});

function startControlPlane(): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), "chronik-cp-"));
  const child = spawn(
    process.execPath,
    [bin, "control-plane", "--port", String(CP_PORT), "--data-dir", join(dir, "db")],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DATABASE_URL: "", CHRONIK_MAX_AGE_MS: String(MAX_AGE_MS), CHRONIK_DEV: "1" },
    },
  );
  const log = createWriteStream(join(dir, "control-plane.log"));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function cpHealth(): Promise<{ status: number; body: Health } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${CP_PORT}/cluster/health`, {
      signal: AbortSignal.timeout(2000),
    });
    return { status: res.status, body: (await res.json()) as Health };
  } catch {
    return undefined;
  }
}

test("the control plane reports healthy, degraded with the killed node down, healthy again, then stale", async () => {
  controlPlane = startControlPlane();
  cluster = new TestCluster({
    nodes: 3,
    kafkaBase: 25092,
    httpBase: 25181,
    controlPlaneUrl: `http://127.0.0.1:${CP_PORT}`,
    extra: {
      broker: { session_timeout_ms: 3000, heartbeat_interval_ms: 500 },
      control_plane: { push_interval_ms: 500 },
    },
  });
  await cluster.startAll();

  const healthy = await waitFor("the control plane to report a healthy 3-broker cluster", async () => {
    const h = await cpHealth();
    return h?.status === 200 &&
      h.body.status === "healthy" &&
      h.body.nodes.filter((n) => n.state === "unfenced").length === 3
      ? h
      : undefined;
  });
  expect(healthy.body.unhealthy_reasons).toEqual([]);

  // A follower of __meta, so the publisher keeps running on the leader.
  const meta = await cluster.adminJson<{ meta: { leader_id: number } }>(1, "/cluster/health");
  const victim = cluster.nodes.find((n) => n.id !== meta.body.meta.leader_id)!.id;
  await cluster.kill(victim);
  const degraded = await waitFor(
    `node ${victim} in nodes_down`,
    async () => {
      const h = await cpHealth();
      return h?.body.status === "degraded" && h.body.nodes_down.includes(victim) ? h : undefined;
    },
    { timeoutMs: 15_000 },
  );
  expect(degraded.status).toBe(200);

  cluster.start(victim);
  await cluster.waitReady(victim);
  await waitFor("healthy again after the restart", async () => (await cpHealth())?.body.status === "healthy");

  await cluster.stopAll();
  const stale = await waitFor(
    "unknown with stale_metadata once the mirror is older than its max age",
    async () => {
      const h = await cpHealth();
      return h?.body.status === "unknown" ? h : undefined;
    },
    { timeoutMs: MAX_AGE_MS + 10_000 },
  );
  expect(stale.status).toBe(503);
  expect(stale.body.unhealthy_reasons).toEqual(["stale_metadata"]);
});
