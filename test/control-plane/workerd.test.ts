import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../control-plane/src/db/open.ts";
import { startMirrorPublisher } from "../../data-node/src/mirror/publisher.ts";
import type { ClusterHealth } from "../../shared/health/schema.ts";
import { silentLogger } from "../../shared/log.ts";
import { mirrorPushHeaders } from "../../shared/registry/mirror-signature.ts";
import { broker, healthySnapshot } from "../unit/health/snapshot-fixture.ts";
import { createScratchDatabase, requiredUrl } from "./support/database.ts";

// The control plane inside workerd (`wrangler dev`, the Workers entry and wrangler.toml) against the
// Postgres server: DATABASE_URL, or the server CI and this machine run on 127.0.0.1:5432.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WRANGLER = fileURLToPath(new URL("../../node_modules/wrangler/bin/wrangler.js", import.meta.url));
const SECRET = "workerd-test-secret";
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

describe("control plane on workerd", () => {
  let wrangler: ChildProcess | undefined;
  let output = "";
  let baseUrl = "";
  let drop = async () => {};

  beforeAll(async () => {
    const scratch = await createScratchDatabase(requiredUrl());
    drop = scratch.drop;
    const handle = await openDatabase({ url: scratch.url });
    await handle.migrate();
    await handle.close();

    wrangler = spawn(
      process.execPath,
      [
        WRANGLER,
        "dev",
        "--config",
        "wrangler.toml",
        "--ip",
        "127.0.0.1",
        "--port",
        "0",
        "--inspector-port",
        "0",
        "--var",
        `DATABASE_URL:${scratch.url}`,
        "--var",
        `CHRONIK_MIRROR_SECRET:${SECRET}`,
      ],
      {
        cwd: ROOT,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
      },
    );
    const ready = new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /Ready on (http:\/\/[0-9.]+:\d+)/.exec(output.replace(ANSI_COLOUR, ""));
        if (m) resolve(m[1]);
      };
      wrangler!.stdout!.on("data", onData);
      wrangler!.stderr!.on("data", onData);
      wrangler!.once("exit", (code) => reject(new Error(`wrangler dev exited with ${code}:\n${output}`)));
    });
    baseUrl = await ready;
  });

  afterAll(async () => {
    const child = wrangler;
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // The whole group: wrangler and the workerd process it started.
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
    await drop();
  });

  it("answers the probes, takes signed pushes from the publisher and serves health", async () => {
    expect(await (await fetch(`${baseUrl}/livez`)).json()).toEqual({ live: true });
    expect(await (await fetch(`${baseUrl}/readyz`)).json()).toEqual({ ready: true, reasons: [] });
    expect((await fetch(`${baseUrl}/cluster/health`)).status).toBe(404);

    const now = Date.now();
    const snapshot = healthySnapshot({
      observed_at: now,
      brokers: [1, 2, 3].map((id) => broker(id, { last_heartbeat_at: now - 100, registered_at: now - 5000 })),
    });
    const publisher = startMirrorPublisher({
      url: baseUrl,
      clusterId: snapshot.cluster_id,
      secret: SECRET,
      getSnapshot: () => snapshot,
      logger: silentLogger,
    });
    let health: { status: number; body?: ClusterHealth } = { status: 0 };
    try {
      const deadline = Date.now() + 20_000;
      while (health.status !== 200 && Date.now() < deadline) {
        const res = await fetch(`${baseUrl}/cluster/health`);
        health = { status: res.status, body: (await res.json()) as ClusterHealth };
        if (health.status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await publisher.stop();
    }
    expect(health.status, output).toBe(200);
    expect(health.body).toMatchObject({
      cluster_id: "test-cluster",
      status: "healthy",
      metadata_version: { term: 3, applied_index: 120 },
      stale: false,
    });

    const brokers = (await (await fetch(`${baseUrl}/brokers`)).json()) as { brokers: { id: number }[] };
    expect(brokers.brokers.map((b) => b.id)).toEqual([1, 2, 3]);

    const body = JSON.stringify({ ...snapshot, version: { term: 9, applied_index: 1 } });
    const forged = await mirrorPushHeaders("not-the-secret", Date.now(), body);
    expect((await fetch(`${baseUrl}/v1/mirror`, { method: "POST", body, headers: forged })).status).toBe(401);
  });
});
