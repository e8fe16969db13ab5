import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../control-plane/src/app.ts";
import { broker, healthySnapshot, T0 } from "../../unit/health/snapshot-fixture.ts";
import type { Harness } from "../support/harness.ts";

export function operatorSuite(h: Harness): void {
  describe("GET /brokers and /topics", () => {
    it("lists brokers with registration, liveness and partition counts", async () => {
      const s = healthySnapshot({
        brokers: [broker(1), broker(2, { rack: "r2" }), broker(3, { last_heartbeat_at: T0 - 7000 })],
      });
      s.topics[0].partitions[0].isr = [1];
      await h.push(s);
      const res = await h.get("/brokers");
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown> & { brokers: Record<string, unknown>[] };
      expect(body).toMatchObject({
        cluster_id: "test-cluster",
        metadata_version: { term: 3, applied_index: 120 },
        observed_at: T0,
        stale: false,
      });
      expect(body.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
      const one = (await (await h.get("/brokers/1")).json()) as { broker: Record<string, unknown> };
      expect(one.broker).toEqual({
        id: 1,
        listeners: [{ name: "PLAINTEXT", host: "127.0.0.1", port: 9092 }],
        raft_address: "127.0.0.1:9192",
        rack: null,
        version: "0.1.0",
        state: "unfenced",
        alive: true,
        broker_epoch: 11,
        incarnation_id: "inc-1",
        registered_at: T0 - 60_000,
        last_heartbeat_at: T0 - 500,
        last_heartbeat_age_ms: 500,
        is_meta_leader: true,
        is_voter: true,
        partitions: { led: 1, replicated: 3, under_replicated: 1 },
      });
      const three = (await (await h.get("/brokers/3")).json()) as { broker: Record<string, unknown> };
      expect(three.broker).toMatchObject({
        alive: false,
        is_meta_leader: false,
        last_heartbeat_age_ms: 7000,
      });
      expect(((await (await h.get("/brokers/2")).json()) as { broker: { rack: string } }).broker.rack).toBe(
        "r2",
      );
      expect((await h.get("/brokers/99")).status).toBe(404);
      expect((await h.get("/brokers/abc")).status).toBe(400);
    });

    it("lists topics and describes one with leaders, replicas, ISR and leader epochs", async () => {
      const s = healthySnapshot();
      s.topics.push({
        name: "__consumer_offsets",
        id: "t-co",
        internal: true,
        configs: {},
        partitions: [{ partition: 0, leader: null, leader_epoch: 0, replicas: [1, 2], isr: [1] }],
      });
      await h.push(s);
      const list = (await (await h.get("/topics")).json()) as { topics: unknown[] };
      expect(list.topics).toEqual([
        {
          name: "__consumer_offsets",
          id: "t-co",
          internal: true,
          partitions: 1,
          replication_factor: 2,
          under_replicated_partitions: 1,
          leaderless_partitions: 1,
        },
        {
          name: "orders",
          id: "topic-orders",
          internal: false,
          partitions: 3,
          replication_factor: 3,
          under_replicated_partitions: 0,
          leaderless_partitions: 0,
        },
      ]);
      const res = await h.get("/topics/orders");
      expect(res.status).toBe(200);
      const topic = ((await res.json()) as { topic: Record<string, unknown> }).topic;
      expect(topic).toEqual({
        name: "orders",
        id: "topic-orders",
        internal: false,
        configs: { "retention.ms": "604800000" },
        partitions: [
          { partition: 0, leader: 1, leader_epoch: 2, replicas: [1, 2, 3], isr: [1, 2, 3] },
          { partition: 1, leader: 2, leader_epoch: 2, replicas: [1, 2, 3], isr: [1, 2, 3] },
          { partition: 2, leader: 3, leader_epoch: 2, replicas: [1, 2, 3], isr: [1, 2, 3] },
        ],
      });
      expect((await h.get("/topics/missing")).status).toBe(404);
      expect((await h.get("/topics?cluster=missing")).status).toBe(404);
    });

    it("requires a configured bearer token on operator routes", async () => {
      await h.push(healthySnapshot());
      const app = h.app({ operatorTokens: ["alpha", "beta-token"] });
      for (const path of ["/brokers", "/brokers/1", "/topics", "/topics/orders"]) {
        expect((await h.get(path, { app })).status).toBe(401);
        expect((await h.get(path, { app, token: "wrong" })).status).toBe(401);
        expect((await h.get(path, { app, token: "beta-token" })).status).toBe(200);
      }
      const res = await h.get("/brokers", { app });
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    });
  });

  describe("probes and the OpenAPI document", () => {
    it("answers /livez, and /readyz by the database's reachability and migrations", async () => {
      expect(await (await h.get("/livez")).json()).toEqual({ live: true });
      const ready = await h.get("/readyz");
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ready: true, reasons: [] });

      const db = h.db().handle.db;
      await db.execute(sql`alter table drizzle.__drizzle_migrations rename to chronik_hidden_migrations`);
      try {
        const unmigrated = await h.get("/readyz");
        expect(unmigrated.status).toBe(503);
        expect(await unmigrated.json()).toEqual({ ready: false, reasons: ["not_migrated"] });
      } finally {
        await db.execute(sql`alter table drizzle.chronik_hidden_migrations rename to __drizzle_migrations`);
      }

      // Nothing listens on port 1.
      const client = postgres("postgres://postgres@127.0.0.1:1/none", {
        max: 1,
        connect_timeout: 2,
        onnotice: () => {},
      });
      try {
        const unreachable = createApp({
          db: drizzle({ client }),
          clock: () => T0,
          secrets: () => undefined,
          settings: { healthPublic: true, operatorTokens: [], maxAgeMs: 30_000 },
          logger: { error: () => {} },
        });
        const res = await unreachable.request("/readyz");
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ ready: false, reasons: ["database_unreachable"] });
      } finally {
        await client.end();
      }
    });

    it("serves an OpenAPI document describing every route", async () => {
      const res = await h.get("/openapi.json");
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths).sort()).toEqual([
        "/brokers",
        "/brokers/{id}",
        "/cluster/health",
        "/livez",
        "/readyz",
        "/topics",
        "/topics/{name}",
        "/v1/mirror",
      ]);
      expect(doc.paths["/v1/mirror"].post).toBeDefined();
    });
  });
}
