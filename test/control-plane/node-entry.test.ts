import { afterEach, describe, expect, it, vi } from "vitest";
import { isMigrated } from "../../control-plane/src/db/migrations.ts";
import { openDatabase } from "../../control-plane/src/db/open.ts";
import { controlPlaneCommand, startControlPlane } from "../../control-plane/src/node.ts";
import { startMirrorPublisher } from "../../data-node/src/mirror/publisher.ts";
import { silentLogger } from "../../shared/log.ts";
import { broker, healthySnapshot } from "../unit/health/snapshot-fixture.ts";
import { createScratchDatabase, requiredUrl } from "./support/database.ts";
import { openMigratedPglite } from "./support/pglite-template.ts";

describe("Node entry", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("serves the app over HTTP on an ephemeral port, fed by the publisher", async () => {
    const cp = await startControlPlane({
      port: 0,
      database: await openMigratedPglite(),
      mirrorSecret: "node-entry-secret",
      settings: { healthPublic: true, operatorTokens: ["op"], maxAgeMs: 30_000 },
      logger: silentLogger,
    });
    const now = Date.now();
    const snapshot = healthySnapshot({
      observed_at: now,
      brokers: [1, 2, 3].map((id) => broker(id, { last_heartbeat_at: now, registered_at: now - 1000 })),
    });
    const publisher = startMirrorPublisher({
      url: cp.url,
      clusterId: snapshot.cluster_id,
      secret: "node-entry-secret",
      getSnapshot: () => snapshot,
      logger: silentLogger,
    });
    try {
      let status = 0;
      const deadline = Date.now() + 10_000;
      while (status !== 200 && Date.now() < deadline) {
        status = (await fetch(`${cp.url}/cluster/health`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe(200);
      expect((await fetch(`${cp.url}/brokers`)).status).toBe(401);
      const res = await fetch(`${cp.url}/brokers`, { headers: { authorization: "Bearer op" } });
      expect(((await res.json()) as { brokers: unknown[] }).brokers).toHaveLength(3);
      expect((await fetch(`${cp.url}/readyz`)).status).toBe(200);
    } finally {
      await publisher.stop();
      await cp.close();
    }
  });

  it("`chronik control-plane migrate` applies the migrations to DATABASE_URL", async () => {
    const scratch = await createScratchDatabase(requiredUrl());
    try {
      vi.stubEnv("DATABASE_URL", scratch.url);
      vi.stubEnv("LOG_LEVEL", "silent");
      expect(await controlPlaneCommand(["migrate"])).toBe(0);
      const handle = await openDatabase({ url: scratch.url });
      try {
        expect(await isMigrated(handle.db)).toBe(true);
      } finally {
        await handle.close();
      }
    } finally {
      await scratch.drop();
    }
  });

  it("rejects bad arguments and environment with exit code 2", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    expect(await controlPlaneCommand(["--port", "http"])).toBe(2);
    expect(await controlPlaneCommand(["frobnicate"])).toBe(2);
    expect(await controlPlaneCommand(["--no-such-flag"])).toBe(2);
    vi.stubEnv("CHRONIK_HEALTH_PUBLIC", "maybe");
    expect(await controlPlaneCommand([])).toBe(2);
    expect(errors).toHaveBeenCalledTimes(4);
    expect(await controlPlaneCommand(["--help"])).toBe(0);
  });
});
